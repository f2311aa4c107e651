package targets

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
)

func specStrings(l List) []string {
	var out []string
	for _, s := range l {
		out = append(out, s.String())
	}
	return out
}

func TestReadList(t *testing.T) {
	const file = "\ufeff" + `# lab hosts
198.18.1.10
198.18.1.20 198.18.1.30	# mail and rdp` + "\r" + `

  dc1.lab.test
fd77:7272::/120 # v6
#198.18.9.9
`
	l, err := ReadList(strings.NewReader(file), "hosts.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"198.18.1.10", "198.18.1.20", "198.18.1.30", "dc1.lab.test", "fd77:7272::/120"}
	if got := specStrings(l); !slices.Equal(got, want) {
		t.Errorf("ReadList = %q; want %q", got, want)
	}
}

func TestReadListErrors(t *testing.T) {
	tests := []struct{ name, file, want string }{
		{"hosts.txt", "198.18.1.1\n\n# ok\n198.18.1.9-3\n", `hosts.txt:4: target "198.18.1.9-3": range end before start`},
		{"-", "198.18.1.1 300.1.1.1\n", `stdin:1: target "300.1.1.1": not an IP address, network or range`},
		{"big.txt", "198.18.1.1\n198.0.0.0/7\n", `big.txt:2: target "198.0.0.0/7": 33554432 addresses is more than 16777216; use --allow-large to scan it`},
		{"long.txt", "198.18.1.1\n" + strings.Repeat("a", maxLine+1) + "\n", `long.txt:2: line longer than 65536 bytes`},
	}
	for _, tt := range tests {
		_, err := ReadList(strings.NewReader(tt.file), tt.name)
		if err == nil || err.Error() != tt.want {
			t.Errorf("ReadList(%s) error\n got: %v\nwant: %s", tt.name, err, tt.want)
		}
	}
	if _, err := (Options{AllowLarge: true}).ReadList(strings.NewReader("198.0.0.0/7\n"), "big.txt"); err != nil {
		t.Errorf("ReadList with AllowLarge: %v", err)
	}
}

func TestReadListEmpty(t *testing.T) {
	l, err := ReadList(strings.NewReader("# nothing\n\n"), "empty.txt")
	if err != nil || len(l) != 0 {
		t.Errorf("ReadList(comments only) = %v, %v; want empty", l, err)
	}
	if _, err := l.Count(nil); !errors.Is(err, ErrNoTargets) {
		t.Errorf("Count of empty list: %v; want %v", err, ErrNoTargets)
	}
}

func TestParseList(t *testing.T) {
	l, err := ParseList("198.18.1.1,198.18.2.0/24, fd00::1-fd00::5,,dc1")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"198.18.1.1", "198.18.2.0/24", "fd00::1-fd00::5", "dc1"}
	if got := specStrings(l); !slices.Equal(got, want) {
		t.Errorf("ParseList = %q; want %q", got, want)
	}
	if _, err := ParseList("198.18.1.1,198.18.1.0/33"); err == nil || err.Error() != `target "198.18.1.0/33": bad prefix length 33 (IPv4 allows 0 to 32)` {
		t.Errorf("ParseList with a bad spec: %v", err)
	}
}

// fakeResolver answers from a map; a missing name fails as net.Resolver
// does. It records what it was asked.
type fakeResolver struct {
	mu    sync.Mutex
	addrs map[string][]string
	asked []string
}

var errNoSuchHost = errors.New("no such host")

func (r *fakeResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	r.mu.Lock()
	r.asked = append(r.asked, network+" "+host)
	r.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	list, ok := r.addrs[host]
	if !ok {
		return nil, errNoSuchHost
	}
	var out []netip.Addr
	for _, a := range list {
		out = append(out, netip.MustParseAddr(a))
	}
	return out, nil
}

var labResolver = map[string][]string{
	// The resolver may answer A records in the IPv4-mapped form and in
	// any order, with repeats.
	"dc1.lab.test":   {"fd77:7272::10", "::ffff:198.18.1.10", "198.18.1.10"},
	"mail.lab.test":  {"198.18.1.20"},
	"alias.lab.test": {"198.18.1.20"},
	"empty.lab.test": {},
}

func TestResolve(t *testing.T) {
	l, err := ParseList("198.18.1.1 dc1.lab.test nowhere.lab.test mail.lab.test alias.lab.test empty.lab.test")
	if err != nil {
		t.Fatal(err)
	}
	r := &fakeResolver{addrs: labResolver}
	resolved, err := l.Resolve(t.Context(), r)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(r.asked)
	wantAsked := []string{"ip alias.lab.test", "ip dc1.lab.test", "ip empty.lab.test", "ip mail.lab.test", "ip nowhere.lab.test"}
	if !slices.Equal(r.asked, wantAsked) {
		t.Errorf("resolver asked %q; want %q", r.asked, wantAsked)
	}
	if n, _ := l[1].Size(); n != 0 {
		t.Errorf("Resolve changed its receiver")
	}
	if n, _ := resolved[1].Size(); n != 2 {
		t.Errorf("dc1.lab.test resolved to %d addresses; want 2", n)
	}

	var got []string
	for h := range resolved.All(nil) {
		switch {
		case h.Err != nil:
			got = append(got, h.Name+" error: "+h.Err.Error())
		case h.Name != "":
			got = append(got, h.Name+" "+h.Addr.String())
		default:
			got = append(got, h.Addr.String())
		}
	}
	want := []string{
		"198.18.1.1",
		"dc1.lab.test 198.18.1.10",
		"dc1.lab.test fd77:7272::10",
		"nowhere.lab.test error: no such host",
		"mail.lab.test 198.18.1.20",
		// alias.lab.test is 198.18.1.20 again: a repeat, dropped.
		"empty.lab.test error: lookup empty.lab.test: no addresses",
	}
	if !slices.Equal(got, want) {
		t.Errorf("expanded\n got: %q\nwant: %q", got, want)
	}
	if n, err := resolved.Count(nil); n != uint64(len(want)) || err != nil {
		t.Errorf("Count = %d, %v; want %d", n, err, len(want))
	}
}

func TestResolveCanceled(t *testing.T) {
	l, err := ParseList("dc1.lab.test mail.lab.test")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := l.Resolve(ctx, &fakeResolver{addrs: labResolver}); !errors.Is(err, context.Canceled) {
		t.Errorf("Resolve with a canceled context: %v; want %v", err, context.Canceled)
	}
}

func TestUnresolvedName(t *testing.T) {
	l, err := ParseList("dc1.lab.test")
	if err != nil {
		t.Fatal(err)
	}
	hosts := collect(t, l, nil, 10)
	if len(hosts) != 1 || hosts[0].Err == nil || hosts[0].Name != "dc1.lab.test" {
		t.Errorf("expanding an unresolved name = %+v; want one Host with an error", hosts)
	}
	if _, err := NewExcludeSet(l); err == nil || err.Error() != `exclude "dc1.lab.test": host name not resolved` {
		t.Errorf("NewExcludeSet(unresolved name): %v", err)
	}
}

// A name listed many times (an -iL file with repeats, any case) is looked
// up once, and every listing gets the answer.
func TestResolveLooksUpEachNameOnce(t *testing.T) {
	text := strings.Repeat("dc1.lab.test DC1.LAB.TEST nowhere.lab.test ", 50)
	l, err := ParseList(text)
	if err != nil {
		t.Fatal(err)
	}
	r := &fakeResolver{addrs: labResolver}
	resolved, err := l.Resolve(t.Context(), r)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(r.asked)
	if want := []string{"ip dc1.lab.test", "ip nowhere.lab.test"}; !slices.Equal(r.asked, want) {
		t.Errorf("resolver asked %q; want %q", r.asked, want)
	}
	for i, s := range resolved {
		n, _ := s.Size()
		if wantN := uint64(2); i%3 != 2 && n != wantN || i%3 == 2 && s.err == nil {
			t.Fatalf("listing %d (%s): %d addresses, error %v", i, s.text, n, s.err)
		}
	}
}

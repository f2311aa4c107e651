package targets

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

func mustList(t testing.TB, specs string) List {
	t.Helper()
	l, err := Options{AllowLarge: true}.ParseList(specs)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func mustExclude(t testing.TB, specs string) *ExcludeSet {
	t.Helper()
	e, err := NewExcludeSet(mustList(t, specs))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestExpandWithExclusions(t *testing.T) {
	tests := []struct {
		targets, exclude string
		want             string // expanded addresses, space-separated
	}{
		{"198.18.1.1-6", "198.18.1.2,198.18.1.4-5", "198.18.1.1 198.18.1.3 198.18.1.6"},
		{"198.18.1.0/30", "198.18.1.0/31", "198.18.1.2 198.18.1.3"},
		{"198.18.1.0/30", "198.18.1.3", "198.18.1.0 198.18.1.1 198.18.1.2"},
		{"198.18.1.254-198.18.2.1", "198.18.1.255-198.18.2.0", "198.18.1.254 198.18.2.1"},
		{"198.18.1-2.1-3", "198.18.1.2-198.18.2.1", "198.18.1.1 198.18.2.2 198.18.2.3"},
		{"198.18.1-3.1", "198.18.2.0/24", "198.18.1.1 198.18.3.1"},
		{"fd00::1-fd00::5", "fd00::2-fd00::3", "fd00::1 fd00::4 fd00::5"},
		{"fd00::/126 198.18.1.0/31", "198.18.0.0/16", "fd00:: fd00::1 fd00::2 fd00::3"},
		{"fe80::1%eth0 fe80::1%eth1 fe80::2%eth0", "fe80::1", "fe80::2%eth0"},
		{"255.255.255.254/31", "", "255.255.255.254 255.255.255.255"},
		{"255.255.255.254/31 ::/127", "255.255.255.255", "255.255.255.254 :: ::1"},
		{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127", "", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
		// Repeats of a single address go; overlapping networks stay.
		{"198.18.1.1 198.18.1.1/32 198.18.1.1-1 198.18.1.0/31", "", "198.18.1.1 198.18.1.0 198.18.1.1"},
	}
	for _, tt := range tests {
		l := mustList(t, tt.targets)
		excl := mustExclude(t, tt.exclude)
		got := strings.Join(addrStrings(collect(t, l, excl, 100)), " ")
		if got != tt.want {
			t.Errorf("expand %q exclude %q\n got: %s\nwant: %s", tt.targets, tt.exclude, got, tt.want)
		}
		n, err := l.Count(excl)
		if want := uint64(len(strings.Fields(tt.want))); n != want || err != nil {
			t.Errorf("Count(%q exclude %q) = %d, %v; want %d", tt.targets, tt.exclude, n, err, want)
		}
	}
}

func TestEveryTargetExcluded(t *testing.T) {
	for _, tt := range []struct{ targets, exclude string }{
		{"198.18.1.0/24", "198.18.0.0/16"},
		{"198.18.1.1 198.18.1.2", "198.18.1.1-198.18.1.2"},
		{"198.18.1-2.1-5", "198.18.1.0-198.18.2.255"},
		{"fd77::/104", "fd77::/64"},
		{"10.0.0.0/8", "0.0.0.0/0"},
	} {
		l := mustList(t, tt.targets)
		if n, err := l.Count(mustExclude(t, tt.exclude)); !errors.Is(err, ErrAllExcluded) || err.Error() != "every target is excluded" {
			t.Errorf("Count(%q exclude %q) = %d, %v; want %v", tt.targets, tt.exclude, n, err, ErrAllExcluded)
		}
	}
}

func TestExcludeSet(t *testing.T) {
	e := mustExclude(t, "198.18.1.10-198.18.1.20, 198.18.1.15-198.18.1.30, 198.18.1.31, fd77::/120, 198.18.3.0/24")
	if len(e.ivs) != 3 {
		t.Errorf("merged intervals = %v; want 3", e.ivs)
	}
	for a, want := range map[string]bool{
		"198.18.1.9": false, "198.18.1.10": true, "198.18.1.31": true, "198.18.1.32": false,
		"198.18.3.255": true, "fd77::ff": true, "fd77::100": false, "::ffff:198.18.1.10": false,
	} {
		if got := e.Contains(netip.MustParseAddr(a)); got != want {
			t.Errorf("Contains(%s) = %v; want %v", a, got, want)
		}
	}
	var none *ExcludeSet
	if none.Contains(netip.MustParseAddr("198.18.1.1")) {
		t.Error("nil ExcludeSet contains an address")
	}
	if _, err := NewExcludeSet(mustList(t, "198.18.1-2.1")); err == nil || err.Error() != `exclude "198.18.1-2.1": octet ranges that are not one run cannot be excluded; write them as ranges or networks` {
		t.Errorf("NewExcludeSet(octet ranges): %v", err)
	}
	l, err := mustList(t, "nowhere.lab.test").Resolve(t.Context(), &fakeResolver{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewExcludeSet(l); err == nil || err.Error() != `exclude "nowhere.lab.test": no such host` {
		t.Errorf("NewExcludeSet(unresolvable name): %v", err)
	}
}

// naiveExpand is the model the Iterator must match: enumerate every spec
// address by address, drop excluded ones, and drop repeats of single
// addresses.
func naiveExpand(l List, excl List) []string {
	var out []string
	seen := map[netip.Addr]bool{}
	excluded := func(a netip.Addr) bool {
		for _, s := range excl {
			if s.Contains(a.WithZone("")) {
				return true
			}
		}
		return false
	}
	for _, s := range l {
		for a := s.first; s.kind == kindSpan && a.IsValid() && !s.last.Less(a); a = a.Next() {
			if excluded(a) || s.single() && seen[a] {
				continue
			}
			seen[a] = s.single()
			out = append(out, a.String())
		}
		if s.kind == kindOctets {
			for a := s.octetFirst(); !s.octetLast().Less(a); a = a.Next() {
				if s.Contains(a) && !excluded(a) {
					out = append(out, a.String())
				}
			}
		}
	}
	return out
}

// randomSpec returns a spec inside a small universe, so that specs and
// exclusions overlap often.
func randomSpec(r *rand.Rand, octets bool) string {
	v4 := func() string { return fmt.Sprintf("198.18.%d.%d", r.IntN(3), r.IntN(256)) }
	switch r.IntN(7) {
	case 0:
		return v4()
	case 1:
		return fmt.Sprintf("198.18.%d.%d/%d", r.IntN(3), r.IntN(256), 22+r.IntN(11))
	case 2:
		a, b := netip.MustParseAddr(v4()), netip.MustParseAddr(v4())
		if b.Less(a) {
			a, b = b, a
		}
		return a.String() + "-" + b.String()
	case 3:
		return fmt.Sprintf("fd00::%x/%d", r.IntN(1024), 118+r.IntN(11))
	case 4:
		return fmt.Sprintf("fd00::%x-fd00::%x", r.IntN(512), 512+r.IntN(512))
	case 5:
		if octets {
			lo := r.IntN(256)
			return fmt.Sprintf("198.18.%d-%d.%d-%d", r.IntN(2), 1+r.IntN(2), lo, lo+r.IntN(256-lo))
		}
		return fmt.Sprintf("198.18.%d.*", r.IntN(3))
	default:
		return fmt.Sprintf("198.18.%d.%d-%d", r.IntN(3), r.IntN(128), 128+r.IntN(128))
	}
}

func TestExpandMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		var targets, exclude []string
		for range 1 + r.IntN(4) {
			targets = append(targets, randomSpec(r, true))
		}
		for range r.IntN(5) {
			exclude = append(exclude, randomSpec(r, false))
		}
		l := mustList(t, strings.Join(targets, ","))
		exclList := mustList(t, strings.Join(exclude, ","))
		excl, err := NewExcludeSet(exclList)
		if err != nil {
			t.Fatal(err)
		}
		want := naiveExpand(l, exclList)
		got := addrStrings(collect(t, l, excl, len(want)+1))
		if !slices.Equal(got, want) {
			t.Fatalf("expand %q exclude %q\n got %d: %v\nwant %d: %v", targets, exclude, len(got), got, len(want), want)
		}
		n, err := l.Count(excl)
		if len(want) == 0 {
			if !errors.Is(err, ErrAllExcluded) {
				t.Fatalf("Count(%q exclude %q) = %d, %v; want %v", targets, exclude, n, err, ErrAllExcluded)
			}
		} else if n != uint64(len(want)) || err != nil {
			t.Fatalf("Count(%q exclude %q) = %d, %v; want %d", targets, exclude, n, err, len(want))
		}
	}
}

func TestLargeCounts(t *testing.T) {
	for _, tt := range []struct {
		targets, exclude string
		want             uint64
	}{
		{"198.18.0.0/15", "", 1 << 17},
		{"fd77::/104", "", 1 << 24},
		{"198.18.0.0/15", "198.18.0.0/16", 1 << 16},
		{"fd77::/104", "fd77::/105,fd77::ff:ffff", 1<<23 - 1},
		{"10.0.0.0/8", "10.0.0.0/9,10.128.0.0", 1<<23 - 1},
		{"fd77::/64", "", 1<<64 - 1},
		{"::/0", "", 1<<64 - 1},
		{"*.*.*.1-2", "0.0.0.0/1", 1 << 24},
	} {
		n, err := mustList(t, tt.targets).Count(mustExclude(t, tt.exclude))
		if n != tt.want || err != nil {
			t.Errorf("Count(%q exclude %q) = %d, %v; want %d", tt.targets, tt.exclude, n, err, tt.want)
		}
	}
}

// TestExpandDoesNotMaterialise checks that expansion holds no per-address
// state: stepping through a /15 or an IPv6 /104 allocates nothing per host.
func TestExpandDoesNotMaterialise(t *testing.T) {
	for _, spec := range []string{"198.18.0.0/15", "fd77::/104", "198.18-19.*.1-200"} {
		l := mustList(t, spec)
		it := l.Hosts(mustExclude(t, "198.18.0.100-198.18.0.150,fd77::100-fd77::150"))
		var last netip.Addr
		allocs := testing.AllocsPerRun(1000, func() {
			h, ok := it.Next()
			if !ok || !l[0].Contains(h.Addr) || !last.Less(h.Addr) {
				t.Fatalf("%s: Next = %v, %v after %v", spec, h, ok, last)
			}
			last = h.Addr
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per Next; want 0", spec, allocs)
		}
	}
}

func BenchmarkExpand(b *testing.B) {
	for _, bench := range []struct{ name, spec string }{
		{"ipv4_15", "198.18.0.0/15"},
		{"ipv6_104", "fd77::/104"},
		{"octets", "198.18-19.*.1-200"},
	} {
		b.Run(bench.name, func(b *testing.B) {
			l := mustList(b, bench.spec)
			excl := mustExclude(b, "198.18.0.100-198.18.0.150,fd77::100-fd77::150")
			b.ReportAllocs()
			it := l.Hosts(excl)
			for b.Loop() {
				if _, ok := it.Next(); !ok {
					it = l.Hosts(excl)
				}
			}
		})
	}
}

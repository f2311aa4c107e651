package scanner

import (
	"net/netip"
	"slices"
	"testing"

	"github.com/winreach/winreach/catalog"
)

func ep(s string) catalog.Endpoint {
	e, err := catalog.ParseEndpoint(s)
	if err != nil {
		panic(err)
	}
	return e
}

func eps(ss ...string) []catalog.Endpoint {
	out := make([]catalog.Endpoint, len(ss))
	for i, s := range ss {
		out[i] = ep(s)
	}
	return out
}

func ids(fns []catalog.Function) []string {
	out := make([]string, len(fns))
	for i, f := range fns {
		out[i] = f.ID
	}
	return out
}

func TestSelect(t *testing.T) {
	c := catalog.Default()
	lookup := func(names ...string) []catalog.Function {
		var out []catalog.Function
		for _, n := range names {
			fns, ok := c.Lookup(n)
			if !ok {
				t.Fatalf("lookup %q", n)
			}
			out = append(out, fns...)
		}
		return out
	}
	for _, tc := range []struct {
		name      string
		fns       []catalog.Function
		extra     []catalog.Endpoint
		wantFns   []string
		wantEps   []catalog.Endpoint
		wantCount int // functions, when wantFns is long
	}{
		{
			name:      "everything by default",
			wantCount: 47,
			wantEps:   catalog.Endpoints(c.Functions),
		},
		{
			name:    "TCP 139 is planned once for a dozen functions",
			fns:     lookup("file-sharing", "event-viewer", "logon-sequence", "trusts"),
			wantFns: []string{"file-sharing", "event-viewer", "logon-sequence", "trusts"},
			wantEps: eps("tcp/139", "udp/137", "udp/138"),
		},
		{
			name:      "a function named twice is judged once",
			fns:       lookup("smtp", "SMTP", "exchange"),
			wantCount: 13,
			wantEps:   eps("tcp/25", "tcp/102", "tcp/110", "tcp/119", "tcp/135", "tcp/143", "tcp/389", "tcp/563", "tcp/636", "tcp/993", "tcp/995"),
		},
		{
			name:    "extra endpoints with a selection are added",
			fns:     lookup("pptp"),
			extra:   eps("tcp/3268"),
			wantFns: []string{"pptp"},
			wantEps: eps("tcp/1723", "tcp/3268", "ip/47"),
		},
		{
			name:    "extra endpoints alone restrict and judge what they cover",
			extra:   eps("udp/389", "tcp/135"),
			wantFns: []string{"dhcp-manager", "dns-administration", "wins-manager", "client-server-comm", "exchange-administrator", "rpc"},
			wantEps: eps("tcp/135", "udp/389"),
		},
		{
			name:    "any-of functions are covered by all their alternatives",
			extra:   eps("tcp/3389", "tcp/1503"),
			wantFns: []string{"rdp-client"},
			wantEps: eps("tcp/1503", "tcp/3389"),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sel := Select(c, tc.fns, tc.extra)
			if tc.wantFns != nil && !slices.Equal(ids(sel.Functions), tc.wantFns) {
				t.Errorf("functions %v, want %v", ids(sel.Functions), tc.wantFns)
			}
			if tc.wantCount != 0 && len(sel.Functions) != tc.wantCount {
				t.Errorf("%d functions, want %d", len(sel.Functions), tc.wantCount)
			}
			if !slices.Equal(sel.Endpoints, tc.wantEps) {
				t.Errorf("endpoints %v, want %v", sel.Endpoints, tc.wantEps)
			}
		})
	}
}

func TestPlanWindow(t *testing.T) {
	h1, h2, h3 := netip.MustParseAddr("198.18.1.1"), netip.MustParseAddr("198.18.1.2"), netip.MustParseAddr("fd77:7272:1::3")
	for _, tc := range []struct {
		name  string
		hosts []netip.Addr
		eps   []catalog.Endpoint
		want  []string
	}{
		{"no hosts", nil, eps("tcp/139"), nil},
		{"no endpoints", []netip.Addr{h1}, nil, nil},
		{
			"hosts interleave within each endpoint; raw IP last",
			[]netip.Addr{h1, h2, h3},
			eps("ip/47", "tcp/139", "udp/137"),
			[]string{
				"198.18.1.1 tcp/139", "198.18.1.2 tcp/139", "fd77:7272:1::3 tcp/139",
				"198.18.1.1 udp/137", "198.18.1.2 udp/137", "fd77:7272:1::3 udp/137",
				"198.18.1.1 ip/47", "198.18.1.2 ip/47", "fd77:7272:1::3 ip/47",
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, task := range PlanWindow(tc.hosts, tc.eps) {
				got = append(got, task.String())
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("plan\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

// Every pair appears exactly once, and no two consecutive probes go to the
// same host while there is more than one host.
func TestPlanWindowCoversEachPairOnceAndSpreadsHosts(t *testing.T) {
	var hosts []netip.Addr
	for i := 1; i <= 7; i++ {
		hosts = append(hosts, netip.AddrFrom4([4]byte{198, 18, 2, byte(i)}))
	}
	all := catalog.Endpoints(catalog.Default().Functions)
	plan := PlanWindow(hosts, all)
	seen := map[Task]bool{}
	for i, task := range plan {
		if seen[task] {
			t.Fatalf("%v planned twice", task)
		}
		seen[task] = true
		if i > 0 && plan[i-1].Host == task.Host {
			t.Errorf("probes %d and %d both go to %v", i-1, i, task.Host)
		}
	}
	if len(seen) != len(hosts)*len(all) {
		t.Errorf("%d tasks, want %d", len(seen), len(hosts)*len(all))
	}
}

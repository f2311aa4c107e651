package scanner

import (
	"context"
	"net/netip"
	"slices"
	"testing"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes"
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

// TestSelectGated: an endpoint only optional transports need is gated on
// the functions that list it; one that a selected function requires, or
// that -p names, is not.
func TestSelectGated(t *testing.T) {
	c, err := catalog.Load("modern", nil)
	if err != nil {
		t.Fatal(err)
	}
	mine, err := catalog.Parse("group g | G\nudp-too | Needs UDP 3389 | udp/3389\nsync | Sync | tcp/9000 udp/9000?\nsync2 | Sync 2 | tcp/9001 udp/9000?\n")
	if err != nil {
		t.Fatal(err)
	}
	fn := func(c *catalog.Catalog, id string) catalog.Function {
		f, ok := c.Function(id)
		if !ok {
			t.Fatalf("no function %q", id)
		}
		return f
	}
	gates := func(sel Selection) map[string][]string {
		out := map[string][]string{}
		for e, fns := range sel.Gated {
			out[e.String()] = ids(fns)
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		fns   []catalog.Function
		extra []catalog.Endpoint
		want  map[string][]string
	}{
		{"the whole modern catalog gates RDP's and the gateway's UDP", nil, nil,
			map[string][]string{"udp/3389": {"rdp"}, "udp/3391": {"rd-gateway"}}},
		{"-p naming the optional endpoint probes it outright", []catalog.Function{fn(c, "rdp")}, eps("udp/3389"),
			map[string][]string{}},
		{"a function that requires it probes it outright", []catalog.Function{fn(c, "rdp"), fn(mine, "udp-too")}, nil,
			map[string][]string{}},
		{"two functions listing it optional both gate it", []catalog.Function{fn(mine, "sync"), fn(mine, "sync2")}, nil,
			map[string][]string{"udp/9000": {"sync", "sync2"}}},
		{"no optional endpoint, no gate", []catalog.Function{fn(c, "winrm-http")}, nil,
			map[string][]string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sel := Select(c, tc.fns, tc.extra)
			got := gates(sel)
			if len(got) != len(tc.want) {
				t.Fatalf("gated %v, want %v", got, tc.want)
			}
			for e, w := range tc.want {
				if !slices.Equal(got[e], w) {
					t.Errorf("gated %v, want %v", got, tc.want)
				}
				if !slices.Contains(sel.Endpoints, ep(e)) {
					t.Errorf("%s gated but not in the selection's endpoints", e)
				}
			}
		})
	}
}

func TestProbeOrder(t *testing.T) {
	es := eps("ip/47", "tcp/139", "udp/137", "ip/50", "tcp/445")
	var got []string
	for _, i := range probeOrder(es) {
		got = append(got, es[i].String())
	}
	if want := []string{"tcp/139", "udp/137", "tcp/445", "ip/47", "ip/50"}; !slices.Equal(got, want) {
		t.Errorf("order %q, want %q (raw IP last)", got, want)
	}
	if len(probeOrder(nil)) != 0 {
		t.Error("no endpoints, some order")
	}
}

// The schedule that runs: every (host, endpoint) pair is probed exactly
// once, no two consecutive probes go to the same host while there is more
// than one host, and each host's raw IP probes come after its others.
func TestScheduleCoversEachPairOnceAndSpreadsHosts(t *testing.T) {
	var names []string
	for i := 1; i <= 7; i++ {
		names = append(names, netip.AddrFrom4([4]byte{198, 18, 2, byte(i)}).String())
	}
	sel := Select(catalog.Default(), nil, nil)
	type pair struct {
		host netip.Addr
		e    catalog.Endpoint
	}
	var plan []pair
	s := &Scanner{Concurrency: 1, Window: len(names), Prober: func(e catalog.Endpoint) probes.Prober {
		return probes.ProberFunc(func(_ context.Context, tg probes.Target) probes.Result {
			plan = append(plan, pair{tg.Addr, e}) // Concurrency 1: one probe at a time
			return probes.Result{State: probes.Closed, Reason: probes.ReasonReset}
		})
	}}
	s.Run(t.Context(), hostsOf(names...), sel)
	seen := map[pair]bool{}
	rawSeen := map[netip.Addr]bool{}
	for i, p := range plan {
		if seen[p] {
			t.Fatalf("%v probed twice", p)
		}
		seen[p] = true
		if i > 0 && i < len(plan)-1 && plan[i-1].host == p.host {
			t.Errorf("probes %d and %d both go to %v", i-1, i, p.host)
		}
		if p.e.Transport == catalog.IP {
			rawSeen[p.host] = true
		} else if rawSeen[p.host] {
			t.Errorf("%v probed after a raw IP probe of its host", p)
		}
	}
	if len(seen) != len(names)*len(sel.Endpoints) {
		t.Errorf("%d probes, want %d", len(seen), len(names)*len(sel.Endpoints))
	}
}

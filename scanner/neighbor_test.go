package scanner

import (
	"context"
	"net/netip"
	"testing"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes"
)

type fakeNeighbors map[netip.Addr]bool

func (f fakeNeighbors) Unresolved(a netip.Addr) bool { return f[a] }

// Silence from an address that never answered ARP is no host, not a drop;
// silence from a host that answers ARP stays what the probe saw.
func TestSilenceFromAnUnresolvedNeighbourIsHostUnreachable(t *testing.T) {
	dead, dropping := netip.MustParseAddr("198.18.1.99"), netip.MustParseAddr("198.18.1.60")
	sel := Select(catalog.Default(), nil, eps("tcp/139", "udp/138", "tcp/445"))
	silent := probes.ProberFunc(func(_ context.Context, t probes.Target) probes.Result {
		if t.Port == 445 {
			return probes.Result{State: probes.Closed, Reason: probes.ReasonReset}
		}
		if t.Port == 138 {
			return probes.Result{State: probes.OpenFiltered, Reason: probes.ReasonNoResponse}
		}
		return probes.Result{State: probes.Filtered, Reason: probes.ReasonTimeout}
	})
	got := map[netip.Addr]map[catalog.Endpoint]probes.Result{}
	sc := &Scanner{
		Prober:      func(catalog.Endpoint) probes.Prober { return silent },
		Concurrency: 4,
		Neighbors:   fakeNeighbors{dead: true},
		OnHost:      func(h HostResult) { got[h.Address] = h.Results() },
	}
	sc.Run(t.Context(), hostsOf(dead.String(), dropping.String()), sel)
	for _, e := range eps("tcp/139", "udp/138") {
		if r := got[dead][e]; r.State != probes.Filtered || r.Reason != probes.ReasonHostUnreachable {
			t.Errorf("%v %v: %v, want filtered host-unreachable", dead, e, r)
		}
	}
	if r := got[dead][ep("tcp/445")]; r.State != probes.Closed {
		t.Errorf("an answer was rewritten: %v", r)
	}
	if r := got[dropping][ep("tcp/139")]; r.Reason != probes.ReasonTimeout {
		t.Errorf("a host that answers ARP: %v, want the timeout kept", r)
	}
	if r := got[dropping][ep("udp/138")]; r.State != probes.OpenFiltered {
		t.Errorf("a host that answers ARP: %v, want open|filtered kept", r)
	}
}

package scanner

import (
	"net/netip"
	"testing"
	"time"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes"
)

// BenchmarkHostResult aggregates one finished host: its endpoint results
// and the verdicts of all 47 functions.
func BenchmarkHostResult(b *testing.B) {
	sel := Select(catalog.Default(), nil, nil)
	hs := &hostState{host: Host{Addr: netip.MustParseAddr("198.18.1.70")},
		results: make([]probes.Result, len(sel.Endpoints)), done: make([]bool, len(sel.Endpoints))}
	for i, e := range sel.Endpoints {
		st := probes.Closed
		if e.Port%3 == 0 {
			st = probes.Filtered
		}
		hs.results[i], hs.done[i] = probes.Result{State: st, Reason: probes.ReasonReset, RTT: time.Millisecond}, true
	}
	b.ReportAllocs()
	for b.Loop() {
		if hr := hostResult(hs, sel, StatusComplete); len(hr.Functions) != 47 {
			b.Fatalf("%d verdicts", len(hr.Functions))
		}
	}
}

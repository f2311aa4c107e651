package scanner

import (
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes"
)

// BenchmarkPlanWindow orders the probes of a window of hosts for the whole
// catalog, the scanner's per-window planning step.
func BenchmarkPlanWindow(b *testing.B) {
	eps := Select(catalog.Default(), nil, nil).Endpoints
	for _, n := range []int{1, 64, 1024} {
		hosts := make([]netip.Addr, n)
		a := netip.MustParseAddr("198.18.0.1")
		for i := range hosts {
			hosts[i], a = a, a.Next()
		}
		b.Run(strconv.Itoa(n)+"-hosts", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if len(PlanWindow(hosts, eps)) != n*len(eps) {
					b.Fatal("short plan")
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n*len(eps)), "ns/task")
		})
	}
}

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

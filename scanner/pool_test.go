package scanner

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"winreach/catalog"
	"winreach/probes"
)

// Workers that wait for work while the last probes finish must all end
// with the scan: a run of many short probes over a narrow window, with
// congestion windows shrinking on "loss", always returns.
func TestRunAlwaysEnds(t *testing.T) {
	sel := Select(catalog.Default(), nil, eps("tcp/139", "tcp/445", "udp/137", "udp/138", "tcp/80"))
	prober := func(e catalog.Endpoint) probes.Prober {
		return probes.ProberFunc(func(_ context.Context, tg probes.Target) probes.Result {
			if tg.Timing != nil && tg.Addr.As4()[3]%3 == 0 {
				tg.Timing.Silent(1)
				tg.Timing.Answered(2, time.Millisecond, false) // loss: the window halves
			}
			return probes.Result{State: probes.Closed, Reason: probes.ReasonReset}
		})
	}
	for i := range 200 {
		s := &Scanner{Prober: prober, Concurrency: 1 + i%17, Window: 1 + i%3, Timing: &Timing{}, MaxPerHost: i % 4}
		done := make(chan Stats)
		go func() { done <- s.Run(t.Context(), loopbackHosts(netip.MustParseAddr("198.18.7.1"), 20), sel) }()
		select {
		case st := <-done:
			if st.Probes != 20*len(sel.Endpoints) || st.Interrupted {
				t.Fatalf("run %d: %+v", i, st)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("run %d (concurrency %d, window %d) never ended", i, s.Concurrency, s.Window)
		}
	}
}

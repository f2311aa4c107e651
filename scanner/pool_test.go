package scanner

import (
	"context"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes"
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
				tg.Timing.Answered(2, time.Millisecond, probes.FromHost) // loss: the window halves
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

// Probes that wait on the network (here: sleep) leave the CPU idle, so the
// pool grows past its initial size towards the concurrency limit.
func TestPoolGrowsWhileProbesWait(t *testing.T) {
	sel := Select(catalog.Default(), nil, eps("tcp/139", "tcp/445"))
	var inFlight, maxSeen atomic.Int32
	prober := func(e catalog.Endpoint) probes.Prober {
		return probes.ProberFunc(func(_ context.Context, tg probes.Target) probes.Result {
			n := inFlight.Add(1)
			defer inFlight.Add(-1)
			for m := maxSeen.Load(); n > m && !maxSeen.CompareAndSwap(m, n); m = maxSeen.Load() {
			}
			time.Sleep(100 * time.Millisecond)
			return probes.Result{State: probes.Filtered, Reason: probes.ReasonTimeout}
		})
	}
	s := &Scanner{Prober: prober, Concurrency: 512}
	s.Run(t.Context(), loopbackHosts(netip.MustParseAddr("198.18.8.1"), 2000), sel)
	if m := maxSeen.Load(); m <= poolInitial || m > 512 {
		t.Errorf("at most %d probes in flight; want more than the initial %d, at most 512", m, poolInitial)
	}
}

// Silent probes wait side by side (issue 15): while every worker waits
// out a silence, no probe finishes and no worker picks another, yet the
// pool must still grow to the concurrency limit, on the clock. Here no
// probe returns until the limit is in flight.
func TestPoolGrowsWhileNoProbeFinishes(t *testing.T) {
	const limit = 1024
	sel := Select(catalog.Default(), nil, eps("tcp/139", "tcp/445"))
	var inFlight atomic.Int32
	release := make(chan struct{})
	prober := func(e catalog.Endpoint) probes.Prober {
		return probes.ProberFunc(func(ctx context.Context, tg probes.Target) probes.Result {
			if inFlight.Add(1) == limit {
				close(release)
			}
			select {
			case <-release:
			case <-ctx.Done():
			}
			return probes.Result{State: probes.Filtered, Reason: probes.ReasonTimeout}
		})
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	s := &Scanner{Prober: prober, Concurrency: limit, Timing: &Timing{}}
	st := s.Run(ctx, loopbackHosts(netip.MustParseAddr("198.18.8.1"), 3*limit), sel)
	if st.Interrupted || inFlight.Load() < limit {
		t.Errorf("the pool never had %d probes in flight (%d started; interrupted %v)", limit, inFlight.Load(), st.Interrupted)
	}
}

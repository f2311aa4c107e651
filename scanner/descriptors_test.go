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

// scarceProber stands for a machine with room for `room` sockets: a probe
// started while that many are in flight fails with out-of-descriptors.
type scarceProber struct {
	room     int32
	inflight atomic.Int32
	maxSeen  atomic.Int32
}

func (p *scarceProber) Probe(_ context.Context, _ probes.Target) probes.Result {
	n := p.inflight.Add(1)
	defer p.inflight.Add(-1)
	if n > p.room {
		return probes.Result{State: probes.NotTested, Reason: probes.ReasonNoDescriptors, Note: "socket: too many open files"}
	}
	for m := p.maxSeen.Load(); n > m && !p.maxSeen.CompareAndSwap(m, n); m = p.maxSeen.Load() {
	}
	time.Sleep(time.Millisecond)
	return probes.Result{State: probes.Closed, Reason: probes.ReasonReset}
}

// Out of descriptors, the pool shrinks and every probe runs again: no
// result says not-tested, and the stats say what happened.
func TestRunShrinksWhenOutOfDescriptors(t *testing.T) {
	sel := Select(catalog.Default(), nil, eps("tcp/139", "tcp/445", "udp/137", "tcp/88", "tcp/389"))
	p := &scarceProber{room: 6}
	var notTested, results atomic.Int32
	sc := &Scanner{
		Prober:      func(catalog.Endpoint) probes.Prober { return p },
		Concurrency: 2048,
		OnEndpoint: func(_ netip.Addr, r EndpointResult) {
			results.Add(1)
			if r.State == probes.NotTested {
				notTested.Add(1)
			}
		},
	}
	stats := sc.Run(t.Context(), hostsOf("198.18.3.1", "198.18.3.2", "198.18.3.3", "198.18.3.4", "198.18.3.5", "198.18.3.6",
		"198.18.3.7", "198.18.3.8", "198.18.3.9", "198.18.3.10", "198.18.3.11", "198.18.3.12"), sel)
	if stats.Err != nil || stats.Interrupted {
		t.Fatalf("stats %+v", stats)
	}
	if n := notTested.Load(); n > 0 {
		t.Errorf("%d results not-tested", n)
	}
	if got, want := results.Load(), int32(12*len(sel.Endpoints)); got != want {
		t.Errorf("%d results, want %d", got, want)
	}
	if stats.Requeued == 0 || stats.Concurrency < 1 || stats.Concurrency > 6 {
		t.Errorf("requeued %d, concurrency %d", stats.Requeued, stats.Concurrency)
	}
}

// With no other probe in flight, waiting cannot free a descriptor: the
// scan stops with Stats.Err, and the result held is local-error, never
// out-of-descriptors.
func TestRunStopsWhenNoDescriptorCanFree(t *testing.T) {
	sel := Select(catalog.Default(), nil, eps("tcp/139", "tcp/445"))
	p := &scarceProber{room: 0}
	var reasons []probes.Reason
	sc := &Scanner{
		Prober:      func(catalog.Endpoint) probes.Prober { return p },
		Concurrency: 1,
		OnEndpoint:  func(_ netip.Addr, r EndpointResult) { reasons = append(reasons, r.Reason) },
	}
	stats := sc.Run(t.Context(), hostsOf("198.18.3.1", "198.18.3.2"), sel)
	if stats.Err == nil {
		t.Fatalf("no error: %+v", stats)
	}
	for _, r := range reasons {
		if r != probes.ReasonLocalError {
			t.Errorf("reason %q", r)
		}
	}
}

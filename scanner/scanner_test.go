package scanner

import (
	"context"
	"errors"
	"iter"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes"
)

func hostsOf(addrs ...string) iter.Seq[Host] {
	return func(yield func(Host) bool) {
		for _, a := range addrs {
			h := Host{Name: a}
			if ip, err := netip.ParseAddr(a); err == nil {
				h = Host{Addr: ip}
			} else {
				h.Err = errors.New("no such host")
			}
			if !yield(h) {
				return
			}
		}
	}
}

// countingProber answers by port and records calls and concurrency.
type task struct {
	t probes.Target
	e catalog.Endpoint
}

type countingProber struct {
	mu       sync.Mutex
	calls    map[task]int
	inFlight atomic.Int32
	maxSeen  atomic.Int32
	gate     chan struct{} // when set, each probe waits for it to close
	started  chan struct{} // when set, each probe signals its start
}

// forEndpoint is the scanner's Prober hook: one probe per endpoint, all
// counted together.
func (p *countingProber) forEndpoint(e catalog.Endpoint) probes.Prober {
	return probes.ProberFunc(func(ctx context.Context, t probes.Target) probes.Result { return p.probe(t, e) })
}

func (p *countingProber) probe(t probes.Target, e catalog.Endpoint) probes.Result {
	n := p.inFlight.Add(1)
	defer p.inFlight.Add(-1)
	for {
		m := p.maxSeen.Load()
		if n <= m || p.maxSeen.CompareAndSwap(m, n) {
			break
		}
	}
	if p.started != nil {
		p.started <- struct{}{}
	}
	if p.gate != nil {
		<-p.gate
	}
	p.mu.Lock()
	p.calls[task{t, e}]++
	p.mu.Unlock()
	if t.Port == 139 {
		return probes.Result{State: probes.Confirmed, Reason: probes.ReasonReply}
	}
	return probes.Result{State: probes.Closed, Reason: probes.ReasonReset}
}

func TestRunProbesEachPairOnceWithinTheLimit(t *testing.T) {
	c := catalog.Default()
	sel := Select(c, nil, nil)
	p := &countingProber{calls: map[task]int{}}
	var hosts []HostResult
	var endpoints atomic.Int32
	sc := &Scanner{
		Prober:      p.forEndpoint,
		Concurrency: 5,
		Window:      8, // the repeated address falls in the window of its first
		OnEndpoint:  func(netip.Addr, EndpointResult) { endpoints.Add(1) },
		OnHost:      func(h HostResult) { hosts = append(hosts, h) },
	}
	// 198.18.3.1 twice: probed once. "nohost.invalid": reported unresolved.
	stats := sc.Run(t.Context(), hostsOf("198.18.3.1", "198.18.3.2", "198.18.3.1", "nohost.invalid", "fd77:7272:1::9"), sel)
	if stats.Interrupted {
		t.Error("interrupted")
	}
	wantProbes := 3 * len(sel.Endpoints)
	if stats.Probes != wantProbes || int(endpoints.Load()) != wantProbes || len(p.calls) != wantProbes {
		t.Errorf("probes: stats %d, callbacks %d, distinct %d; want %d", stats.Probes, endpoints.Load(), len(p.calls), wantProbes)
	}
	for tg, n := range p.calls {
		if n != 1 {
			t.Errorf("%v probed %d times", tg, n)
		}
	}
	if m := p.maxSeen.Load(); m > 5 {
		t.Errorf("%d probes in flight, limit 5", m)
	}
	if len(hosts) != 4 {
		t.Fatalf("%d hosts reported, want 4", len(hosts))
	}
	statuses := map[string]int{}
	for _, h := range hosts {
		statuses[h.Status]++
		if h.Status == StatusComplete && len(h.Functions) != 47 {
			t.Errorf("%v: %d verdicts", h.Address, len(h.Functions))
		}
	}
	if statuses[StatusComplete] != 3 || statuses[StatusUnresolved] != 1 {
		t.Errorf("statuses %v", statuses)
	}
}

func TestRunInterruptReportsPartialHosts(t *testing.T) {
	sel := Select(catalog.Default(), nil, eps("tcp/139", "tcp/445", "udp/137"))
	p := &countingProber{calls: map[task]int{}, gate: make(chan struct{}), started: make(chan struct{}, 100)}
	ctx, cancel := context.WithCancel(t.Context())
	var hosts []HostResult
	sc := &Scanner{
		Prober:      p.forEndpoint,
		Concurrency: 2,
		Window:      3, // all three hosts are in flight when the interrupt comes
		OnHost:      func(h HostResult) { hosts = append(hosts, h) },
	}
	done := make(chan Stats)
	go func() { done <- sc.Run(ctx, hostsOf("198.18.3.1", "198.18.3.2", "198.18.3.3"), sel) }()
	<-p.started // both workers busy,
	<-p.started
	cancel()      // then an interrupt:
	close(p.gate) // the probes in flight still end and are reported
	stats := <-done
	if !stats.Interrupted {
		t.Error("not marked interrupted")
	}
	if stats.Probes != 2 {
		t.Errorf("%d probes ran, want the 2 in flight at the interrupt", stats.Probes)
	}
	var partial int
	for _, h := range hosts {
		if h.Status == StatusPartial {
			partial++
			// A function whose endpoints all ran keeps its verdict; one
			// missing an endpoint is not tested, never reachable.
			probed := h.Results()
			for _, f := range h.Functions {
				complete := true
				for _, e := range f.Endpoints {
					_, ok := probed[e]
					complete = complete && ok
				}
				if !complete && f.Verdict != NotTestedVerdict && f.Verdict != Blocked && f.Verdict != NotListening {
					t.Errorf("%v %s is %v on partial evidence", h.Address, f.ID, f.Verdict)
				}
			}
		}
	}
	if partial == 0 {
		t.Errorf("no partial host reported: %+v", hosts)
	}
}

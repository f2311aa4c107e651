package scanner

import (
	"context"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes"
)

// gateProber answers each endpoint as told and counts the probes.
type gateProber struct {
	mu      sync.Mutex
	answer  map[string]probes.Result
	calls   map[string]int
	waitFor map[string]chan struct{} // the probe of this endpoint waits for the channel
	started map[string]chan struct{} // closed when the endpoint's probe starts
}

func (p *gateProber) forEndpoint(e catalog.Endpoint) probes.Prober {
	return probes.ProberFunc(func(ctx context.Context, t probes.Target) probes.Result {
		k := e.String()
		p.mu.Lock()
		p.calls[k]++
		if c := p.started[k]; c != nil {
			close(c)
			delete(p.started, k)
		}
		wait := p.waitFor[k]
		p.mu.Unlock()
		if wait != nil {
			<-wait
		}
		if r, ok := p.answer[k]; ok {
			return r
		}
		return probes.Result{State: probes.Closed, Reason: probes.ReasonPortUnreachable}
	})
}

func modernSelection(t *testing.T, ids ...string) Selection {
	t.Helper()
	c, err := catalog.Load("modern", nil)
	if err != nil {
		t.Fatal(err)
	}
	var fns []catalog.Function
	for _, id := range ids {
		f, ok := c.Function(id)
		if !ok {
			t.Fatalf("no function %q", id)
		}
		fns = append(fns, f)
	}
	return Select(c, fns, nil)
}

func runOne(t *testing.T, p *gateProber, sel Selection, timing *Timing) HostResult {
	t.Helper()
	var got []HostResult
	sc := &Scanner{Prober: p.forEndpoint, Concurrency: 16, Timing: timing, OnHost: func(h HostResult) { got = append(got, h) }}
	stats := sc.Run(t.Context(), hostsOf("198.18.1.70"), sel)
	if stats.Interrupted || len(got) != 1 || got[0].Status != StatusComplete {
		t.Fatalf("run: %+v, hosts %+v", stats, got)
	}
	return got[0]
}

func endpointResult(h HostResult, e string) (probes.Result, bool) {
	for _, er := range h.Endpoints {
		if er.Endpoint.String() == e {
			return er.Result, true
		}
	}
	return probes.Result{}, false
}

func verdictOf(h HostResult, id string) FunctionVerdict {
	for _, f := range h.Functions {
		if f.ID == id {
			return f
		}
	}
	return FunctionVerdict{}
}

var (
	rst     = probes.Result{State: probes.Closed, Reason: probes.ReasonReset}
	synAck  = probes.Result{State: probes.Open, Reason: probes.ReasonSynAck}
	dropped = probes.Result{State: probes.Filtered, Reason: probes.ReasonTimeout}
)

// TestGatedTransportSkippedWhereTheServiceIsAbsent: a host that resets
// TCP 3389 and TCP 443 runs no RDP and no gateway, so their optional UDP
// transports (3389, 3391), which clients set up only over those TCP
// connections, are not probed: no ICMP error of the host's budget is
// spent on them, and the report says why.
func TestGatedTransportSkippedWhereTheServiceIsAbsent(t *testing.T) {
	p := &gateProber{calls: map[string]int{}, answer: map[string]probes.Result{"tcp/3389": rst, "tcp/443": rst}}
	h := runOne(t, p, modernSelection(t, "rdp", "rd-gateway"), &Timing{})
	for _, e := range []string{"udp/3389", "udp/3391"} {
		if p.calls[e] != 0 {
			t.Errorf("%s probed %d times", e, p.calls[e])
		}
		r, ok := endpointResult(h, e)
		if !ok || r.State != probes.NotTested || r.Reason != probes.ReasonSkipped || !strings.Contains(r.Note, "answered closed (rst)") {
			t.Errorf("%s: %+v (reported %v)", e, r, ok)
		}
	}
	if r, _ := endpointResult(h, "udp/3389"); !strings.Contains(r.Note, "TCP 3389") {
		t.Errorf("udp/3389 note %q does not name TCP 3389", r.Note)
	}
	if v := verdictOf(h, "rdp"); v.Verdict != NotListening {
		t.Errorf("rdp: %v (%s)", v.Verdict, v.Explanation)
	}
}

// TestGatedTransportProbedWhereTheServiceAnswers: with TCP 3389 open the
// UDP transport is probed, and the verdict says it is TCP only.
func TestGatedTransportProbedWhereTheServiceAnswers(t *testing.T) {
	p := &gateProber{calls: map[string]int{}, answer: map[string]probes.Result{"tcp/3389": synAck}}
	h := runOne(t, p, modernSelection(t, "rdp"), &Timing{})
	if p.calls["udp/3389"] != 1 {
		t.Errorf("udp/3389 probed %d times", p.calls["udp/3389"])
	}
	if v := verdictOf(h, "rdp"); v.Verdict != Reachable || !strings.Contains(v.Explanation, "works over TCP only") {
		t.Errorf("rdp: %v (%s)", v.Verdict, v.Explanation)
	}
}

// TestGatedTransportGoesAfterTheHold: while TCP 3389 is silent (a drop
// that takes its retries), the UDP transport is not held for all of it:
// it goes after the host's first wait, and both are reported, the
// firewall question being open for both.
func TestGatedTransportGoesAfterTheHold(t *testing.T) {
	tcpDone := make(chan struct{})
	udpStarted := make(chan struct{})
	p := &gateProber{calls: map[string]int{},
		answer:  map[string]probes.Result{"tcp/3389": dropped, "udp/3389": {State: probes.OpenFiltered, Reason: probes.ReasonNoResponse}},
		waitFor: map[string]chan struct{}{"tcp/3389": tcpDone},
		started: map[string]chan struct{}{"udp/3389": udpStarted},
	}
	go func() {
		// TCP 3389 stays in flight until the UDP probe has started:
		// only the hold's end can have launched it. The bound only
		// keeps a broken hold from hanging the test.
		select {
		case <-udpStarted:
		case <-time.After(30 * time.Second):
			t.Error("udp/3389 was never launched while tcp/3389 was in flight")
		}
		close(tcpDone)
	}()
	h := runOne(t, p, modernSelection(t, "rdp"), &Timing{Initial: 10 * time.Millisecond, Floor: 10 * time.Millisecond})
	if r, _ := endpointResult(h, "udp/3389"); r.State != probes.OpenFiltered {
		t.Errorf("udp/3389: %+v", r)
	}
	if v := verdictOf(h, "rdp"); v.Verdict != Blocked {
		t.Errorf("rdp: %v (%s)", v.Verdict, v.Explanation)
	}
}

// TestGatingNeedsEveryFunctionAbsent: an endpoint two functions list as
// optional is skipped only when both are absent.
func TestGatingNeedsEveryFunctionAbsent(t *testing.T) {
	c, err := catalog.Parse("group g | G\na | A | tcp/9000 udp/9000?\nb | B | tcp/9001 udp/9000?\n")
	if err != nil {
		t.Fatal(err)
	}
	sel := Select(c, nil, nil)
	for _, tc := range []struct {
		answer map[string]probes.Result
		probed int
	}{
		{map[string]probes.Result{"tcp/9000": rst, "tcp/9001": rst}, 0},
		{map[string]probes.Result{"tcp/9000": rst, "tcp/9001": synAck}, 1},
		{map[string]probes.Result{"tcp/9000": dropped, "tcp/9001": rst}, 1},
	} {
		p := &gateProber{calls: map[string]int{}, answer: tc.answer}
		runOne(t, p, sel, &Timing{})
		if p.calls["udp/9000"] != tc.probed {
			t.Errorf("%v: udp/9000 probed %d times, want %d", tc.answer, p.calls["udp/9000"], tc.probed)
		}
	}
}

// TestGatingOffWithoutTiming: with fixed timeouts (no host timing, so no
// hold to bound the wait) and in a shard (which may lack the required
// endpoints), every endpoint is probed as planned.
func TestGatingOffWithoutTiming(t *testing.T) {
	sel := modernSelection(t, "rdp")
	p := &gateProber{calls: map[string]int{}, answer: map[string]probes.Result{"tcp/3389": rst}}
	runOne(t, p, sel, nil)
	if p.calls["udp/3389"] != 1 {
		t.Errorf("no timing: udp/3389 probed %d times", p.calls["udp/3389"])
	}
	p = &gateProber{calls: map[string]int{}, answer: map[string]probes.Result{"tcp/3389": rst}}
	var got []HostResult
	sc := &Scanner{Prober: p.forEndpoint, Concurrency: 4, Timing: &Timing{},
		Keep:   func(netip.Addr, catalog.Endpoint) bool { return true },
		OnHost: func(h HostResult) { got = append(got, h) }}
	sc.Run(t.Context(), hostsOf("198.18.1.70"), sel)
	if p.calls["udp/3389"] != 1 || len(got) != 1 {
		t.Errorf("shard: udp/3389 probed %d times, %d hosts", p.calls["udp/3389"], len(got))
	}
}

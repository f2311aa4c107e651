package scanner

import (
	"context"
	"fmt"
	"iter"
	"math"
	"net/netip"
	"runtime"
	"slices"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes"
)

// Scanner runs a selection against a stream of hosts with a bounded pool
// of concurrent probes.
type Scanner struct {
	// Prober returns the probe for an endpoint: the explicit probe list.
	Prober func(catalog.Endpoint) probes.Prober
	// Concurrency bounds the probes in flight.
	Concurrency int
	// Window is how many hosts are planned and interleaved at once; zero
	// picks enough to keep every worker busy with distinct hosts.
	Window int
	// Grace is how long probes in flight may go on after ctx is cancelled.
	Grace time.Duration
	// Rate, when positive, bounds the probes started per second over the
	// whole scan.
	Rate float64
	// MaxPerHost, when positive, bounds the probes in flight to one host.
	MaxPerHost int
	// Timing, when set, adapts each host's waits to its measured round
	// trips and paces datagram retries under its ICMP rate limit (see
	// probes.Timing); nil keeps the probes' fixed timeouts.
	Timing *Timing
	// Keep, when set, restricts the scan to the (host, endpoint) pairs it
	// accepts: one shard of a larger scan (see Shard.Keep). A host with
	// no pair kept is not reported.
	Keep func(netip.Addr, catalog.Endpoint) bool
	// Known, when set, returns what an earlier run already learned about
	// a host (a resumed scan): those endpoints are reported as they were
	// and not probed again.
	Known func(netip.Addr) []EndpointResult
	// Neighbors, when set, says whether an address on the local link
	// failed to answer ARP or neighbour discovery (icmperr.Neighbors).
	Neighbors interface{ Unresolved(netip.Addr) bool }
	// OnEndpoint, when set, sees every endpoint result as it completes.
	OnEndpoint func(host netip.Addr, r EndpointResult)
	// OnHost sees every host when its last probe ends (or, after an
	// interrupt, with what is known). Calls are serialised with OnEndpoint.
	OnHost func(HostResult)
}

// Host is one address to scan, with the name it came from. Err is set for a
// name that did not resolve: it is reported, not probed.
type Host struct {
	Addr netip.Addr
	Name string
	Err  error
}

// Stats counts what a run did.
type Stats struct {
	Hosts       int // hosts reported
	Probes      int // probes run
	Reused      int // results carried over from Known
	Interrupted bool
	// Requeued counts probes run again because this machine was out of
	// file descriptors; Concurrency is then the pool size the scan
	// shrank to (see descriptors.go).
	Requeued    int
	Concurrency int
	// Err is set when the scan stopped because it could not run: out of
	// file descriptors with no other probe in flight.
	Err error
}

// hostState is one host in flight; it is freed when the host is reported.
type hostState struct {
	host      Host
	results   []probes.Result // indexed like Selection.Endpoints
	done      []bool
	pending   []int // endpoints still to launch, in plan order
	inflight  int
	remaining int // planned probes not finished
	timing    *hostTiming
	inRing    bool // in run.ring: it has endpoints to launch
	// held are gated endpoints (Selection.Gated) waiting for their
	// functions' required endpoints; release lets them go, or skips
	// them, and holdTimer lets them go after the host's first wait.
	held      []int
	holdTimer *time.Timer
}

// Run probes every host of the stream for the selection. Cancelling ctx
// stops new probes from starting; probes already running end within their
// own timeouts (they run under a context that ignores the cancel), and the
// hosts they belong to are reported as partial.
//
// Hosts are admitted from the stream as others finish, at most Window at
// a time, and workers take their probes round-robin over the hosts
// admitted, so consecutive probes go to different hosts (see probeOrder)
// and a host held back by --max-per-host or its congestion window never
// blocks the others.
func (s *Scanner) Run(ctx context.Context, hosts iter.Seq[Host], sel Selection) Stats {
	r := newRun(ctx, s, sel)
	defer r.cancelProbes()
	stopGrace := context.AfterFunc(ctx, func() {
		t := time.AfterFunc(s.Grace, r.cancelProbes)
		context.AfterFunc(r.probeCtx, func() { t.Stop() })
		r.mu.Lock()
		r.cond.Broadcast() // waiting workers see the interrupt
		r.mu.Unlock()
	})
	defer stopGrace()
	next, stop := iter.Pull(hosts)
	defer stop()
	r.pull = next

	r.mu.Lock()
	r.spawn()
	r.mu.Unlock()
	paced := make(chan struct{})
	go r.pace(paced)
	r.workers.Wait()
	close(paced)

	r.mu.Lock()
	defer r.mu.Unlock()
	r.finished = true
	r.stats.Interrupted = r.stopped() || !r.exhausted
	r.stats.Err = r.fatal
	rest := make([]*hostState, 0, len(r.active))
	for _, hs := range r.active {
		rest = append(rest, hs)
	}
	slices.SortFunc(rest, func(a, b *hostState) int { return a.host.Addr.Compare(b.host.Addr) })
	for _, hs := range rest {
		r.report(hs, StatusPartial)
	}
	return r.stats
}

// run is the state of one Run.
type run struct {
	s        *Scanner
	sel      Selection
	ctx      context.Context
	probeCtx context.Context
	// cancelProbes ends the probes in flight (after the grace period).
	cancelProbes context.CancelFunc
	probers      []probes.Prober
	order        []int // endpoint indices in plan order
	// gates[i], for a gated endpoint, lists for each function that
	// lists it as optional the indices of that function's required
	// endpoints (Selection.Gated); nil for every other endpoint.
	gates   [][][]int
	window  int
	conc    int
	limiter *rate.Limiter
	timing  *scanTiming

	mu        sync.Mutex // guards everything below and the callbacks
	cond      *sync.Cond // a worker waits on it for work
	pull      func() (Host, bool)
	exhausted bool
	active    map[netip.Addr]*hostState
	ring      []*hostState // hosts with probes still to launch
	cursor    int
	pending   int  // probes still to launch, over all hosts
	held      int  // gated endpoints held back, over all hosts
	finished  bool // Run returned: hold timers do nothing
	idle      int  // workers waiting on cond
	spawned   int
	workers   sync.WaitGroup
	pool      poolGrowth
	stats     Stats
	fatal     error // the scan cannot go on (descriptors.go)
}

// poolGrowth decides how many workers the scan may run. Workers are
// goroutines with their own stacks, so they are started only while they
// help: while the probes wait on the network, not on the CPU. Over each
// epoch it compares the probes' mean duration L with what queueing for
// the CPU alone would make it, W*c/P (W workers, c CPU time per probe,
// P processors): L far above that means the probes spend their time
// waiting for answers, and after two such epochs in a row, with every
// worker busy, the allowance doubles. A sweep of loopback or of a fast
// network is CPU-bound (L is about W*c/P, however loaded the machine is):
// more workers would only queue, cost memory and slow the garbage
// collector.
type poolGrowth struct {
	allowed    int
	epochStart time.Time
	cpuStart   time.Duration
	cpuKnown   bool
	busy       bool          // no worker was idle at some point of the epoch
	done       int           // probes finished in the epoch
	spent      time.Duration // their summed durations
	waiting    int           // epochs in a row that were busy and network-bound
}

const (
	poolInitial = 64
	poolEpoch   = 25 * time.Millisecond
	// poolNetworkBound is how far above CPU queueing the mean probe
	// duration must be for the probes to count as waiting on the network.
	poolNetworkBound = 4
)

// pace reconsiders the pool on the clock, every epoch, and not only when
// a worker picks a probe: when every worker waits out a silence (a
// firewalled subnet: seconds per probe), no pick happens for seconds, and
// the pool would grow by one doubling per wave of waits instead of
// letting the silent probes wait side by side. It ends when done closes.
func (r *run) pace(done <-chan struct{}) {
	t := time.NewTicker(poolEpoch)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case now := <-t.C:
			r.mu.Lock()
			if !r.stopped() && r.pending > 0 && r.idle == 0 {
				r.pool.busy = true
				r.grow(now)
				if r.spawned < r.pool.allowed {
					r.spawn() // it picks a probe and spawns the next, up to allowed
				}
			}
			r.mu.Unlock()
		}
	}
}

// grow reconsiders the allowance at the end of an epoch. mu held.
func (r *run) grow(now time.Time) {
	p := &r.pool
	elapsed := now.Sub(p.epochStart)
	if elapsed < poolEpoch {
		return
	}
	cpu, ok := processCPU()
	networkBound := true // nothing finished, or no CPU figure: grow on demand
	if p.done > 0 && ok && p.cpuKnown {
		perProbe := float64(cpu-p.cpuStart) / float64(p.done)
		queueing := float64(r.spawned) * perProbe / float64(runtime.GOMAXPROCS(0))
		networkBound = float64(p.spent)/float64(p.done) > poolNetworkBound*queueing
	}
	if p.busy && networkBound {
		p.waiting++
	} else {
		p.waiting = 0
	}
	if p.waiting >= 2 {
		p.allowed, p.waiting = min(r.conc, 2*p.allowed), 0
	}
	p.epochStart, p.cpuStart, p.cpuKnown = now, cpu, ok
	p.busy, p.done, p.spent = false, 0, 0
}

func newRun(ctx context.Context, s *Scanner, sel Selection) *run {
	r := &run{s: s, sel: sel, ctx: ctx, conc: max(1, s.Concurrency), active: map[netip.Addr]*hostState{}}
	r.window = s.Window
	if r.window <= 0 {
		perHost := max(1, len(sel.Endpoints))
		if s.MaxPerHost > 0 {
			perHost = min(perHost, s.MaxPerHost)
		}
		r.window = max(1, 2*r.conc/perHost)
	}
	// Probes in flight at an interrupt get Grace to finish; then their
	// context ends too, so a probe in its third retry does not hold the
	// exit for long.
	r.probeCtx, r.cancelProbes = context.WithCancel(context.WithoutCancel(ctx))
	r.cond = sync.NewCond(&r.mu)
	r.probers = make([]probes.Prober, len(sel.Endpoints))
	for i, e := range sel.Endpoints {
		r.probers[i] = s.Prober(e)
	}
	r.order = probeOrder(sel.Endpoints)
	r.gates = gateIndices(sel)
	if s.Rate > 0 {
		// A burst of a twentieth of a second's probes: smooth, without
		// a timer per probe at high rates.
		r.limiter = rate.NewLimiter(rate.Limit(s.Rate), max(1, int(s.Rate/20)))
	}
	if s.Timing != nil {
		r.timing = newScanTiming(*s.Timing)
	}
	r.pool.allowed = min(r.conc, poolInitial)
	r.pool.epochStart = time.Now()
	r.pool.cpuStart, r.pool.cpuKnown = processCPU()
	return r
}

// stopped: interrupted, or unable to go on. mu held.
func (r *run) stopped() bool { return r.ctx.Err() != nil || r.fatal != nil }

// spawn starts one more worker. mu held.
func (r *run) spawn() {
	r.spawned++
	r.workers.Add(1)
	go r.work()
}

func (r *run) work() {
	defer r.workers.Done()
	for {
		hs, i, ok := r.next()
		if !ok {
			return
		}
		if r.limiter != nil && r.limiter.Wait(r.ctx) != nil {
			r.abandon(hs)
			continue // interrupted: next reports that
		}
		t := probes.Target{Addr: hs.host.Addr, Port: r.sel.Endpoints[i].Port, Name: hs.host.Name}
		if hs.timing != nil {
			t.Timing = hs.timing
		}
		start := time.Now()
		res, requeued := r.shortage(hs, i, r.probers[i].Probe(r.probeCtx, t))
		if requeued {
			continue
		}
		r.record(hs, i, r.explainSilence(t.Addr, res), time.Since(start))
	}
}

// explainSilence turns silence from an address on the local link that
// never answered ARP or neighbour discovery into what it is: no host there
// (host-unreachable), not a drop. A probe's wait is usually shorter than
// the three seconds the kernel takes to give up on the address.
func (r *run) explainSilence(addr netip.Addr, res probes.Result) probes.Result {
	silent := res.State == probes.Filtered && res.Reason == probes.ReasonTimeout ||
		res.State == probes.OpenFiltered && res.Reason == probes.ReasonNoResponse
	if !silent || r.s.Neighbors == nil || !r.s.Neighbors.Unresolved(addr) {
		return res
	}
	res.State, res.Reason = probes.Filtered, probes.ReasonHostUnreachable
	res.Note = "no ARP or neighbour-discovery answer from " + addr.String() + ": nothing has this address on the local link"
	return res
}

// next hands a worker its next probe, admitting hosts as room frees up;
// ok is false when there is nothing left to do or the scan was stopped.
func (r *run) next() (hs *hostState, endpoint int, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for {
		if r.stopped() || r.leave() {
			return nil, 0, false
		}
		r.admit()
		if hs, i, ok := r.pick(); ok {
			if r.pending > 0 {
				// More work may be ready: pass the wake-up on, and
				// grow the pool when no worker is idle.
				if r.idle > 0 {
					r.cond.Signal()
				} else {
					r.pool.busy = true
					r.grow(time.Now())
					if r.spawned < r.pool.allowed {
						r.spawn()
					}
				}
			}
			return hs, i, true
		}
		if r.exhausted && r.pending == 0 && r.held == 0 {
			r.cond.Broadcast() // the waiting workers are done too
			return nil, 0, false
		}
		r.idle++
		r.cond.Wait()
		r.idle--
	}
}

// admit takes hosts from the stream until the window is full. mu held.
func (r *run) admit() {
	for !r.exhausted && len(r.active) < r.window {
		h, ok := r.pull()
		if !ok {
			r.exhausted = true
			return
		}
		if h.Err != nil || !h.Addr.IsValid() {
			r.stats.Hosts++
			if r.s.OnHost != nil {
				hr := Unresolved(h.Name, errString(h.Err))
				hr.Address = h.Addr
				r.s.OnHost(hr)
			}
			continue
		}
		if r.active[h.Addr] != nil {
			continue // the same address twice in flight: probe it once
		}
		r.start(h)
	}
}

// start plans one host: the endpoints this shard keeps, less those known
// from an earlier run. mu held.
func (r *run) start(h Host) {
	n := len(r.sel.Endpoints)
	hs := &hostState{host: h, results: make([]probes.Result, n), done: make([]bool, n)}
	planned := 0
	// Gating needs the host's timing (for the hold) and every endpoint
	// of the host in this run (a shard may lack the required ones).
	gate := r.timing != nil && r.s.Keep == nil
	for _, i := range r.order {
		if r.s.Keep != nil && !r.s.Keep(h.Addr, r.sel.Endpoints[i]) {
			continue
		}
		planned++
		if gate && r.gates[i] != nil {
			hs.held = append(hs.held, i)
			continue
		}
		hs.pending = append(hs.pending, i)
	}
	if planned == 0 && r.s.Keep != nil {
		return // every pair of this host belongs to another shard
	}
	if r.s.Known != nil {
		for _, er := range r.s.Known(h.Addr) {
			i := slices.Index(r.sel.Endpoints, er.Endpoint)
			if i < 0 || hs.done[i] || !slices.Contains(hs.pending, i) && !slices.Contains(hs.held, i) {
				continue
			}
			hs.results[i], hs.done[i] = er.Result, true
			hs.pending = slices.DeleteFunc(hs.pending, func(j int) bool { return j == i })
			hs.held = slices.DeleteFunc(hs.held, func(j int) bool { return j == i })
			r.stats.Reused++
			if r.s.OnEndpoint != nil {
				r.s.OnEndpoint(h.Addr, er)
			}
		}
	}
	hs.remaining = len(hs.pending) + len(hs.held)
	if hs.remaining == 0 {
		r.report(hs, StatusComplete)
		return
	}
	if r.timing != nil {
		window := planned
		if r.s.MaxPerHost > 0 {
			window = min(window, r.s.MaxPerHost)
		}
		hs.timing = newHostTiming(r.timing, h.Addr, window)
	}
	r.active[h.Addr] = hs
	if len(hs.pending) > 0 {
		r.ring = append(r.ring, hs)
		hs.inRing = true
	}
	r.pending += len(hs.pending)
	r.held += len(hs.held)
	if r.release(hs, false) && len(hs.held) > 0 {
		r.holdUntilFirstWait(hs)
	}
}

// holdUntilFirstWait lets the host's held endpoints go after its first
// wait (the host's RTO, else its path's, else the initial one): by then
// a closed port has answered (a reset or an ICMP error comes within a
// round trip), and a silent one no longer delays them. The wait is
// looked at again when the timer fires, since other hosts on the same
// path may have measured it shorter meanwhile. mu held.
func (r *run) holdUntilFirstWait(hs *hostState) {
	start := time.Now()
	var check func()
	check = func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.finished || r.active[hs.host.Addr] != hs || len(hs.held) == 0 {
			return
		}
		if rest := hs.timing.Timeout(1, maxHold) - time.Since(start); rest > 0 {
			hs.holdTimer = time.AfterFunc(rest, check)
			return
		}
		r.release(hs, true)
	}
	hs.holdTimer = time.AfterFunc(min(hs.timing.Timeout(1, maxHold), r.timing.floor()), check)
}

// maxHold bounds how long a gated endpoint waits for its function's
// required endpoints (the host's first wait is usually far shorter).
const maxHold = 3 * time.Second

// gateIndices turns Selection.Gated into indices of sel.Endpoints.
func gateIndices(sel Selection) [][][]int {
	gates := make([][][]int, len(sel.Endpoints))
	for i, e := range sel.Endpoints {
		for _, f := range sel.Gated[e] {
			var req []int
			for _, re := range f.Endpoints {
				if j := slices.Index(sel.Endpoints, re); j >= 0 {
					req = append(req, j)
				}
			}
			gates[i] = append(gates[i], req)
		}
	}
	return gates
}

// release decides the host's held endpoints that can be decided: one
// whose every function has a required endpoint the host reported closed
// is skipped (recorded as not tested, reason skipped); one with a
// function whose required endpoints have all answered otherwise is
// launched; the rest stay held, unless force (the hold is over), which
// launches them. It reports false when skipping finished the host. mu
// held.
func (r *run) release(hs *hostState, force bool) bool {
	kept := hs.held[:0]
	skipped := 0
	for _, i := range hs.held {
		switch closedBy, decided := r.gateState(hs, i); {
		case closedBy >= 0:
			res := probes.Result{State: probes.NotTested, Reason: probes.ReasonSkipped,
				Note: fmt.Sprintf("not probed: this transport is set up over %s, which the host answered closed (%s)",
					r.sel.Endpoints[closedBy].Label(), hs.results[closedBy].Reason)}
			hs.results[i], hs.done[i] = res, true
			hs.remaining--
			skipped++
			if r.s.OnEndpoint != nil {
				r.s.OnEndpoint(hs.host.Addr, EndpointResult{Endpoint: r.sel.Endpoints[i], Result: res})
			}
		case decided || force:
			hs.pending = append(hs.pending, i)
			r.pending++
			if !hs.inRing {
				r.ring = append(r.ring, hs)
				hs.inRing = true
			}
			if r.idle > 0 {
				r.cond.Signal()
			}
		default:
			kept = append(kept, i)
		}
	}
	r.held -= len(hs.held) - len(kept)
	hs.held = kept
	if skipped > 0 && hs.remaining == 0 {
		r.finish(hs)
		return false
	}
	return true
}

// gateState says of a held endpoint whether every function that gates
// it has a required endpoint the host reported closed (closedBy: such an
// endpoint, else -1), and whether some function has all its required
// endpoints answered and none closed (decided: launch it now). mu held.
func (r *run) gateState(hs *hostState, i int) (closedBy int, decided bool) {
	closedBy = -1
	allAbsent := true
	for _, req := range r.gates[i] {
		absent, answered := -1, true
		for _, j := range req {
			switch {
			case !hs.done[j]:
				answered = false
			case hs.results[j].State == probes.Closed && absent < 0:
				absent = j
			}
		}
		if absent >= 0 {
			closedBy = absent
			continue
		}
		allAbsent = false
		decided = decided || answered
	}
	if !allAbsent {
		return -1, decided
	}
	return closedBy, false
}

// finish reports a host whose last endpoint is done. mu held.
func (r *run) finish(hs *hostState) {
	if hs.holdTimer != nil {
		hs.holdTimer.Stop()
	}
	delete(r.active, hs.host.Addr)
	r.report(hs, r.finalStatus(hs))
	if r.idle > 0 {
		r.cond.Signal() // a worker may now be done, or admit a host
	}
}

// pick takes the next probe round-robin over the hosts with probes to
// launch, skipping hosts at their in-flight limit. mu held.
func (r *run) pick() (*hostState, int, bool) {
	for tries := 0; tries < len(r.ring); tries++ {
		if r.cursor >= len(r.ring) {
			r.cursor = 0
		}
		hs := r.ring[r.cursor]
		if hs.inflight >= r.hostLimit(hs) {
			r.cursor++
			continue
		}
		i := hs.pending[0]
		hs.pending = hs.pending[1:]
		hs.inflight++
		r.pending--
		if len(hs.pending) == 0 {
			r.ring = slices.Delete(r.ring, r.cursor, r.cursor+1)
			hs.inRing = false
		} else {
			r.cursor++
		}
		return hs, i, true
	}
	return nil, 0, false
}

// hostLimit is how many probes may be in flight to a host: --max-per-host
// and the host's congestion window. mu held.
func (r *run) hostLimit(hs *hostState) int {
	limit := math.MaxInt
	if r.s.MaxPerHost > 0 {
		limit = r.s.MaxPerHost
	}
	if hs.timing != nil {
		if w := hs.timing.limit(); w > 0 {
			limit = min(limit, w)
		}
	}
	return limit
}

// record stores one probe's result; the host is reported when its last
// probe ends.
func (r *run) record(hs *hostState, i int, res probes.Result, took time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pool.done++
	r.pool.spent += took
	hs.results[i], hs.done[i] = res, true
	hs.inflight--
	hs.remaining--
	r.stats.Probes++
	if r.s.OnEndpoint != nil {
		r.s.OnEndpoint(hs.host.Addr, EndpointResult{Endpoint: r.sel.Endpoints[i], Result: res})
	}
	if hs.remaining == 0 {
		r.finish(hs)
		return
	}
	if len(hs.held) > 0 && !r.release(hs, false) {
		return // skipping the held endpoints finished the host
	}
	if r.idle > 0 {
		r.cond.Signal() // room for another probe of this host, or a new host
	}
}

// finalStatus is complete, unless an interrupt cut one of the host's
// probes short (a local error after the scan was stopped): then what is
// known is partial. mu held.
func (r *run) finalStatus(hs *hostState) string {
	if r.stopped() {
		for i, res := range hs.results {
			if hs.done[i] && res.State == probes.NotTested && res.Reason == probes.ReasonLocalError {
				return StatusPartial
			}
		}
	}
	return StatusComplete
}

// abandon gives back a probe that was never started (interrupted).
func (r *run) abandon(hs *hostState) {
	r.mu.Lock()
	hs.inflight--
	r.mu.Unlock()
}

func (r *run) report(hs *hostState, status string) { // mu held
	r.stats.Hosts++
	if r.s.OnHost != nil {
		r.s.OnHost(hostResult(hs, r.sel, status))
	}
}

// hostResult assembles the report of one host (AssembleHost).
func hostResult(hs *hostState, sel Selection, status string) HostResult {
	results := make([]EndpointResult, 0, len(sel.Endpoints))
	for i, e := range sel.Endpoints {
		if hs.done[i] {
			results = append(results, EndpointResult{Endpoint: e, Result: hs.results[i]})
		}
	}
	return AssembleHost(hs.host.Addr, hs.host.Name, status, results, sel)
}

func errString(err error) string {
	if err == nil {
		return "no address"
	}
	return err.Error()
}

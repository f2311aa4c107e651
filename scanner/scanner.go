package scanner

import (
	"context"
	"iter"
	"net/netip"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"

	"winreach/catalog"
	"winreach/probes"
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
	Interrupted bool
}

// hostState is one host in flight; it is freed when the host is reported.
type hostState struct {
	host      Host
	results   []probes.Result // indexed like Selection.Endpoints
	done      []bool
	remaining int
}

// Run probes every host of the stream for the selection. Cancelling ctx
// stops new probes from starting; probes already running end within their
// own timeouts (they run under a context that ignores the cancel), and the
// hosts they belong to are reported as partial.
func (s *Scanner) Run(ctx context.Context, hosts iter.Seq[Host], sel Selection) Stats {
	conc := max(1, s.Concurrency)
	window := s.Window
	if window <= 0 {
		window = max(1, 2*conc/max(1, len(sel.Endpoints)))
	}
	// Probes in flight at an interrupt get Grace to finish; then their
	// context ends too, so a probe in its third retry does not hold the
	// exit for long.
	probeCtx, cancelProbes := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelProbes()
	stopGrace := context.AfterFunc(ctx, func() {
		t := time.AfterFunc(s.Grace, cancelProbes)
		context.AfterFunc(probeCtx, func() { t.Stop() })
	})
	defer stopGrace()
	sem := semaphore.NewWeighted(int64(conc))
	index := make(map[catalog.Endpoint]int, len(sel.Endpoints))
	probers := make([]probes.Prober, len(sel.Endpoints))
	for i, e := range sel.Endpoints {
		index[e] = i
		probers[i] = s.Prober(e)
	}

	var (
		mu     sync.Mutex // guards active, stats and the callbacks
		active = map[netip.Addr]*hostState{}
		stats  Stats
		wg     sync.WaitGroup
	)
	report := func(hs *hostState, status string) { // mu held
		stats.Hosts++
		if s.OnHost != nil {
			s.OnHost(hostResult(hs, sel, status))
		}
	}
	record := func(hs *hostState, i int, r probes.Result) {
		mu.Lock()
		defer mu.Unlock()
		hs.results[i], hs.done[i] = r, true
		hs.remaining--
		stats.Probes++
		if s.OnEndpoint != nil {
			s.OnEndpoint(hs.host.Addr, EndpointResult{Endpoint: sel.Endpoints[i], Result: r})
		}
		if hs.remaining == 0 {
			delete(active, hs.host.Addr)
			report(hs, StatusComplete)
		}
	}

	launch := func(batch []Host) bool {
		addrs := make([]netip.Addr, 0, len(batch))
		states := make(map[netip.Addr]*hostState, len(batch))
		mu.Lock()
		for _, h := range batch {
			if _, dup := states[h.Addr]; dup || active[h.Addr] != nil {
				continue // the same address twice in flight: probe it once
			}
			hs := &hostState{host: h, results: make([]probes.Result, len(sel.Endpoints)), done: make([]bool, len(sel.Endpoints)), remaining: len(sel.Endpoints)}
			states[h.Addr] = hs
			if hs.remaining == 0 {
				report(hs, StatusComplete)
				continue
			}
			active[h.Addr] = hs
			addrs = append(addrs, h.Addr)
		}
		mu.Unlock()
		for _, task := range PlanWindow(addrs, sel.Endpoints) {
			if err := sem.Acquire(ctx, 1); err != nil {
				return false
			}
			hs, i := states[task.Host], index[task.Endpoint]
			target := probes.Target{Addr: task.Host, Port: task.Endpoint.Port, Name: hs.host.Name}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer sem.Release(1)
				record(hs, i, probers[i].Probe(probeCtx, target))
			}()
		}
		return true
	}

	batch := make([]Host, 0, window)
	ok := true
	for h := range hosts {
		if ctx.Err() != nil {
			ok = false
			break
		}
		if h.Err != nil || !h.Addr.IsValid() {
			mu.Lock()
			stats.Hosts++
			if s.OnHost != nil {
				s.OnHost(HostResult{Address: h.Addr, Name: h.Name, Status: StatusUnresolved, Error: errString(h.Err)})
			}
			mu.Unlock()
			continue
		}
		batch = append(batch, h)
		if len(batch) == window {
			if ok = launch(batch); !ok {
				break
			}
			batch = batch[:0]
		}
	}
	if ok && len(batch) > 0 {
		ok = launch(batch)
	}
	wg.Wait()

	mu.Lock()
	defer mu.Unlock()
	stats.Interrupted = !ok || ctx.Err() != nil
	rest := make([]*hostState, 0, len(active))
	for _, hs := range active {
		rest = append(rest, hs)
	}
	slices.SortFunc(rest, func(a, b *hostState) int { return a.host.Addr.Compare(b.host.Addr) })
	for _, hs := range rest {
		report(hs, StatusPartial)
	}
	return stats
}

// hostResult assembles the report of one host: its endpoint results and
// the verdict of every selected function.
func hostResult(hs *hostState, sel Selection, status string) HostResult {
	hr := HostResult{Address: hs.host.Addr, Name: hs.host.Name, Status: status}
	for i, e := range sel.Endpoints {
		if hs.done[i] {
			hr.Endpoints = append(hr.Endpoints, EndpointResult{Endpoint: e, Result: hs.results[i]})
		}
	}
	relate(hr.Endpoints)
	results := hr.Results()
	hr.Functions = make([]FunctionVerdict, 0, len(sel.Functions))
	for _, f := range sel.Functions {
		hr.Functions = append(hr.Functions, Judge(f, results))
	}
	return hr
}

func errString(err error) string {
	if err == nil {
		return "no address"
	}
	return err.Error()
}

package scanner

import (
	"fmt"
	"slices"

	"github.com/winreach/winreach/probes"
)

// Running out of file descriptors (EMFILE, ENFILE) is this machine's
// failure, never a result about the target. A probe that meets it is put
// back at the head of its host's queue, and the pool shrinks to one less
// than the probes that were in flight: the descriptors they hold are what
// the machine can give, and they free them as they end. Only when no other
// probe was in flight, so that waiting cannot help, does the scan stop,
// with Stats.Err set (the CLI exits 3 with one line).

// shortage judges a probe's result before it is recorded. requeued is
// true when the probe was put back to run again (the caller records
// nothing); otherwise res is the result to record, with an out-of-
// descriptors reason turned into local-error, so reports never hold it.
// mu not held.
func (r *run) shortage(hs *hostState, i int, res probes.Result) (_ probes.Result, requeued bool) {
	if !res.OutOfDescriptors() {
		return res, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	res.Reason = probes.ReasonLocalError
	if r.stopped() {
		return res, false
	}
	inflight := 0
	for _, h := range r.active {
		inflight += h.inflight
	}
	if inflight <= 1 {
		r.fatal = fmt.Errorf("out of file descriptors with no other probe in flight (%s): raise the open-file limit (ulimit -n)", res.Note)
		r.cond.Broadcast() // the waiting workers see the stop
		return res, false
	}
	hs.inflight--
	hs.pending = slices.Insert(hs.pending, 0, i)
	if !hs.inRing {
		r.ring = append(r.ring, hs)
		hs.inRing = true
	}
	r.pending++
	r.conc = max(1, inflight-1)
	r.pool.allowed = min(r.pool.allowed, r.conc)
	r.stats.Concurrency = r.conc
	r.stats.Requeued++
	if r.idle > 0 {
		r.cond.Signal()
	}
	return res, true
}

// leave reports whether a worker should end because the pool shrank
// below the workers running. mu held.
func (r *run) leave() bool {
	if r.spawned <= r.conc {
		return false
	}
	r.spawned--
	return true
}

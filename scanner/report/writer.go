package report

import (
	"container/heap"
	"fmt"
	"io"
	"net/netip"
	"sync"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/scanner"
	"github.com/winreach/winreach/scanner/policy"
)

// Writer renders one scan as it runs: Begin once, Host once per finished
// host, End once. A writer keeps nothing of a host after Host returns, so
// a report of any size is written in bounded memory.
type Writer interface {
	// Begin writes what is known before any host: d.Scanner, d.Version,
	// d.StartTime, d.Options, d.Targets. d.Hosts is nil. d.Violations is
	// non-nil (empty) when a policy is checked, nil otherwise.
	Begin(d *Document) error
	// Host writes one finished host with what the policy made of it.
	Host(h Host) error
	// End writes the end: d.EndTime, d.Interrupted, d.Summary and, with a
	// policy, d.Violations and d.Unproven over all hosts. d.Hosts is nil.
	// End flushes; it does not close the underlying io.Writer.
	End(d *Document) error
}

// Host is one finished host and the policy's findings on it.
type Host struct {
	scanner.HostResult
	// Violations and Unproven are this host's policy findings (nil
	// without a policy).
	Violations []policy.Violation
	Unproven   []policy.Violation
}

// Formats are the names New knows, the default first.
var Formats = []string{"table", "json", "jsonl", "csv", "markdown", "xml", "html"}

// New returns the writer of a format.
func New(format string, w io.Writer) (Writer, error) {
	switch format {
	case "table":
		return NewTable(w, 0), nil
	case "json":
		return NewJSON(w), nil
	case "jsonl":
		return NewStream(w), nil
	case "csv":
		return NewCSV(w), nil
	case "markdown":
		return NewMarkdown(w), nil
	case "xml":
		return NewNmapXML(w), nil
	case "html":
		return NewHTML(w), nil
	}
	return nil, fmt.Errorf("unknown format %q", format)
}

// WriteDocument writes a whole document through a writer: its hosts in
// their order, each with its findings from d.Violations and d.Unproven.
func WriteDocument(wr Writer, d *Document) error {
	head := *d
	head.Hosts = nil
	if d.Violations != nil || d.Unproven != nil {
		head.Violations, head.Unproven = []policy.Violation{}, []policy.Violation{}
	}
	if err := wr.Begin(&head); err != nil {
		return err
	}
	for _, h := range d.Hosts {
		hr := Host{HostResult: h}
		for _, v := range d.Violations {
			if v.Host == h.Address {
				hr.Violations = append(hr.Violations, v)
			}
		}
		for _, v := range d.Unproven {
			if v.Host == h.Address {
				hr.Unproven = append(hr.Unproven, v)
			}
		}
		if err := wr.Host(hr); err != nil {
			return err
		}
	}
	tail := *d
	tail.Hosts = nil
	return wr.End(&tail)
}

// Add folds one host into the summary.
func (s *Summary) Add(h scanner.HostResult) {
	if s.Verdicts == nil {
		s.Verdicts = map[string]int{}
	}
	if s.Hosts == 0 {
		s.AllReachable = true
	}
	s.Hosts++
	switch h.Status {
	case scanner.StatusUnresolved:
		s.Unresolved++
	case scanner.StatusPartial:
		s.Partial++
	}
	for _, er := range h.Endpoints {
		if er.Reason != probes.ReasonSkipped { // a skipped transport sent nothing
			s.Probes++
		}
	}
	for _, f := range h.Functions {
		s.Verdicts[f.Verdict.String()]++
	}
	s.AllReachable = s.AllReachable && h.AllReachable()
}

// Async passes hosts on to w from a goroutine of its own, so the caller
// (a scan's OnHost callback, which holds the scanner's lock) does not wait
// while a host is encoded: the probes go on meanwhile. At most depth hosts
// wait in between; beyond that Host blocks until the writer catches up.
// After a write error, Host returns it and drops the host. Begin and End
// run on the caller's goroutine; End waits for every host to be written.
func Async(w Writer, depth int) Writer {
	return &async{w: w, ch: make(chan Host, max(1, depth)), done: make(chan struct{})}
}

type async struct {
	w    Writer
	ch   chan Host
	done chan struct{}
	mu   sync.Mutex
	err  error // the first error of w.Host; guarded by mu
}

func (a *async) Begin(d *Document) error {
	if err := a.w.Begin(d); err != nil {
		return err
	}
	go func() {
		defer close(a.done)
		for h := range a.ch {
			if a.failed() != nil {
				continue // drain: the caller sees the error at its next Host
			}
			if err := a.w.Host(h); err != nil {
				a.mu.Lock()
				a.err = err
				a.mu.Unlock()
			}
		}
	}()
	return nil
}

func (a *async) failed() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.err
}

func (a *async) Host(h Host) error {
	if err := a.failed(); err != nil {
		return err
	}
	a.ch <- h
	return nil
}

func (a *async) End(d *Document) error {
	close(a.ch)
	<-a.done
	if err := a.failed(); err != nil {
		return err
	}
	return a.w.End(d)
}

// SortWindow is how many finished hosts Sorted holds back to put them in
// address order: scans of up to that many hosts come out fully sorted.
const SortWindow = 64

// Sorted passes hosts on to w in address order within a window of n
// hosts: it holds at most n finished hosts and, when one more arrives,
// writes the lowest. Hosts finish roughly in target order, so a scan of a
// range comes out sorted or nearly so, in memory bounded by n.
// Unresolved names come first.
func Sorted(w Writer, n int) Writer { return &sorted{w: w, n: max(1, n)} }

type sorted struct {
	w    Writer
	n    int
	held hostHeap
}

func (s *sorted) Begin(d *Document) error { return s.w.Begin(d) }

func (s *sorted) Host(h Host) error {
	heap.Push(&s.held, h)
	if s.held.Len() > s.n {
		return s.w.Host(heap.Pop(&s.held).(Host))
	}
	return nil
}

func (s *sorted) End(d *Document) error {
	for s.held.Len() > 0 {
		if err := s.w.Host(heap.Pop(&s.held).(Host)); err != nil {
			return err
		}
	}
	return s.w.End(d)
}

type hostHeap []Host

func (h hostHeap) Len() int           { return len(h) }
func (h hostHeap) Less(i, j int) bool { return hostLess(h[i].HostResult, h[j].HostResult) }
func (h hostHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *hostHeap) Push(x any)        { *h = append(*h, x.(Host)) }
func (h *hostHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	old[len(old)-1] = Host{}
	*h = old[:len(old)-1]
	return x
}

// hostLess is the report order: unresolved names first by name, then by
// address.
func hostLess(a, b scanner.HostResult) bool {
	if a.Address.IsValid() != b.Address.IsValid() {
		return !a.Address.IsValid()
	}
	if c := a.Address.Compare(b.Address); c != 0 {
		return c < 0
	}
	return a.Name < b.Name
}

// addrText is an address for a cell, "" when there is none.
func addrText(a netip.Addr) string {
	if a.IsValid() {
		return a.String()
	}
	return ""
}

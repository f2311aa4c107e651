// Package diff compares two winreach scans function by function: what
// became unreachable (a regression), what became reachable (new
// exposure), and what else changed. It is pure: scans in, changes out.
package diff

import (
	"net/netip"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/scanner"
)

// Kind classifies a change of a function's verdict.
type Kind string

const (
	// Regression: reachable in OLD, not reachable in NEW (blocked, not
	// listening, uncertain, not tested, or not scanned at all).
	Regression Kind = "regression"
	// Exposure: not reachable (or not scanned) in OLD, reachable in NEW.
	Exposure Kind = "exposure"
	// Changed: any other verdict change (blocked -> not-listening, ...).
	Changed Kind = "changed"
)

// NotScanned stands for a verdict missing from one of the scans (the
// host or the function was not in it).
const NotScanned = "not-scanned"

// Presence says in which scans a host is.
type Presence string

const (
	InBoth   Presence = "both"
	Gone     Presence = "gone"     // in OLD only
	Appeared Presence = "appeared" // in NEW only
)

// Change is one function whose verdict differs.
type Change struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Group string `json:"group"`
	Old   string `json:"old"` // a verdict, or NotScanned
	New   string `json:"new"`
	Kind  Kind   `json:"kind"`
	// Ignored: the verdict moved only because endpoints moved between
	// open|filtered and filtered (silence judged differently), which is
	// not a change of the path. Shown with Options.All.
	Ignored     bool   `json:"ignored,omitempty"`
	OldEvidence string `json:"old_evidence,omitempty"`
	NewEvidence string `json:"new_evidence,omitempty"`
}

// Host is the changes of one host.
type Host struct {
	Address  netip.Addr `json:"address"`
	Name     string     `json:"name,omitempty"`
	Presence Presence   `json:"presence"`
	Changes  []Change   `json:"changes"`
}

// Result is the whole comparison.
type Result struct {
	Hosts       []Host `json:"hosts"`
	Regressions int    `json:"regressions"`
	Exposures   int    `json:"exposures"`
	Changed     int    `json:"changed"`
	Ignored     int    `json:"ignored"`
	// OnlyOld and OnlyNew are the functions only one scan asked for
	// (another catalog, or another -f/-g): not compared, since a
	// function a scan did not ask for says nothing of the path.
	OnlyOld []string `json:"only_old"`
	OnlyNew []string `json:"only_new"`
}

// Options tune the comparison.
type Options struct {
	// All keeps the ignored changes in the Result (they are counted
	// either way).
	All bool
	// OldFunctions and NewFunctions are the functions each scan asked
	// for (its options.functions). When both are known (non-nil), only
	// the functions both asked for are compared; the rest are listed in
	// Result.OnlyOld and Result.OnlyNew. When either is nil (a scan
	// saved without its selection), every function is compared.
	OldFunctions, NewFunctions []string
}

// compared is the set of functions both scans asked for, nil for all.
func (o Options) compared(r *Result) map[string]bool {
	r.Hosts, r.OnlyOld, r.OnlyNew = []Host{}, []string{}, []string{}
	if o.OldFunctions == nil || o.NewFunctions == nil {
		return nil
	}
	inNew := map[string]bool{}
	for _, id := range o.NewFunctions {
		inNew[id] = true
	}
	both := map[string]bool{}
	for _, id := range o.OldFunctions {
		if inNew[id] {
			both[id] = true
		} else {
			r.OnlyOld = append(r.OnlyOld, id)
		}
	}
	for _, id := range o.NewFunctions {
		if !both[id] {
			r.OnlyNew = append(r.OnlyNew, id)
		}
	}
	return both
}

// hostKey identifies a host across scans: its address, or its name when
// it did not resolve.
type hostKey struct {
	addr netip.Addr
	name string
}

func keyOf(h scanner.HostResult) hostKey {
	if h.Address.IsValid() {
		return hostKey{addr: h.Address.Unmap()}
	}
	return hostKey{name: h.Name}
}

// Compare lists the function-level changes from old to new, hosts in
// the order of old, then the hosts that appeared in the order of new.
// Hosts without changes are left out.
func Compare(old, new []scanner.HostResult, opt Options) Result {
	var r Result
	both := opt.compared(&r)
	newByKey := make(map[hostKey]scanner.HostResult, len(new))
	for _, h := range new {
		newByKey[keyOf(h)] = h
	}
	seen := make(map[hostKey]bool, len(old))
	for _, o := range old {
		k := keyOf(o)
		seen[k] = true
		n, ok := newByKey[k]
		h := Host{Address: o.Address, Name: o.Name, Presence: InBoth}
		if !ok {
			h.Presence = Gone
		} else if h.Name == "" {
			h.Name = n.Name
		}
		h.Changes = compareHost(o, n, h.Presence, both, &r, opt)
		if len(h.Changes) > 0 || h.Presence != InBoth {
			r.Hosts = append(r.Hosts, h)
		}
	}
	for _, n := range new {
		if seen[keyOf(n)] {
			continue
		}
		h := Host{Address: n.Address, Name: n.Name, Presence: Appeared}
		h.Changes = compareHost(scanner.HostResult{}, n, Appeared, both, &r, opt)
		r.Hosts = append(r.Hosts, h)
	}
	return r
}

// compareHost compares the functions of one host (the zero HostResult
// stands for the scan it is missing from), those in both when both is
// not nil.
func compareHost(o, n scanner.HostResult, p Presence, both map[string]bool, r *Result, opt Options) []Change {
	oldF := indexFunctions(o.Functions)
	newF := indexFunctions(n.Functions)
	var ids []string
	for _, f := range o.Functions {
		ids = append(ids, f.ID)
	}
	for _, f := range n.Functions {
		if _, ok := oldF[f.ID]; !ok {
			ids = append(ids, f.ID)
		}
	}
	oldRes, newRes := o.Results(), n.Results()
	out := []Change{}
	for _, id := range ids {
		if both != nil && !both[id] {
			continue
		}
		of, inOld := oldF[id]
		nf, inNewF := newF[id]
		c := Change{ID: id, Old: NotScanned, New: NotScanned}
		if inOld {
			c.Name, c.Group, c.Old, c.OldEvidence = of.Name, of.Group, of.Verdict.String(), of.Explanation
		}
		if inNewF {
			c.Name, c.Group, c.New, c.NewEvidence = nf.Name, nf.Group, nf.Verdict.String(), nf.Explanation
		}
		if c.Old == c.New {
			continue
		}
		wasReachable := inOld && of.Verdict == scanner.Reachable
		isReachable := inNewF && nf.Verdict == scanner.Reachable
		switch {
		case wasReachable && !isReachable:
			c.Kind = Regression
		case !wasReachable && isReachable:
			c.Kind = Exposure
		default:
			c.Kind = Changed
		}
		// A host that appeared or vanished is summed up by its
		// regressions and exposures; its other functions are noise.
		if c.Kind == Changed && p != InBoth {
			continue
		}
		if inOld && inNewF && onlySilenceMoved(of, nf, oldRes, newRes) {
			c.Ignored = true
		}
		switch {
		case c.Ignored:
			r.Ignored++
		case c.Kind == Regression:
			r.Regressions++
		case c.Kind == Exposure:
			r.Exposures++
		default:
			r.Changed++
		}
		if !c.Ignored || opt.All {
			out = append(out, c)
		}
	}
	return out
}

func indexFunctions(fs []scanner.FunctionVerdict) map[string]scanner.FunctionVerdict {
	m := make(map[string]scanner.FunctionVerdict, len(fs))
	for _, f := range fs {
		m[f.ID] = f
	}
	return m
}

// onlySilenceMoved reports whether the verdict moved between uncertain
// and blocked and every endpoint of the function that changed state moved
// between open|filtered and filtered: both are silence, told apart only by
// how many retries or which probe ran, not by the path.
func onlySilenceMoved(of, nf scanner.FunctionVerdict, oldRes, newRes map[catalog.Endpoint]probes.Result) bool {
	pair := func(a, b scanner.Verdict) bool {
		return a == scanner.Uncertain && b == scanner.Blocked || a == scanner.Blocked && b == scanner.Uncertain
	}
	if !pair(of.Verdict, nf.Verdict) {
		return false
	}
	eps := append(append([]catalog.Endpoint{}, of.Endpoints...), nf.Endpoints...)
	for _, e := range eps {
		o, okO := oldRes[e]
		n, okN := newRes[e]
		if okO != okN {
			return false
		}
		if o.State == n.State {
			continue
		}
		if !silence(o) || !silence(n) {
			return false
		}
	}
	return true
}

// silence reports whether a result is open|filtered or filtered for
// want of any answer (filtered with an ICMP error is an answer).
func silence(r probes.Result) bool {
	switch {
	case r.ICMP != nil:
		return false
	case r.State == probes.OpenFiltered:
		return true
	case r.State == probes.Filtered:
		return r.Reason == probes.ReasonNoResponse || r.Reason == probes.ReasonTimeout
	}
	return false
}

package scanner

import (
	"fmt"
	"strings"

	"winreach/catalog"
	"winreach/probes"
)

// Verdict is the answer for one function on one host.
type Verdict uint8

const (
	// Reachable: every endpoint the function needs is open or confirmed
	// (for an any-of function, one of them is).
	Reachable Verdict = iota + 1
	// Uncertain: nothing is blocked or closed, but some endpoint gave only
	// open|filtered silence.
	Uncertain
	// NotTestedVerdict: some endpoint could not be probed (privilege, OS,
	// interrupted scan) and nothing else decided against the function.
	NotTestedVerdict
	// NotListening: the path works but a service is closed.
	NotListening
	// Blocked: an endpoint is filtered on the path.
	Blocked
)

var verdictNames = [...]string{
	Reachable:        "reachable",
	Uncertain:        "uncertain",
	NotTestedVerdict: "not-tested",
	NotListening:     "not-listening",
	Blocked:          "blocked",
}

func (v Verdict) String() string {
	if int(v) < len(verdictNames) && verdictNames[v] != "" {
		return verdictNames[v]
	}
	return fmt.Sprintf("verdict(%d)", uint8(v))
}

func (v Verdict) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

func (v *Verdict) UnmarshalText(b []byte) error {
	for i, n := range verdictNames {
		if n != "" && n == string(b) {
			*v = Verdict(i)
			return nil
		}
	}
	return fmt.Errorf("unknown verdict %q", b)
}

// endpointVerdict is what one endpoint's state says about a function.
func endpointVerdict(s probes.State) Verdict {
	switch s {
	case probes.Open, probes.Confirmed:
		return Reachable
	case probes.OpenFiltered:
		return Uncertain
	case probes.Closed:
		return NotListening
	case probes.Filtered:
		return Blocked
	}
	return NotTestedVerdict
}

// FunctionVerdict is one function's verdict on one host and the endpoints
// that decided it.
type FunctionVerdict struct {
	ID          string             `json:"id"`
	Name        string             `json:"name"`
	Group       string             `json:"group"`
	Endpoints   []catalog.Endpoint `json:"endpoints"`
	AnyOf       bool               `json:"any_of,omitempty"`
	Verdict     Verdict            `json:"verdict"`
	DecidedBy   []catalog.Endpoint `json:"decided_by"`
	Explanation string             `json:"explanation"`
}

// Judge decides a function's verdict from the results of its endpoints.
// A missing result counts as not tested.
//
// For a function that needs all its endpoints, the worst endpoint decides,
// in the order blocked > not-listening > not-tested > uncertain > reachable:
// one filtered port blocks the function whatever the others say. For an
// any-of function the best alternative decides.
func Judge(f catalog.Function, results map[catalog.Endpoint]probes.Result) FunctionVerdict {
	fv := FunctionVerdict{ID: f.ID, Name: f.Name, Group: f.Group, Endpoints: f.Endpoints, AnyOf: f.AnyOf}
	var decided Verdict
	var by []catalog.Endpoint
	for i, e := range f.Endpoints {
		v := NotTestedVerdict
		if r, ok := results[e]; ok {
			v = endpointVerdict(r.State)
		}
		better := v < decided
		if !f.AnyOf {
			better = v > decided
		}
		switch {
		case i == 0 || better:
			decided, by = v, []catalog.Endpoint{e}
		case v == decided:
			by = append(by, e)
		}
	}
	fv.Verdict, fv.DecidedBy = decided, by
	fv.Explanation = explain(f, decided, by, results)
	return fv
}

// explain says in words why the function got its verdict.
func explain(f catalog.Function, v Verdict, by []catalog.Endpoint, results map[catalog.Endpoint]probes.Result) string {
	var parts []string
	for _, e := range by {
		r, ok := results[e]
		if !ok {
			parts = append(parts, e.Label()+" not probed")
			continue
		}
		parts = append(parts, e.Label()+" "+r.String())
	}
	ev := strings.Join(parts, ", ")
	switch v {
	case Reachable:
		if f.AnyOf && len(f.Endpoints) > 1 {
			return ev + " (one of " + endpointList(f.Endpoints) + " suffices)"
		}
		return ev
	case Uncertain:
		return ev + ": no answer, which an open port and a silent drop both give"
	case NotTestedVerdict:
		return ev
	case NotListening:
		return ev + ": the path works but nothing listens"
	case Blocked:
		return ev + ": blocked on the path"
	}
	return ev
}

func endpointList(es []catalog.Endpoint) string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.Label()
	}
	return strings.Join(s, ", ")
}

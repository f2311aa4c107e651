package scanner

import (
	"fmt"
	"slices"
	"strings"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes"
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

// endpointVerdict is what one endpoint's result says about a function.
func endpointVerdict(f catalog.Function, e catalog.Endpoint, r probes.Result) Verdict {
	switch {
	case r.State == probes.Open && slices.Contains(f.Confirm, e):
		// The port accepts connections but did not speak the protocol.
		return Uncertain
	case r.State == probes.Closed && slices.Contains(f.DataPath, e):
		// The target itself answered: the path carries the protocol.
		return Reachable
	}
	switch r.State {
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
	Optional    []catalog.Endpoint `json:"optional,omitempty"`
	Verdict     Verdict            `json:"verdict"`
	DecidedBy   []catalog.Endpoint `json:"decided_by"`
	Explanation string             `json:"explanation"`
}

// Uses is every endpoint the verdict looked at: the required ones and the
// optional transports.
func (fv FunctionVerdict) Uses() []catalog.Endpoint {
	return append(append([]catalog.Endpoint{}, fv.Endpoints...), fv.Optional...)
}

// Judge decides a function's verdict from the results of its endpoints.
// A missing result counts as not tested.
//
// For a function that needs all its endpoints, the worst endpoint decides,
// in the order blocked > not-listening > not-tested > uncertain > reachable:
// one filtered port blocks the function whatever the others say. For an
// any-of function the best alternative decides.
func Judge(f catalog.Function, results map[catalog.Endpoint]probes.Result) FunctionVerdict {
	fv := FunctionVerdict{ID: f.ID, Name: f.Name, Group: f.Group, Endpoints: f.Endpoints, AnyOf: f.AnyOf, Optional: f.Optional}
	var decided Verdict
	var by []catalog.Endpoint
	for i, e := range f.Endpoints {
		v := NotTestedVerdict
		if r, ok := results[e]; ok {
			v = endpointVerdict(f, e, r)
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
	if t := transports(f, results); t != "" {
		fv.Explanation += "; " + t
	}
	return fv
}

// consequence says what a verdict means for a function with a control
// connection and a data path (a confirm rule and a data-path rule in the
// catalog: PPTP's TCP 1723 and GRE), where the ports alone do not say it.
func consequence(f catalog.Function, results map[catalog.Endpoint]probes.Result) string {
	if len(f.Confirm) == 0 || len(f.DataPath) == 0 {
		return ""
	}
	ce, de := f.Confirm[0], f.DataPath[0]
	control, data := results[ce], results[de]
	switch {
	case control.State.Reachable() && data.State == probes.Filtered:
		return "sessions will connect and carry no data"
	case control.State.Reachable() && data.State == probes.OpenFiltered:
		return "sessions will connect; whether " + de.Label() + " passes is unknown (no answer either way)"
	case control.State == probes.Open:
		return ce.Label() + " accepts connections but did not answer as " + f.Name
	}
	return ""
}

// explain says in words why the function got its verdict.
func explain(f catalog.Function, v Verdict, by []catalog.Endpoint, results map[catalog.Endpoint]probes.Result) string {
	var parts []string
	if len(f.Confirm) > 0 && len(f.DataPath) > 0 && v != Reachable {
		by = f.Endpoints // a control connection and its data path: both halves matter to the reader
	}
	for _, e := range by {
		r, ok := results[e]
		if !ok {
			parts = append(parts, e.Label()+" not probed")
			continue
		}
		parts = append(parts, e.Label()+" "+r.String())
	}
	ev := strings.Join(parts, ", ")
	if c := consequence(f, results); c != "" {
		return ev + ": " + c
	}
	switch v {
	case Reachable:
		if f.AnyOf && len(f.Endpoints) > 1 {
			return ev + " (one of " + catalog.Labels(f.Endpoints) + " suffices)"
		}
		return ev
	case Uncertain:
		for _, e := range by {
			if n := results[e].Note; n != "" && n != probes.NoProbeNote {
				return ev + ": " + strings.TrimPrefix(n, probes.NoProbeNote+"; ")
			}
		}
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

// transports explains a function that lists one port over both TCP and
// UDP (Kerberos 88, kpasswd 464, RDP 3389 with its optional UDP
// transport) when only one of the two carries it: "RDP works over TCP
// only: UDP 3389 closed (port-unreachable), so no UDP transport". It is
// empty when both transports agree or one was not probed.
func transports(f catalog.Function, results map[catalog.Endpoint]probes.Result) string {
	all := append(append([]catalog.Endpoint{}, f.Endpoints...), f.Optional...)
	var out []string
	for _, e := range all {
		if e.Transport != catalog.TCP {
			continue
		}
		u := catalog.Endpoint{Transport: catalog.UDP, Port: e.Port}
		if !slices.Contains(all, u) {
			continue
		}
		tr, ok1 := results[e]
		ur, ok2 := results[u]
		if !ok1 || !ok2 {
			continue
		}
		switch {
		case tr.State.Reachable() && (ur.State == probes.Closed || ur.State == probes.Filtered):
			out = append(out, fmt.Sprintf("%s works over TCP only: %s %s, so no UDP transport", f.Name, u.Label(), ur))
		case tr.State.Reachable() && ur.State == probes.OpenFiltered:
			out = append(out, fmt.Sprintf("%s works over TCP; %s gave no answer (%s), so its UDP transport is unproven", f.Name, u.Label(), ur))
		case ur.State.Reachable() && (tr.State == probes.Closed || tr.State == probes.Filtered) && slices.Contains(f.Optional, u):
			// The optional UDP transport is set up from the TCP connection.
			out = append(out, fmt.Sprintf("%s answers on %s, but its UDP transport needs the TCP connection: %s %s", f.Name, u.Label(), e.Label(), tr))
		case ur.State.Reachable() && (tr.State == probes.Closed || tr.State == probes.Filtered):
			out = append(out, fmt.Sprintf("%s works over UDP only: %s %s, so no TCP transport", f.Name, e.Label(), tr))
		}
	}
	return strings.Join(out, "; ")
}

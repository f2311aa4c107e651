package report

import (
	"fmt"
	"io"

	"github.com/winreach/winreach/scanner"
	"github.com/winreach/winreach/scanner/policy"
)

// policyMark is how a function row is marked in the table: "!" for a
// violation, "?" for a function the policy covers whose verdict proves
// nothing, "" otherwise.
type policyMark struct {
	sign string
	v    policy.Violation
}

// hostMarks indexes one host's violations and unproven functions by
// function id; nil without any.
func hostMarks(h Host) map[string]policyMark {
	if h.Violations == nil && h.Unproven == nil {
		return nil
	}
	m := map[string]policyMark{}
	for _, v := range h.Unproven {
		m[v.Function] = policyMark{"?", v}
	}
	for _, v := range h.Violations {
		m[v.Function] = policyMark{"!", v}
	}
	return m
}

// policyCell says what the policy makes of one function, for the CSV and
// Markdown columns: "violation: expected blocked (policy.txt:3)".
func policyCell(marks map[string]policyMark, f scanner.FunctionVerdict) string {
	pm, ok := marks[f.ID]
	if !ok {
		return ""
	}
	kind := "violation"
	if pm.sign == "?" {
		kind = "unproven"
	}
	return fmt.Sprintf("%s: expected %s (%s:%d)", kind, pm.v.Expected, pm.v.File, pm.v.Line)
}

// writePolicySection lists the violations and unproven functions after
// the host tables, when a policy was checked.
func writePolicySection(w io.Writer, d *Document) error {
	if d.Violations == nil && d.Unproven == nil {
		return nil
	}
	if len(d.Violations) == 0 {
		fmt.Fprintln(w, "Policy: no violation.")
	} else {
		fmt.Fprintf(w, "Policy violations (%d):\n", len(d.Violations))
		for _, v := range d.Violations {
			fmt.Fprintf(w, "  ! %s\n", v)
		}
	}
	if len(d.Unproven) > 0 {
		fmt.Fprintf(w, "Unproven (%d; silence or not tested proves neither reachable nor blocked):\n", len(d.Unproven))
		for _, v := range d.Unproven {
			fmt.Fprintf(w, "  ? %s %s: expected %s, is %s (%s:%d)\n", v.Host, v.Function, v.Expected, v.Actual, v.File, v.Line)
		}
	}
	_, err := fmt.Fprintln(w)
	return err
}

// violations records the policy's violations and unproven functions in a
// JSON Lines stream, one record each, before the end record.
func (s *Stream) violations(violations, unproven []policy.Violation) {
	for _, list := range []struct {
		typ string
		vs  []policy.Violation
	}{{"violation", violations}, {"unproven", unproven}} {
		for _, v := range list.vs {
			s.write(struct {
				Type string `json:"type"`
				policy.Violation
			}{list.typ, v})
		}
	}
}

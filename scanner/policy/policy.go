package policy

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/scanner"
	"github.com/winreach/winreach/scanner/targets"
)

// Expect is what a rule requires of a function.
type Expect uint8

const (
	// Reachable: the function must work from here.
	Reachable Expect = iota + 1
	// Blocked: the function must not work from here (blocked on the path
	// or nothing listening).
	Blocked
)

func (e Expect) String() string {
	switch e {
	case Reachable:
		return "reachable"
	case Blocked:
		return "blocked"
	}
	return fmt.Sprintf("expect(%d)", uint8(e))
}

func (e Expect) MarshalText() ([]byte, error) { return []byte(e.String()), nil }

// Rule is one line of a policy.
type Rule struct {
	Line   int
	Text   string // the line as written, comment and outer space removed
	Target string // as written; "*" for every host
	Expect Expect
	// Functions are the slugs the rule covers, in catalog order.
	Functions []string

	anyHost bool
	spec    targets.Spec
	covers  map[string]bool
}

// Matches reports whether the rule speaks about function id on addr.
func (r *Rule) Matches(addr netip.Addr, id string) bool {
	return r.covers[id] && (r.anyHost || r.spec.Contains(addr))
}

// Policy is a parsed policy file.
type Policy struct {
	File  string
	Rules []Rule
}

// maxLine bounds one line of a policy file.
const maxLine = 64 << 10

// Parse reads a policy. name is the file name errors start with.
func Parse(r io.Reader, name string, c *catalog.Catalog) (*Policy, error) {
	p := &Policy{File: name}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxLine)
	line := 0
	for sc.Scan() {
		line++
		text, _, _ := strings.Cut(sc.Text(), "#")
		if line == 1 {
			text = strings.TrimPrefix(text, "\ufeff") // Notepad's byte order mark
		}
		text = strings.Join(strings.Fields(text), " ")
		if text == "" {
			continue
		}
		rule, err := parseRule(text, c)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, line, err)
		}
		rule.Line = line
		p.Rules = append(p.Rules, rule)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%s:%d: line longer than %d bytes", name, line+1, maxLine)
		}
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if len(p.Rules) == 0 {
		return nil, fmt.Errorf("%s: no rules (want lines like \"198.18.1.20 smtp reachable\")", name)
	}
	return p, nil
}

const ruleSyntax = "TARGET FUNCTIONS reachable|blocked [except FUNCTIONS]"

// parseRule parses one line, already stripped of its comment and with
// single spaces between fields.
func parseRule(text string, c *catalog.Catalog) (Rule, error) {
	fields := strings.Fields(text)
	if len(fields) < 3 {
		return Rule{}, fmt.Errorf("%s: want %s", catalog.Quote(text), ruleSyntax)
	}
	r := Rule{Text: text, Target: fields[0]}
	// The expectation is the first keyword after the functions, which may
	// be KB names with spaces ("Logon Sequence, Kerberos").
	at := slices.IndexFunc(fields[1:], func(f string) bool { return parseExpect(f) != 0 }) + 1
	if at <= 0 {
		return Rule{}, fmt.Errorf("%s: no expectation; want %s", catalog.Quote(text), ruleSyntax)
	}
	if at == 1 {
		return Rule{}, fmt.Errorf("%s: no functions before %s; want %s (* for every function)", catalog.Quote(text), catalog.Quote(fields[1]), ruleSyntax)
	}
	r.Expect = parseExpect(fields[at])
	rest := fields[at+1:]
	var except []string
	if len(rest) > 0 {
		if !strings.EqualFold(rest[0], "except") {
			return Rule{}, fmt.Errorf("unexpected %s after %s; want %s", catalog.Quote(strings.Join(rest, " ")), fields[at], ruleSyntax)
		}
		if len(rest) == 1 {
			return Rule{}, fmt.Errorf("\"except\" lists no functions")
		}
		except = rest[1:]
	}

	switch {
	case r.Target == "*":
		r.anyHost = true
	default:
		spec, err := targets.Options{AllowLarge: true}.Parse(r.Target)
		if err != nil {
			return Rule{}, err
		}
		if spec.Name() != "" {
			return Rule{}, fmt.Errorf("target %s is a host name; a policy names addresses, networks or ranges", catalog.Quote(r.Target))
		}
		r.spec = spec
	}

	r.covers = map[string]bool{}
	names := strings.Join(fields[1:at], " ")
	if names == "*" {
		for _, f := range c.Functions {
			r.covers[f.ID] = true
		}
	} else {
		fns, err := lookup(c, names)
		if err != nil {
			return Rule{}, err
		}
		for _, f := range fns {
			r.covers[f.ID] = true
		}
	}
	if except != nil {
		fns, err := lookup(c, strings.Join(except, " "))
		if err != nil {
			return Rule{}, fmt.Errorf("except: %v", err)
		}
		for _, f := range fns {
			if !r.covers[f.ID] {
				return Rule{}, fmt.Errorf("except %s: the rule does not cover %s", f.ID, f.ID)
			}
			delete(r.covers, f.ID)
		}
		if len(r.covers) == 0 {
			return Rule{}, errors.New("except removes every function of the rule")
		}
	}
	for _, f := range c.Functions {
		if r.covers[f.ID] {
			r.Functions = append(r.Functions, f.ID)
		}
	}
	return r, nil
}

func parseExpect(s string) Expect {
	switch strings.ToLower(s) {
	case "reachable":
		return Reachable
	case "blocked":
		return Blocked
	}
	return 0
}

// lookup resolves a comma-separated list of function and group names.
func lookup(c *catalog.Catalog, list string) ([]catalog.Function, error) {
	var out []catalog.Function
	for name := range strings.SplitSeq(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if name == "*" {
			return nil, errors.New("* stands alone: write * or a list of functions, not both")
		}
		fns, ok := c.Lookup(name)
		if !ok {
			msg := fmt.Sprintf("unknown function or group %s", catalog.Quote(name))
			if s := c.Suggest(name); len(s) > 0 {
				msg += " (did you mean " + strings.Join(s, ", ") + "?)"
			}
			return nil, errors.New(msg + "; 'winreach catalog' lists them")
		}
		out = append(out, fns...)
	}
	if len(out) == 0 {
		return nil, errors.New("no functions named")
	}
	return out, nil
}

// Targets returns the targets the rules name, as written, without
// repeats; "*" is left out. A scan given only a policy probes these.
func (p *Policy) Targets() []string {
	var out []string
	for _, r := range p.Rules {
		if !r.anyHost && !slices.Contains(out, r.Target) {
			out = append(out, r.Target)
		}
	}
	return out
}

// Functions returns every function some rule covers, in catalog order: a
// scan given only a policy judges these.
func (p *Policy) Functions(c *catalog.Catalog) []catalog.Function {
	covered := map[string]bool{}
	for _, r := range p.Rules {
		for _, id := range r.Functions {
			covered[id] = true
		}
	}
	var out []catalog.Function
	for _, f := range c.Functions {
		if covered[f.ID] {
			out = append(out, f)
		}
	}
	return out
}

// Decide returns the rule that decides function id on addr: the last
// matching one.
func (p *Policy) Decide(addr netip.Addr, id string) (*Rule, bool) {
	for i := len(p.Rules) - 1; i >= 0; i-- {
		if p.Rules[i].Matches(addr, id) {
			return &p.Rules[i], true
		}
	}
	return nil, false
}

// Violation is a function whose verdict contradicts the rule that decides
// it, or (in Check's unproven list) one whose verdict proves nothing.
type Violation struct {
	Host     netip.Addr      `json:"host"`
	Name     string          `json:"name,omitempty"`
	Function string          `json:"function"`
	Expected Expect          `json:"expected"`
	Actual   scanner.Verdict `json:"actual"`
	File     string          `json:"file"`
	Line     int             `json:"line"`
	Rule     string          `json:"rule"`
	// Explanation is the verdict's evidence, from the scan.
	Explanation string `json:"explanation"`
}

// String is one line for people: "198.18.1.20 smtp: expected blocked, is
// reachable (policy.txt:3 ...)".
func (v Violation) String() string {
	return fmt.Sprintf("%s %s: expected %s, is %s (%s:%d %q): %s", v.Host, v.Function, v.Expected, v.Actual, v.File, v.Line, v.Rule, v.Explanation)
}

// Holds reports whether verdict v satisfies e, and whether v is evidence
// at all (uncertain and not-tested are not).
func (e Expect) Holds(v scanner.Verdict) (holds, proven bool) {
	switch v {
	case scanner.Reachable:
		return e == Reachable, true
	case scanner.Blocked, scanner.NotListening:
		return e == Blocked, true
	}
	return false, false
}

// Check judges one host: the functions that break their rule, and those
// a rule covers but whose verdict proves nothing either way.
func (p *Policy) Check(h scanner.HostResult) (violations, unproven []Violation) {
	for _, f := range h.Functions {
		rule, ok := p.Decide(h.Address, f.ID)
		if !ok {
			continue
		}
		holds, proven := rule.Expect.Holds(f.Verdict)
		if holds {
			continue
		}
		v := Violation{
			Host: h.Address, Name: h.Name, Function: f.ID,
			Expected: rule.Expect, Actual: f.Verdict,
			File: p.File, Line: rule.Line, Rule: rule.Text,
			Explanation: f.Explanation,
		}
		if proven {
			violations = append(violations, v)
		} else {
			unproven = append(unproven, v)
		}
	}
	return violations, unproven
}

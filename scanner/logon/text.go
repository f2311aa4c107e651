package logon

import (
	"fmt"
	"io"
	"strings"
)

// marks prefix each check in the text: it works, it is broken, or the
// evidence proves neither.
func mark(c Cause) string {
	switch {
	case c == Reachable:
		return "ok"
	case c.Broken():
		return "NO"
	}
	return "??"
}

// WriteText writes the report for people: the answer, the two paths, the
// steps in logon order with the evidence of every endpoint, and what to
// open.
func (r Report) WriteText(w io.Writer) error {
	b := &strings.Builder{}
	host := r.Name
	if r.DC.IsValid() {
		host = r.DC.String()
		if r.Name != "" && r.Name != host {
			host += " (" + r.Name + ")"
		}
	}
	fmt.Fprintf(b, "Logon to %s\n%s\n\n", host, r.Conclusion)
	for _, p := range r.Paths {
		fmt.Fprintf(b, "  %-10s %s\n", p.Status, p.Name)
	}
	if len(r.Paths) > 0 {
		b.WriteString("\n")
	}
	for i, s := range r.Steps {
		fmt.Fprintf(b, "%d. %s: %s\n", i+1, s.Title, s.Status)
		for _, c := range s.Checks {
			fmt.Fprintf(b, "   %s  %s\n", mark(c.Cause), sentence(c.Evidence))
			if c.Impact != "" {
				fmt.Fprintf(b, "       %s\n", sentence(upperFirst(c.Impact)))
			}
			if c.Fix != "" {
				fmt.Fprintf(b, "       Fix: %s\n", sentence(c.Fix))
			}
		}
	}
	if len(r.Fixes) > 0 {
		b.WriteString("\nWhat to open or start:\n")
		for _, f := range r.Fixes {
			fmt.Fprintf(b, "  - %s\n", f)
		}
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func sentence(s string) string {
	if s == "" || strings.HasSuffix(s, ".") {
		return s
	}
	return s + "."
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

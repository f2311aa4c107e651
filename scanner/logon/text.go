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
	writeFacts(b, r.Facts)
	if len(r.Fixes) > 0 {
		b.WriteString("\nWhat to fix:\n")
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

// writeFacts writes the realm, the clock and the SMB settings.
func writeFacts(b *strings.Builder, f *Facts) {
	if f == nil {
		return
	}
	b.WriteString("\n")
	if f.Vendor != VendorUnknown {
		fmt.Fprintf(b, "Server: %s (%s)\n", map[string]string{VendorWindows: "Windows", VendorSamba: "Samba"}[f.Vendor], f.VendorEvidence)
	}
	if rl := f.Realm; rl != nil {
		from := ""
		if rl.Learned != "" {
			from = ", learned from " + rl.LearnedFrom
		}
		fmt.Fprintf(b, "Kerberos realm: asked %s%s; %s\n", rl.Asked, from, sentence(rl.Evidence))
	}
	if c := f.Clock; c != nil {
		fmt.Fprintf(b, "   %s  Clock: %s.\n", map[bool]string{false: "ok", true: "NO"}[c.Skewed], c.Summary)
		for _, s := range c.Samples {
			fmt.Fprintf(b, "       %s: %s, offset %+d ms (±%d ms)\n", s.Source, s.ServerTime.Format("2006-01-02 15:04:05.000Z"), s.OffsetMS, s.UncertaintyMS)
		}
	} else {
		b.WriteString("   ??  Clock: no server time came (Kerberos, SMB2 and NTP did not answer).\n")
	}
	if f.SMB != nil {
		for _, n := range f.SMB.Notes {
			fmt.Fprintf(b, "   --  %s\n", sentence(upperFirst(n)))
		}
	}
}

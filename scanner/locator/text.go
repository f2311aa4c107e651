package locator

import (
	"fmt"
	"io"
	"strings"
)

// WriteText writes what the locator asked and found.
func (r Result) WriteText(w io.Writer) error {
	b := &strings.Builder{}
	fmt.Fprintf(b, "DC locator for %s (%s %s)\n", r.Domain, r.Via, r.Server)
	for _, l := range r.Lookups {
		m := "ok"
		if l.Outcome != Found {
			m = "NO"
		}
		what := l.Said()
		if l.Outcome == Found {
			var parts []string
			for _, s := range l.SRV {
				parts = append(parts, fmt.Sprintf("%s:%d (priority %d, weight %d)", strings.TrimSuffix(s.Target, "."), s.Port, s.Priority, s.Weight))
			}
			parts = append(parts, l.Addrs...)
			what = strings.Join(parts, ", ")
		}
		fmt.Fprintf(b, "   %s  %s %s: %s\n", m, l.Type, l.Name, what)
	}
	for i, dc := range r.DCs {
		mark, said := "NO", "no address"
		if dc.Ping != nil {
			said = "CLDAP ping to " + dc.Pinged.String() + ": " + dc.Ping.Result.String()
			if dc.Ping.Answered() {
				mark = "ok"
				nl := dc.Ping.Netlogon
				said = fmt.Sprintf("CLDAP ping to %s: %s, DC site %q, client site %q", dc.Pinged, nl.Summary(), nl.DCSiteName, nl.ClientSiteName)
			}
		}
		chosen := ""
		if i == r.Chosen {
			chosen = "  <- the DC this client uses"
		}
		fmt.Fprintf(b, "   %s  DC %s: %s%s\n", mark, dc.Name, said, chosen)
	}
	for _, p := range r.Problems {
		fmt.Fprintf(b, "   Problem: %s.\n", p)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(b, "   Note: %s.\n", n)
	}
	if dc, ok := r.ChosenDC(); ok {
		fmt.Fprintf(b, "A client finds %s (%s) through %s.\n", dc.Name, dc.Pinged, r.Record)
	} else {
		fmt.Fprintf(b, "A client using %s %s finds no DC of %s.\n", r.Via, r.Server, r.Domain)
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

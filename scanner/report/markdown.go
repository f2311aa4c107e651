package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/winreach/winreach/scanner"
)

// WriteMarkdown writes the scan as a Markdown report (GitHub-flavoured
// tables): a heading per host with its verdict counts, a table of
// function | verdict | service | evidence (and a policy column when a
// policy was checked), the endpoints probed for no function, the policy's
// violations, and the summary line. Cell text has its pipes and
// backslashes escaped and its line breaks folded, so a service's words
// cannot break the table.
func WriteMarkdown(w io.Writer, d *Document) error {
	b := &strings.Builder{}
	fmt.Fprintf(b, "# winreach report\n\n")
	fmt.Fprintf(b, "%s %s, %s to %s", d.Scanner, d.Version, d.StartTime.UTC().Format(time.RFC3339), d.EndTime.UTC().Format(time.RFC3339))
	if len(d.Targets) > 0 {
		fmt.Fprintf(b, "; targets: %s", mdText(strings.Join(d.Targets, ", ")))
	}
	b.WriteString(".\n\n")
	marks := policyMarks(d)
	for _, h := range d.Hosts {
		fmt.Fprintf(b, "## %s\n\n", mdText(hostHeading(h)[len("Host "):]))
		if h.Status == scanner.StatusUnresolved {
			fmt.Fprintf(b, "%s\n\n", mdText(h.Error))
			continue
		}
		if marks != nil {
			b.WriteString("| Function | Verdict | Service | Evidence | Policy |\n|---|---|---|---|---|\n")
		} else {
			b.WriteString("| Function | Verdict | Service | Evidence |\n|---|---|---|---|\n")
		}
		results := h.Results()
		for _, f := range h.Functions {
			fmt.Fprintf(b, "| %s | %s | %s | %s |", mdCell(f.Name), f.Verdict, mdCell(services(f, results)), mdCell(f.Explanation))
			if marks != nil {
				cell := policyCell(marks, h, f)
				if strings.HasPrefix(cell, "violation") {
					cell = "**" + cell + "**"
				}
				fmt.Fprintf(b, " %s |", mdCell(cell))
			}
			b.WriteString("\n")
		}
		if extra := extraEndpoints(h); len(extra) > 0 {
			fmt.Fprintf(b, "\nProbed for no function: %s.\n", mdText(strings.Join(extra, ", ")))
		}
		b.WriteString("\n")
	}
	if d.Violations != nil || d.Unproven != nil {
		fmt.Fprintf(b, "## Policy\n\n")
		if len(d.Violations) == 0 {
			b.WriteString("No violation.\n\n")
		} else {
			fmt.Fprintf(b, "%d violation(s):\n\n| Host | Function | Expected | Actual | Rule | Evidence |\n|---|---|---|---|---|---|\n", len(d.Violations))
			for _, v := range d.Violations {
				fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s |\n", v.Host, mdCell(v.Function), v.Expected, v.Actual,
					mdCell(fmt.Sprintf("%s:%d `%s`", v.File, v.Line, v.Rule)), mdCell(v.Explanation))
			}
			b.WriteString("\n")
		}
		if len(d.Unproven) > 0 {
			fmt.Fprintf(b, "%d unproven (silence or not tested proves neither): ", len(d.Unproven))
			for i, v := range d.Unproven {
				if i > 0 {
					b.WriteString(", ")
				}
				fmt.Fprintf(b, "%s %s (expected %s, is %s)", v.Host, mdText(v.Function), v.Expected, v.Actual)
			}
			b.WriteString(".\n\n")
		}
	}
	fmt.Fprintf(b, "%s\n", mdText(summaryLine(d)))
	_, err := io.WriteString(w, b.String())
	return err
}

// mdCell escapes text for a table cell: a pipe would end the cell, a
// line break the row. Empty cells get a dash so the table stays readable.
func mdCell(s string) string {
	if s == "" {
		return "-"
	}
	return mdText(s)
}

var mdEscaper = strings.NewReplacer(`\`, `\\`, `|`, `\|`, "\r\n", " ", "\n", " ", "\r", " ", "<", "&lt;", ">", "&gt;")

// mdText escapes what Markdown would read as a table separator or an
// HTML tag.
func mdText(s string) string { return mdEscaper.Replace(s) }

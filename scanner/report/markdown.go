package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/winreach/winreach/scanner"
)

// Markdown writes the scan as a Markdown report (GitHub-flavoured
// tables): a heading, then per host as it finishes a heading with its
// verdict counts and a table of function | verdict | service | evidence
// (and a policy column when a policy is checked), the endpoints probed
// for no function; at the end the policy's violations and the summary
// line. Text from the scan (server words, names) is escaped: a pipe or a
// line break cannot break the table, and emphasis, links, code and HTML
// in a banner stay text.
type Markdown struct {
	w      *bufio.Writer
	policy bool
}

// NewMarkdown writes Markdown to w.
func NewMarkdown(w io.Writer) *Markdown { return &Markdown{w: bufio.NewWriterSize(w, 32<<10)} }

// WriteMarkdown writes a whole document as Markdown.
func WriteMarkdown(w io.Writer, d *Document) error { return WriteDocument(NewMarkdown(w), d) }

// Begin writes the report's heading.
func (m *Markdown) Begin(d *Document) error {
	m.policy = d.Violations != nil || d.Unproven != nil
	b := m.w
	fmt.Fprintf(b, "# winreach report\n\n")
	fmt.Fprintf(b, "%s %s, started %s", mdText(d.Scanner), mdText(d.Version), d.StartTime.UTC().Format(time.RFC3339))
	if len(d.Targets) > 0 {
		fmt.Fprintf(b, "; targets: %s", mdText(strings.Join(d.Targets, ", ")))
	}
	b.WriteString(".\n\n")
	return nil
}

// Host writes one host's section.
func (m *Markdown) Host(hr Host) error {
	h, b := hr.HostResult, m.w
	fmt.Fprintf(b, "## %s\n\n", hostTitle(h, mdText))
	if h.Status == scanner.StatusUnresolved {
		fmt.Fprintf(b, "%s\n\n", mdText(h.Error))
		return nil
	}
	if m.policy {
		b.WriteString("| Function | Verdict | Service | Evidence | Policy |\n|---|---|---|---|---|\n")
	} else {
		b.WriteString("| Function | Verdict | Service | Evidence |\n|---|---|---|---|\n")
	}
	marks := hostMarks(hr)
	results := h.Results()
	for _, f := range h.Functions {
		fmt.Fprintf(b, "| %s | %s | %s | %s |", mdCell(f.Name), f.Verdict, mdCell(services(f, results)), mdCell(f.Explanation))
		if m.policy {
			cell := mdCell(policyCell(marks, f))
			if strings.HasPrefix(cell, "violation") {
				cell = "**" + cell + "**"
			}
			fmt.Fprintf(b, " %s |", cell)
		}
		b.WriteString("\n")
	}
	if extra := extraEndpoints(h); len(extra) > 0 {
		fmt.Fprintf(b, "\nProbed for no function: %s.\n", mdText(strings.Join(extra, ", ")))
	}
	b.WriteString("\n")
	return nil
}

// End writes the policy section and the summary line.
func (m *Markdown) End(d *Document) error {
	b := m.w
	if d.Violations != nil || d.Unproven != nil {
		fmt.Fprintf(b, "## Policy\n\n")
		if len(d.Violations) == 0 {
			b.WriteString("No violation.\n\n")
		} else {
			fmt.Fprintf(b, "%d violation(s):\n\n| Host | Function | Expected | Actual | Rule | Evidence |\n|---|---|---|---|---|---|\n", len(d.Violations))
			for _, v := range d.Violations {
				fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s |\n", v.Host, mdCell(v.Function), v.Expected, v.Actual,
					mdCell(fmt.Sprintf("%s:%d %s", v.File, v.Line, v.Rule)), mdCell(v.Explanation))
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
	return b.Flush()
}

// mdCell escapes text for a table cell: a pipe would end the cell, a
// line break the row. Empty cells get a dash so the table stays readable.
func mdCell(s string) string {
	if s == "" {
		return "-"
	}
	return mdText(s)
}

// mdEscaper backslash-escapes the ASCII punctuation that Markdown (and
// GitHub's tables) give a meaning inline: emphasis (* _ ~), code (`),
// links and images ([ ]: with the brackets escaped, no parenthesis can
// make a link), tables (|) and escapes (\); the "://" and "www." of bare
// URLs, so no autolink forms; < > & become entities so no HTML or entity
// reaches the renderer; line breaks fold to spaces.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `~`, `\~`,
	`[`, `\[`, `]`, `\]`, `|`, `\|`, "://", `\://`, "www.", `www\.`,
	"<", "&lt;", ">", "&gt;", "&", "&amp;",
	"\r\n", " ", "\n", " ", "\r", " ",
)

// mdText escapes text from the scan for Markdown.
func mdText(s string) string { return mdEscaper.Replace(s) }

package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/winreach/winreach/scanner"
)

// Table writes one block per host as it finishes (function, verdict,
// service, evidence, the columns aligned within the block), then the
// policy's findings and one summary line. With a width, the evidence
// column wraps at word boundaries to fit it; the other formats carry the
// same text unwrapped.
type Table struct {
	w     *bufio.Writer
	width int
}

// NewTable writes a table to w; width is the terminal's width in columns,
// 0 for no limit (a file).
func NewTable(w io.Writer, width int) *Table {
	return &Table{w: bufio.NewWriterSize(w, 32<<10), width: width}
}

// WriteTable writes a whole document as a table, without a width limit.
func WriteTable(w io.Writer, d *Document) error { return WriteDocument(NewTable(w, 0), d) }

// Begin writes nothing: the table starts with the first host.
func (t *Table) Begin(*Document) error { return nil }

// tablePad is the space between columns.
const tablePad = 2

// Host writes one host's block.
func (t *Table) Host(hr Host) error {
	h := hr.HostResult
	fmt.Fprintln(t.w, hostHeading(h))
	if h.Status == scanner.StatusUnresolved {
		fmt.Fprintf(t.w, "  %s\n\n", h.Error)
		return nil
	}
	marks := hostMarks(hr)
	results := h.Results()
	rows := [][4]string{{"  FUNCTION", "VERDICT", "SERVICE", "EVIDENCE"}}
	for _, f := range h.Functions {
		mark := " "
		if m, ok := marks[f.ID]; ok {
			mark = m.sign
		}
		rows = append(rows, [4]string{mark + " " + f.Name, f.Verdict.String(), serviceColumn(f, results), f.Explanation})
	}
	// Endpoints -p selected for no function: one row each, the state in
	// the verdict column, so a closed port reads as plainly as a blocked
	// function.
	for _, er := range extraResults(h) {
		service := "-"
		if er.Result.Service != nil && er.Result.Service.Summary != "" {
			service = er.Result.Service.Summary
		}
		rows = append(rows, [4]string{"  " + er.Endpoint.Label() + " (-p)", er.Result.State.String(), service, er.Result.String()})
	}
	if t.width > 0 {
		// On a terminal the service column gets at most a fifth of the
		// width; the other formats carry the full text.
		limit := max(12, t.width/5)
		for i := 1; i < len(rows); i++ {
			rows[i][2] = shorten(rows[i][2], limit)
		}
	}
	var widths [3]int
	for _, r := range rows {
		for c := range widths {
			widths[c] = max(widths[c], utf8.RuneCountInString(r[c]))
		}
	}
	indent := tablePad * len(widths)
	for _, w := range widths {
		indent += w
	}
	avail := 0
	if t.width > 0 {
		// Too narrow a terminal still gets readable evidence: the
		// lines then overflow rather than shrink to a few letters.
		avail = max(t.width-indent-1, 24)
	}
	for _, r := range rows {
		for c, w := range widths {
			t.w.WriteString(r[c])
			t.w.WriteString(strings.Repeat(" ", w-utf8.RuneCountInString(r[c])+tablePad))
		}
		for i, line := range wrapWords(r[3], avail) {
			if i > 0 {
				t.w.WriteString(strings.Repeat(" ", indent))
			}
			t.w.WriteString(line)
			t.w.WriteByte('\n')
		}
	}
	t.w.WriteByte('\n')
	return nil
}

// End writes the policy's findings and the summary line.
func (t *Table) End(d *Document) error {
	writePolicySection(t.w, d)
	fmt.Fprintln(t.w, summaryLine(d))
	return t.w.Flush()
}

// wrapWords breaks s into lines of at most width runes at spaces; a word
// longer than width gets a line of its own. width 0 keeps one line.
func wrapWords(s string, width int) []string {
	if width <= 0 || utf8.RuneCountInString(s) <= width {
		return []string{s}
	}
	var lines []string
	line, n := "", 0
	for _, word := range strings.Fields(s) {
		wn := utf8.RuneCountInString(word)
		switch {
		case n == 0:
			line, n = word, wn
		case n+1+wn <= width:
			line, n = line+" "+word, n+1+wn
		default:
			lines = append(lines, line)
			line, n = word, wn
		}
	}
	return append(lines, line)
}

// shorten cuts s to at most n runes, ending in "..." when cut.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-3]) + "..."
}

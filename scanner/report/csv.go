package report

import (
	"encoding/csv"
	"io"
	"slices"
	"strings"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/scanner"
)

// CSVHeader is the first row of the CSV: the column names, pinned by the
// tests and documented in the README.
var CSVHeader = []string{
	"address", "name", "host_status", "kind",
	"function_id", "function_name", "group",
	"verdict", "decided_by", "service", "explanation", "policy",
}

// CSV writes one table (RFC 4180, with a header row) of one row per host
// and function, the rows of each host as it finishes:
//
//   - kind "function": a judged function; verdict is its verdict,
//     decided_by the endpoints that decided it (space-separated, "tcp/139
//     udp/138"), service what those endpoints' services said,
//     explanation the evidence in words.
//   - kind "endpoint": an endpoint probed for no function (-p); the
//     function columns are empty, verdict holds the endpoint's state,
//     decided_by the endpoint.
//   - kind "host": a host with nothing judged (an unresolved name); the
//     explanation holds the error.
//
// policy is empty without --expect; otherwise "violation: expected
// blocked (FILE:LINE)" or "unproven: expected reachable (FILE:LINE)" for
// the functions a rule covers and the verdict does not satisfy.
//
// A cell that a spreadsheet would run as a formula (it starts with =, +,
// -, @, a tab or a carriage return: a POP3 greeting "+OK ...") is
// prefixed with an apostrophe, which spreadsheets read as "text".
type CSV struct{ w *csv.Writer }

// NewCSV writes CSV to w.
func NewCSV(w io.Writer) *CSV { return &CSV{csv.NewWriter(w)} }

// WriteCSV writes a whole document as CSV.
func WriteCSV(w io.Writer, d *Document) error { return WriteDocument(NewCSV(w), d) }

// Begin writes the header row.
func (c *CSV) Begin(*Document) error { return c.w.Write(CSVHeader) }

func (c *CSV) row(cells ...string) {
	for i, s := range cells {
		cells[i] = csvCell(s)
	}
	c.w.Write(cells)
}

// csvCell neutralises a cell a spreadsheet would evaluate.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// Host writes one host's rows.
func (c *CSV) Host(hr Host) error {
	h := hr.HostResult
	addr := addrText(h.Address)
	if h.Status == scanner.StatusUnresolved || (len(h.Functions) == 0 && len(h.Endpoints) == 0) {
		c.row(addr, h.Name, h.Status, "host", "", "", "", "", "", "", h.Error, "")
		return c.w.Error()
	}
	marks := hostMarks(hr)
	results := h.Results()
	for _, f := range h.Functions {
		c.row(addr, h.Name, h.Status, "function", f.ID, f.Name, f.Group, f.Verdict.String(),
			endpointWords(f.DecidedBy), services(f, results), f.Explanation, policyCell(marks, f))
	}
	for _, er := range unusedEndpoints(h) {
		service := ""
		if er.Service != nil {
			service = er.Service.Summary
		}
		c.row(addr, h.Name, h.Status, "endpoint", "", "", "", er.State.String(),
			er.Endpoint.String(), service, er.Result.String(), "")
	}
	return c.w.Error()
}

// End flushes the rows.
func (c *CSV) End(*Document) error {
	c.w.Flush()
	return c.w.Error()
}

// services is what the services of the endpoints that decided f said
// about themselves, in full ("; " between them).
func services(f scanner.FunctionVerdict, results map[catalog.Endpoint]probes.Result) string {
	var parts []string
	for _, e := range f.DecidedBy {
		if r, ok := results[e]; ok && r.Service != nil && r.Service.Summary != "" && !slices.Contains(parts, r.Service.Summary) {
			parts = append(parts, r.Service.Summary)
		}
	}
	return strings.Join(parts, "; ")
}

func endpointWords(es []catalog.Endpoint) string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.String()
	}
	return strings.Join(s, " ")
}

// unusedEndpoints are the results of endpoints no judged function uses.
func unusedEndpoints(h scanner.HostResult) []scanner.EndpointResult {
	used := map[catalog.Endpoint]bool{}
	for _, f := range h.Functions {
		for _, e := range f.Endpoints {
			used[e] = true
		}
	}
	var out []scanner.EndpointResult
	for _, er := range h.Endpoints {
		if !used[er.Endpoint] {
			out = append(out, er)
		}
	}
	return out
}

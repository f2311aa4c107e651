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

// CSVHeader is the first row of WriteCSV: the column names, pinned by the
// tests and documented in the README.
var CSVHeader = []string{
	"address", "name", "host_status", "kind",
	"function_id", "function_name", "group",
	"verdict", "decided_by", "service", "explanation", "policy",
}

// WriteCSV writes one table (RFC 4180, with a header row) of one row per
// host and function:
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
func WriteCSV(w io.Writer, d *Document) error {
	cw := csv.NewWriter(w)
	cw.Write(CSVHeader)
	marks := policyMarks(d)
	for _, h := range d.Hosts {
		addr := ""
		if h.Address.IsValid() {
			addr = h.Address.String()
		}
		head := []string{addr, h.Name, h.Status}
		if h.Status == scanner.StatusUnresolved || (len(h.Functions) == 0 && len(h.Endpoints) == 0) {
			cw.Write(append(head, "host", "", "", "", "", "", "", h.Error, ""))
			continue
		}
		results := h.Results()
		for _, f := range h.Functions {
			cw.Write(append(head[:3:3], "function", f.ID, f.Name, f.Group, f.Verdict.String(),
				endpointWords(f.DecidedBy), services(f, results), f.Explanation, policyCell(marks, h, f)))
		}
		for _, er := range unusedEndpoints(h) {
			service := ""
			if er.Service != nil {
				service = er.Service.Summary
			}
			cw.Write(append(head[:3:3], "endpoint", "", "", "", er.State.String(),
				er.Endpoint.String(), service, er.Result.String(), ""))
		}
	}
	cw.Flush()
	return cw.Error()
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
		for _, e := range f.Uses() {
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

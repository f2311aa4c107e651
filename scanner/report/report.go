// Package report writes scan results for people (a table) and for machines
// (one JSON document, or JSON Lines streamed as results complete). The JSON
// field names are snake_case and pinned by the package tests; the README
// documents them.
package report

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/scanner"
	"github.com/winreach/winreach/scanner/policy"
)

// Options are the scan settings recorded in the report.
type Options struct {
	Concurrency int      `json:"concurrency"`
	TimeoutMS   int64    `json:"timeout_ms"`
	Retries     int      `json:"retries"`
	Functions   []string `json:"functions"`
	Endpoints   []string `json:"endpoints"`
	Excluded    []string `json:"exclude,omitempty"`
	// Shard is "K/N" when the scan probed one shard of the pairs.
	Shard string `json:"shard,omitempty"`
	// Catalog is the --catalog the scan used ("modern", a file name,
	// several joined by commas); empty is the default, q150543.
	Catalog string `json:"catalog,omitempty"`
}

// Document is the whole scan as one JSON document. Its fields are in the
// order the JSON writer streams them: what is known at the start, the
// hosts, then what is known at the end.
type Document struct {
	Scanner     string               `json:"scanner"`
	Version     string               `json:"version"`
	StartTime   time.Time            `json:"start_time"`
	Options     Options              `json:"options"`
	Targets     []string             `json:"targets"`
	Hosts       []scanner.HostResult `json:"hosts"`
	EndTime     time.Time            `json:"end_time"`
	Interrupted bool                 `json:"interrupted"`
	Summary     Summary              `json:"summary"`
	// Violations and Unproven are set by scan --expect (see policy.go):
	// nil without a policy, empty when it holds.
	Violations []policy.Violation `json:"violations,omitzero"`
	Unproven   []policy.Violation `json:"unproven,omitzero"`
}

// Summary counts verdicts over the whole scan.
type Summary struct {
	Hosts        int            `json:"hosts"`
	Unresolved   int            `json:"unresolved,omitempty"`
	Partial      int            `json:"partial,omitempty"`
	Probes       int            `json:"probes"`
	Verdicts     map[string]int `json:"verdicts"`
	AllReachable bool           `json:"all_reachable"`
}

// Summarize counts the hosts' verdicts.
func Summarize(hosts []scanner.HostResult) Summary {
	s := Summary{Verdicts: map[string]int{}}
	for _, h := range hosts {
		s.Add(h)
	}
	return s
}

// SortHosts orders hosts by address, unresolved names first by name.
func SortHosts(hosts []scanner.HostResult) {
	sort.SliceStable(hosts, func(i, j int) bool { return hostLess(hosts[i], hosts[j]) })
}

// WriteJSON writes the document, indented.
func WriteJSON(w io.Writer, d *Document) error { return WriteDocument(NewJSON(w), d) }

// Stream writes JSON Lines: a "start" record; per finished host its
// "endpoint" records (one per result, with the notes host assembly added)
// followed by its "host" record; the policy's "violation" and "unproven"
// records; and an "end" record. It is a Writer.
//
// Records are buffered and reach w at each host record: a reader
// following the file sees hosts as they complete, and a scan of a
// million endpoints does not make a million write calls.
type Stream struct {
	buf     *bufio.Writer
	enc     *json.Encoder
	err     error
	flushed time.Time
	scratch []byte
}

// flushEvery bounds how long a host record waits in the buffer.
const flushEvery = 200 * time.Millisecond

// NewStream starts a JSON Lines stream on w.
func NewStream(w io.Writer) *Stream {
	buf := bufio.NewWriterSize(w, 64<<10)
	return &Stream{buf: buf, enc: json.NewEncoder(buf), flushed: time.Now()}
}

func (s *Stream) write(v any) {
	if s.err == nil {
		s.err = s.enc.Encode(v)
	}
}

func (s *Stream) flush() {
	if s.err == nil {
		s.err = s.buf.Flush()
	}
	s.flushed = time.Now()
}

// Begin records the scan's settings.
func (s *Stream) Begin(d *Document) error {
	s.write(struct {
		Type string `json:"type"`
		jsonHead
	}{"start", jsonHead{d.Scanner, d.Version, d.StartTime, d.Options, d.Targets}})
	s.flush()
	return s.err
}

// endpoint records one endpoint result.
func (s *Stream) endpoint(host netip.Addr, r scanner.EndpointResult) {
	if s.err != nil {
		return
	}
	// EndpointResult marshals itself; splice the record's own fields in front.
	body, ok := appendPlainEndpoint(s.scratch[:0], r)
	if ok {
		s.scratch = body
	} else {
		var err error
		if body, err = json.Marshal(r); err != nil {
			s.err = cmp.Or(s.err, err)
			return
		}
	}
	// {"type":"endpoint","host":"198.18.1.10", then the result's fields.
	s.buf.WriteString(`{"type":"endpoint","host":`)
	if host.IsValid() {
		s.buf.WriteByte('"')
		s.buf.WriteString(host.String())
		s.buf.WriteByte('"')
	} else {
		s.buf.WriteString(`""`)
	}
	s.buf.WriteByte(',')
	s.buf.Write(body[1:])
	s.buf.WriteByte('\n')
}

// appendPlainEndpoint is what json.Marshal writes for the common result:
// no service, no ICMP details, plain ASCII text; ok is false for any other
// (TestPlainEndpointMatchesMarshal holds the two together). A sweep of
// closed ports is nearly all such results, and reflection was a tenth of
// its time.
func appendPlainEndpoint(b []byte, er scanner.EndpointResult) ([]byte, bool) {
	r := er.Result
	if r.Service != nil || r.ICMP != nil || !plainJSON(r.Note) || !plainJSON(string(r.Reason)) {
		return b, false
	}
	b = append(b, `{"endpoint":"`...)
	b = append(b, er.Endpoint.String()...)
	b = append(b, `","transport":"`...)
	b = append(b, er.Endpoint.Transport.String()...)
	b = append(b, `","port":`...)
	b = strconv.AppendUint(b, uint64(er.Endpoint.Port), 10)
	b = append(b, `,"state":"`...)
	b = append(b, r.State.String()...)
	b = append(b, `","reason":"`...)
	b = append(b, r.Reason...)
	b = append(b, '"')
	if r.Note != "" {
		b = append(b, `,"note":"`...)
		b = append(b, r.Note...)
		b = append(b, '"')
	}
	if r.Attempts != 0 {
		b = append(b, `,"attempts":`...)
		b = strconv.AppendInt(b, int64(r.Attempts), 10)
	}
	if ms := millis(r.RTT); ms != 0 {
		b = append(b, `,"rtt_ms":`...)
		b = strconv.AppendFloat(b, ms, 'f', -1, 64)
	}
	if ms := millis(r.Wait); ms != 0 {
		b = append(b, `,"wait_ms":`...)
		b = strconv.AppendFloat(b, ms, 'f', -1, 64)
	}
	return append(b, '}'), true
}

// millis is probes.Result's JSON unit: milliseconds to the microsecond.
func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// plainJSON reports whether s is printable ASCII that JSON (with
// encoding/json's HTML escaping) writes as is.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// Host records one host: its endpoint records, then its verdicts.
func (s *Stream) Host(hr Host) error {
	h := hr.HostResult
	for _, er := range h.Endpoints {
		s.endpoint(h.Address, er)
	}
	s.write(struct {
		Type      string                    `json:"type"`
		Address   netip.Addr                `json:"address"`
		Name      string                    `json:"name,omitempty"`
		Status    string                    `json:"status"`
		Error     string                    `json:"error,omitempty"`
		Functions []scanner.FunctionVerdict `json:"functions"`
	}{"host", h.Address, h.Name, h.Status, h.Error, nonNil(h.Functions)})
	if time.Since(s.flushed) >= flushEvery {
		s.flush()
	}
	return s.err
}

// End closes the stream with the policy's findings and the summary.
func (s *Stream) End(d *Document) error {
	s.violations(d.Violations, d.Unproven)
	s.write(struct {
		Type        string    `json:"type"`
		EndTime     time.Time `json:"end_time"`
		Interrupted bool      `json:"interrupted"`
		Summary     Summary   `json:"summary"`
	}{"end", d.EndTime, d.Interrupted, d.Summary})
	s.flush()
	return s.err
}

func hostHeading(h scanner.HostResult) string {
	return "Host " + hostTitle(h, func(s string) string { return s })
}

// hostTitle is the host's address and name, its status and its verdict
// counts; esc escapes the name for the output format.
func hostTitle(h scanner.HostResult, esc func(string) string) string {
	var b strings.Builder
	switch {
	case h.Address.IsValid() && h.Name != "":
		fmt.Fprintf(&b, "%s (%s)", h.Address, esc(h.Name))
	case h.Address.IsValid():
		b.WriteString(h.Address.String())
	default:
		b.WriteString(esc(h.Name))
	}
	switch h.Status {
	case scanner.StatusPartial:
		b.WriteString(" [partial: the scan was interrupted]")
	case scanner.StatusUnresolved:
		b.WriteString(" [unresolved]")
	}
	counts := map[scanner.Verdict]int{}
	for _, f := range h.Functions {
		counts[f.Verdict]++
	}
	var parts []string
	for v := scanner.Reachable; v <= scanner.Blocked; v++ {
		if counts[v] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[v], v))
		}
	}
	if len(parts) > 0 {
		b.WriteString(": " + strings.Join(parts, ", "))
	}
	return b.String()
}

// serviceColumn is the short identification of the endpoints that decided
// the function, when their services said who they are.
func serviceColumn(f scanner.FunctionVerdict, results map[catalog.Endpoint]probes.Result) string {
	var parts []string
	for _, e := range f.DecidedBy {
		if r, ok := results[e]; ok && r.Service != nil && r.Service.Summary != "" && !slices.Contains(parts, r.Service.Summary) {
			parts = append(parts, r.Service.Summary)
		}
	}
	s := strings.Join(parts, "; ")
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	if s == "" {
		return "-"
	}
	return s
}

// extraEndpoints lists results of endpoints no judged function uses (-p).
func extraEndpoints(h scanner.HostResult) []string {
	var out []string
	for _, er := range extraResults(h) {
		out = append(out, er.Endpoint.String()+" "+er.Result.String())
	}
	return out
}

// extraResults are the results of endpoints no judged function uses: the
// ones -p selected on its own.
func extraResults(h scanner.HostResult) []scanner.EndpointResult {
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

func summaryLine(d *Document) string {
	s := d.Summary
	var parts []string
	for v := scanner.Reachable; v <= scanner.Blocked; v++ {
		if n := s.Verdicts[v.String()]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, v))
		}
	}
	line := fmt.Sprintf("%d host(s), %d probe(s) in %s", s.Hosts, s.Probes, d.EndTime.Sub(d.StartTime).Round(time.Millisecond))
	if len(parts) > 0 {
		line += ": " + strings.Join(parts, ", ")
	}
	if s.Unresolved > 0 {
		line += fmt.Sprintf("; %d unresolved", s.Unresolved)
	}
	if d.Interrupted {
		line += "; INTERRUPTED, partial results"
	}
	return line
}

// nonNil is s, or an empty slice for nil: JSON lists are [], never null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

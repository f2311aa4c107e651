package report

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/scanner"
	"github.com/winreach/winreach/scanner/policy"
	"github.com/winreach/winreach/scanner/report/htmlkit"
)

// HTML writes the scan as one self-contained page (see package htmlkit:
// inline style and script only, admitted by a Content-Security-Policy
// that forbids everything else). Its heart is a host x function matrix:
// the columns are the scan's functions (d.Options.Functions) under their
// catalog groups, known at Begin; each host is one tbody written when
// the host completes, a row of verdict cells (colour, symbol and word)
// followed by a collapsed row of evidence: every function's verdict and
// explanation, every endpoint with its state, reason, ICMP sender and
// what the service said, and the policy's findings. Nothing of a host is
// kept after Host returns. Every value from the scan, a server's words
// above all, goes through html/template, which escapes it for where it
// lands.
type HTML struct {
	// LoadCatalog resolves the catalog the scan recorded
	// (d.Options.Catalog: "" for the default, "modern", a user's file)
	// so that the matrix groups its functions as that catalog does. Nil
	// resolves the embedded catalogs only; a catalog it cannot resolve
	// leaves the functions under "Other".
	LoadCatalog func(name string) (*catalog.Catalog, error)

	buf    *bufio.Writer
	cols   []htmlColumn
	index  map[string]int // function id -> column
	policy bool
	n      int // hosts written
	// cells holds each column's cell, rendered once per verdict (index:
	// htmlkit.VerdictRank, 0 for none) and policy mark (0 none, 1 "!"):
	// a host's row only picks them, which halves the cost of a host.
	cells [][][2]template.HTML
}

var _ Writer = (*HTML)(nil)

// htmlColumn is one function column of the matrix.
type htmlColumn struct {
	ID, Name, Group string
	Col             int    // the cell's index in a host row (for sorting)
	Needs           string // "TCP 139, UDP 137" (or "one of ...")
}

// htmlGroup is one group heading over its columns.
type htmlGroup struct {
	Name    string
	Columns int
}

// htmlFixedCols are the columns before the functions: host, status, worst.
const htmlFixedCols = 3

// NewHTML returns the HTML writer.
func NewHTML(w io.Writer) *HTML {
	return &HTML{buf: bufio.NewWriterSize(w, 64<<10)}
}

var htmlTemplates = htmlkit.AddLegend(template.Must(template.New("html").Funcs(htmlkit.Funcs()).Parse(htmlBody)))

// Begin writes the page head, the legend, the controls and the matrix's
// headings.
func (x *HTML) Begin(d *Document) error {
	x.policy = d.Violations != nil || d.Unproven != nil
	x.cols, x.index = nil, map[string]int{}
	groups := htmlColumns(x.catalog(d.Options.Catalog), d.Options.Functions)
	var heads []htmlGroup
	for _, g := range groups {
		heads = append(heads, htmlGroup{g.name, len(g.cols)})
		for _, c := range g.cols {
			c.Col = htmlFixedCols + len(x.cols)
			x.index[c.ID] = len(x.cols)
			x.cols = append(x.cols, c)
		}
	}
	if err := x.renderCells(); err != nil {
		return err
	}
	if err := htmlkit.Head(x.buf, "winreach report"); err != nil {
		return err
	}
	return htmlTemplates.ExecuteTemplate(x.buf, "begin", struct {
		D         *Document
		Started   string
		Groups    []htmlGroup
		Columns   []htmlColumn
		Verdicts  []htmlkit.Tone
		Endpoints int
	}{d, d.StartTime.UTC().Format(time.RFC3339), heads, x.cols, htmlkit.Verdicts, len(d.Options.Endpoints)})
}

// renderCells renders every cell each column can have.
func (x *HTML) renderCells() error {
	x.cells = make([][][2]template.HTML, len(x.cols))
	var b strings.Builder
	for i, col := range x.cols {
		tones := append([]htmlkit.Tone{htmlkit.None}, htmlkit.Verdicts...)
		x.cells[i] = make([][2]template.HTML, len(tones))
		for rank, tone := range tones {
			for mark := range 2 {
				c := htmlCell{Verdict: tone.Name, Tone: tone, Rank: rank, Title: col.Name + ": " + tone.Name}
				switch {
				case rank == 0:
					c.Title = col.Name + ": not judged on this host"
				case mark == 1:
					c.Mark = "!"
					c.Title += " (policy violation)"
				}
				b.Reset()
				if err := htmlTemplates.ExecuteTemplate(&b, "cell", c); err != nil {
					return err
				}
				x.cells[i][rank][mark] = template.HTML(b.String())
			}
		}
	}
	return nil
}

// catalog is the catalog the scan recorded, or an empty one.
func (x *HTML) catalog(name string) *catalog.Catalog {
	load := x.LoadCatalog
	if load == nil {
		load = func(name string) (*catalog.Catalog, error) {
			return catalog.Load(name, func(string) ([]byte, error) { return nil, errors.ErrUnsupported })
		}
	}
	c, err := load(name)
	if err != nil {
		return &catalog.Catalog{}
	}
	return c
}

type htmlGroupCols struct {
	name string
	cols []htmlColumn
}

// htmlColumns places the scan's functions under their catalog groups, in
// catalog order; a function the catalog does not know (a newer scan's)
// goes under "Other", last.
func htmlColumns(c *catalog.Catalog, ids []string) []htmlGroupCols {
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	var out []htmlGroupCols
	for _, g := range c.Groups {
		var cols []htmlColumn
		for _, f := range c.InGroup(g.ID) {
			if want[f.ID] {
				delete(want, f.ID)
				cols = append(cols, htmlColumn{ID: f.ID, Name: f.Name, Group: g.Name, Needs: needs(f.AnyOf, f.Endpoints)})
			}
		}
		if len(cols) > 0 {
			out = append(out, htmlGroupCols{g.Name, cols})
		}
	}
	var other []htmlColumn
	for _, id := range ids {
		if want[id] {
			other = append(other, htmlColumn{ID: id, Name: id, Group: "Other"})
		}
	}
	if len(other) > 0 {
		out = append(out, htmlGroupCols{"Other", other})
	}
	return out
}

func needs(anyOf bool, eps []catalog.Endpoint) string {
	s := catalog.Labels(eps)
	if anyOf && len(eps) > 1 {
		return "one of " + s
	}
	return s
}

// htmlHost is what the "host" template shows of one host.
type htmlHost struct {
	ID, Label, Name, Status, Error string
	SortKey                        string
	Worst                          htmlkit.Tone
	WorstRank                      int
	Counts                         string
	Cells                          []template.HTML
	Functions                      []htmlFunction
	Endpoints                      []htmlEndpoint
	Violations, Unproven           int
	Policy                         bool
	Cols                           int
}

// htmlCell is one verdict cell of the matrix.
type htmlCell struct {
	Verdict string // "" when the function was not judged on the host
	Tone    htmlkit.Tone
	Rank    int
	Title   string
	Mark    string // "!" violation
}

// htmlFunction is one function in a host's evidence.
type htmlFunction struct {
	Name, Group, Verdict, DecidedBy, Explanation string
	Tone                                         htmlkit.Tone
	Mark, Policy                                 string
}

// htmlEndpoint is one endpoint in a host's evidence.
type htmlEndpoint struct {
	Endpoint, State, Reason, ICMP, RTT string
	Attempts                           int
	Protocol, Summary, Note, Details   string
}

// htmlDetailsLimit bounds the protocol details shown per endpoint.
const htmlDetailsLimit = 32 << 10

// Host writes the host's matrix row and its evidence row.
func (x *HTML) Host(h Host) error {
	x.n++
	v := htmlHost{
		ID:     "host-" + strconv.Itoa(x.n),
		Label:  hostLabel(h.HostResult),
		Name:   h.Name,
		Status: h.Status,
		Error:  h.Error,
		Policy: x.policy,
		Cols:   htmlFixedCols + len(x.cols),
	}
	if h.Address.IsValid() {
		a := h.Address.As16()
		v.SortKey = "1" + hex.EncodeToString(a[:])
	} else {
		v.SortKey = "0" + h.Name
	}
	marks := map[string]htmlMark{}
	for _, pv := range h.Unproven {
		marks[pv.Function] = htmlMark{"?", pv}
	}
	for _, pv := range h.Violations {
		marks[pv.Function] = htmlMark{"!", pv}
	}
	v.Violations, v.Unproven = len(h.Violations), len(h.Unproven)

	v.Cells = make([]template.HTML, len(x.cols))
	for i := range v.Cells {
		v.Cells[i] = x.cells[i][0][0]
	}
	counts := map[string]int{}
	for _, f := range h.Functions {
		name := f.Verdict.String()
		tone := htmlkit.VerdictTone(name)
		counts[name]++
		if r := htmlkit.VerdictRank(name); r > v.WorstRank {
			v.WorstRank, v.Worst = r, tone
		}
		pm, marked := marks[f.ID]
		fn := htmlFunction{
			Name: f.Name, Group: f.Group, Verdict: name, Tone: tone,
			DecidedBy: catalog.Labels(f.DecidedBy), Explanation: f.Explanation,
		}
		if marked {
			fn.Mark, fn.Policy = pm.sign, policyText(pm)
		}
		v.Functions = append(v.Functions, fn)
		if i, ok := x.index[f.ID]; ok {
			mark := 0
			if fn.Mark == "!" {
				mark = 1
			}
			v.Cells[i] = x.cells[i][htmlkit.VerdictRank(name)][mark]
		}
	}
	if v.WorstRank == 0 {
		v.Worst = htmlkit.None
	}
	var parts []string
	for _, t := range slices.Backward(htmlkit.Verdicts) { // worst first
		if n := counts[t.Name]; n > 0 {
			parts = append(parts, strconv.Itoa(n)+" "+t.Symbol+" "+t.Name)
		}
	}
	v.Counts = strings.Join(parts, ", ")
	for _, er := range h.Endpoints {
		v.Endpoints = append(v.Endpoints, htmlEndpointOf(er))
	}
	return htmlTemplates.ExecuteTemplate(x.buf, "host", v)
}

// hostLabel is the host's address, or its name when it has none.
func hostLabel(h scanner.HostResult) string {
	if h.Address.IsValid() {
		return h.Address.String()
	}
	return h.Name
}

// htmlMark is what the policy made of one function: sign "!" for a
// violation, "?" for unproven.
type htmlMark struct {
	sign string
	v    policy.Violation
}

// policyText says what the policy made of a function.
func policyText(pm htmlMark) string {
	kind := "policy violation"
	if pm.sign == "?" {
		kind = "unproven"
	}
	return fmt.Sprintf("%s: expected %s (%s:%d %s)", kind, pm.v.Expected, pm.v.File, pm.v.Line, pm.v.Rule)
}

func htmlEndpointOf(er scanner.EndpointResult) htmlEndpoint {
	r := er.Result
	e := htmlEndpoint{
		Endpoint: er.Endpoint.Label(),
		State:    r.State.String(),
		Reason:   string(r.Reason),
		Attempts: r.Attempts,
		Note:     r.Note,
	}
	if r.Wait > 0 && (r.Reason == probes.ReasonTimeout || r.Reason == probes.ReasonNoResponse) {
		e.Reason += " after " + r.Wait.Round(time.Millisecond).String()
	}
	if r.RTT > 0 {
		e.RTT = strconv.FormatFloat(millis(r.RTT), 'f', -1, 64) + " ms"
	}
	if i := r.ICMP; i != nil {
		kind := "ICMP"
		if i.V6 {
			kind = "ICMPv6"
		}
		e.ICMP = fmt.Sprintf("%s type %d code %d", kind, i.Type, i.Code)
		if i.From.IsValid() {
			e.ICMP += " from " + i.From.String()
		}
	}
	if s := r.Service; s != nil {
		e.Protocol, e.Summary = s.Protocol, s.Summary
		if s.Details != nil {
			if b, err := json.MarshalIndent(s.Details, "", "  "); err == nil && string(b) != "{}" && string(b) != "null" {
				if len(b) > htmlDetailsLimit {
					b = append(b[:htmlDetailsLimit:htmlDetailsLimit], "\n… (cut)"...)
				}
				e.Details = string(b)
			}
		}
	}
	return e
}

// End closes the matrix and writes the summary, the policy's findings
// and the script.
func (x *HTML) End(d *Document) error {
	type count struct {
		Tone htmlkit.Tone
		N    int
	}
	var counts []count
	for _, t := range htmlkit.Verdicts {
		counts = append(counts, count{t, d.Summary.Verdicts[t.Name]})
	}
	err := htmlTemplates.ExecuteTemplate(x.buf, "end", struct {
		D        *Document
		Hosts    int
		Counts   []count
		Policy   bool
		Ended    string
		Duration string
	}{d, x.n, counts, x.policy || d.Violations != nil || d.Unproven != nil,
		d.EndTime.UTC().Format(time.RFC3339), d.EndTime.Sub(d.StartTime).Round(time.Millisecond).String()})
	if err != nil {
		return err
	}
	if err := htmlkit.Foot(x.buf); err != nil {
		return err
	}
	return x.buf.Flush()
}

// The page's body, in three parts executed in turn: "begin" leaves the
// matrix table open, each "host" adds a tbody, "end" closes it.
const htmlBody = `
{{- define "begin" -}}
<header>
<h1>winreach report</h1>
<p class="muted">{{.D.Scanner}} {{.D.Version}}, started {{.Started}}{{with .D.Options.Shard}}, shard {{.}}{{end}}.
{{- with .D.Targets}} Targets: <span class="mono">{{range $i, $t := .}}{{if $i}}, {{end}}{{$t}}{{end}}</span>.{{end}}
{{len .Columns}} function(s), {{.Endpoints}} endpoint(s); timeout {{.D.Options.TimeoutMS}} ms, {{.D.Options.Retries}} retries, concurrency {{.D.Options.Concurrency}}.
<a href="#summary">Summary</a></p>
</header>
<h2>Legend</h2>
{{template "legend" .Verdicts}}
<p class="muted">Each cell says its verdict in a symbol and a word as well as a colour; hover a cell for the endpoints that decided it; open a host's evidence below its row for the explanations.</p>
<h2>Hosts × functions</h2>
<div class="controls js-only" hidden>
<label>Filter hosts: <input type="search" data-filter="matrix" placeholder="address, name, word"></label>
<label>with a function that is <select data-filter-verdict="matrix"><option value="">anything</option>
{{- range .Verdicts}}<option value="{{.Name}}">{{.Symbol}} {{.Name}}</option>{{end -}}
</select></label>
<output data-filter-count="matrix"></output>
<span class="muted">Click a heading to sort by it.</span>
</div>
<div class="scroll">
<table class="matrix sortable" id="matrix">
<thead>
<tr><th class="host" rowspan="2" scope="col" data-sort-col="0">Host</th><th rowspan="2" scope="col" data-sort-col="1">Status</th><th rowspan="2" scope="col" data-sort-col="2">Worst</th>
{{- range .Groups}}<th class="grp" colspan="{{.Columns}}" scope="colgroup"><span>{{.Name}}</span></th>{{end}}</tr>
<tr>{{range .Columns}}<th class="fn" scope="col" data-sort-col="{{.Col}}" data-function="{{.ID}}" title="{{.Name}} ({{.Group}}) needs {{.Needs}}"><span>{{.Name}}</span></th>{{end}}</tr>
</thead>
{{end}}

{{- define "cell" -}}
<td class="cell {{.Tone.Class}}{{if eq .Mark "!"}} pv{{end}}" data-verdict="{{.Verdict}}" data-sort="{{.Rank}}" title="{{.Title}}">{{if eq .Mark "!"}}<span class="pv-mark">!</span>{{end}}{{.Tone.Symbol}} <span class="lbl">{{.Tone.Label}}</span></td>
{{- end}}

{{- define "host" -}}
<tbody id="{{.ID}}">
<tr class="row"><th class="host" scope="row" data-host="{{.Label}}" data-sort="{{.SortKey}}"><span class="mono">{{.Label}}</span>{{if and .Name (ne .Name .Label)}}<br><span class="muted">{{.Name}}</span>{{end}}</th>
<td data-sort="{{.Status}}">{{.Status}}{{if .Violations}}<br><span class="pv-mark">! {{.Violations}} violation(s)</span>{{end}}</td>
<td class="cell {{.Worst.Class}}" data-sort="{{.WorstRank}}" title="{{.Counts}}">{{.Worst.Symbol}} {{.Worst.Label}}</td>
{{- range .Cells}}{{.}}{{end}}</tr>
<tr class="detail"><td colspan="{{.Cols}}"><div class="inner">
<details><summary>Evidence for <span class="mono">{{.Label}}</span>: {{len .Functions}} function(s), {{len .Endpoints}} endpoint(s){{with .Counts}} ({{.}}){{end}}
{{- if .Violations}}, <strong>{{.Violations}} policy violation(s)</strong>{{end}}{{if .Unproven}}, {{.Unproven}} unproven{{end}}</summary>
{{- with .Error}}<p class="warn">{{.}}</p>{{end}}
{{- if .Functions}}
<table class="funcs"><thead><tr><th scope="col">Function</th><th scope="col">Verdict</th><th scope="col">Decided by</th><th scope="col">Explanation</th>{{if .Policy}}<th scope="col">Policy</th>{{end}}</tr></thead><tbody>
{{- range .Functions}}
<tr><td>{{.Name}}</td><td class="{{.Tone.Class}}{{if eq .Mark "!"}} pv{{end}}">{{with .Mark}}<span class="pv-mark">{{.}}</span>{{end}}{{.Tone.Symbol}} {{.Verdict}}</td><td>{{.DecidedBy}}</td><td>{{.Explanation}}</td>{{if $.Policy}}<td>{{.Policy}}</td>{{end}}</tr>
{{- end}}
</tbody></table>
{{- end}}
{{- if .Endpoints}}
<table class="endpoints"><thead><tr><th scope="col">Endpoint</th><th scope="col">State</th><th scope="col">Reason</th><th scope="col">ICMP</th><th scope="col">RTT</th><th scope="col">Service</th><th scope="col">What the service said; notes</th></tr></thead><tbody>
{{- range .Endpoints}}
<tr><td class="mono">{{.Endpoint}}</td><td>{{.State}}</td><td>{{.Reason}}</td><td>{{.ICMP}}</td><td>{{.RTT}}</td><td>{{.Protocol}}</td><td>{{.Summary}}{{with .Note}}<div class="muted">{{.}}</div>{{end}}
{{- with .Details}}<details><summary>details</summary><pre class="said">{{.}}</pre></details>{{end}}</td></tr>
{{- end}}
</tbody></table>
{{- end}}
</details>
</div></td></tr>
</tbody>
{{end}}

{{- define "end" -}}
</table>
</div>
{{- if not .Hosts}}<p>No host was scanned.</p>{{end}}
<h2 id="summary">Summary</h2>
{{- if .D.Interrupted}}<p class="warn">The scan was interrupted: these are partial results, unfinished hosts are marked partial.</p>{{end}}
<table class="kv">
<tr><th scope="row">Hosts</th><td>{{.D.Summary.Hosts}}{{with .D.Summary.Unresolved}}, {{.}} unresolved{{end}}{{with .D.Summary.Partial}}, {{.}} partial{{end}}</td></tr>
<tr><th scope="row">Probes</th><td>{{.D.Summary.Probes}}</td></tr>
<tr><th scope="row">Time</th><td>{{.Duration}}, ended {{.Ended}}</td></tr>
<tr><th scope="row">Every function reachable</th><td>{{if .D.Summary.AllReachable}}yes{{else}}no{{end}}</td></tr>
</table>
<ul class="legend" aria-label="Verdicts over all hosts">
{{- range .Counts}}<li><span class="cell {{.Tone.Class}}">{{.Tone.Symbol}} {{.Tone.Label}}</span> {{.N}} {{.Tone.Name}}</li>{{end}}
</ul>
{{- if .Policy}}
<h2 id="policy">Policy</h2>
{{- if not .D.Violations}}<p>No violation.</p>
{{- else}}
<table class="violations"><caption>{{len .D.Violations}} violation(s)</caption>
<thead><tr><th scope="col">Host</th><th scope="col">Function</th><th scope="col">Expected</th><th scope="col">Is</th><th scope="col">Rule</th><th scope="col">Evidence</th></tr></thead><tbody>
{{- range .D.Violations}}
<tr><td class="mono"><span class="pv-mark">!</span>{{.Host}}{{with .Name}} ({{.}}){{end}}</td><td>{{.Function}}</td><td>{{.Expected}}</td><td class="{{(verdictTone .Actual.String).Class}}">{{.Actual}}</td><td>{{.File}}:{{.Line}} <code>{{.Rule}}</code></td><td>{{.Explanation}}</td></tr>
{{- end}}
</tbody></table>
{{- end}}
{{- with .D.Unproven}}
<details><summary>{{len .}} unproven (silence or not tested proves neither reachable nor blocked)</summary>
<table class="unproven">
<thead><tr><th scope="col">Host</th><th scope="col">Function</th><th scope="col">Expected</th><th scope="col">Is</th><th scope="col">Rule</th></tr></thead><tbody>
{{- range .}}
<tr><td class="mono"><span class="pv-mark">?</span>{{.Host}}</td><td>{{.Function}}</td><td>{{.Expected}}</td><td>{{.Actual}}</td><td>{{.File}}:{{.Line}} <code>{{.Rule}}</code></td></tr>
{{- end}}
</tbody></table></details>
{{- end}}
{{- end}}
{{end}}`

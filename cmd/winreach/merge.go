package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/scanner"
	"github.com/winreach/winreach/scanner/report"
)

const mergeUsage = `Usage: winreach merge [--format F] [-o FILE] OUTPUT...

Combines the outputs of the shards of one scan ('winreach scan --shard K/N
--format jsonl', or --format json), or of an interrupted scan and its
resumption, into one result: every host's endpoint results together, its
functions judged again on all of them, exactly as one machine's scan would.
The shards must have scanned the same selection; a missing shard is named,
and the hosts it would have completed are marked partial.

  --format F   table (default), json, jsonl
  -o FILE      write to FILE (atomically) instead of standard output

Example (three shards, then the merge):
  winreach scan --shard 0/3 --format jsonl -o s0.jsonl 198.18.0.0/16
  winreach scan --shard 1/3 --format jsonl -o s1.jsonl 198.18.0.0/16
  winreach scan --shard 2/3 --format jsonl -o s2.jsonl 198.18.0.0/16
  winreach merge --format json -o scan.json s0.jsonl s1.jsonl s2.jsonl

Exit codes: 0 every function reachable on every host, 1 some not (or a host
is partial), 2 bad usage or unreadable input, 3 runtime failure.
`

func cmdMerge(e env, args []string) error {
	fs := newFlagSet("merge")
	format := fs.String("format", "table", "")
	output := fs.String("o", "", "")
	files, err := parseInterspersed(fs, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(e.stdout, mergeUsage)
		return nil
	case err != nil:
		return usagef("merge: %v", err)
	case len(files) == 0:
		return usagef("merge: no input given (name the jsonl or json outputs of the shards)")
	}
	switch *format {
	case "table", "json", "jsonl":
	default:
		return usagef("merge: unknown --format %q (want table, json or jsonl)", *format)
	}
	m := newMerger()
	for _, name := range files {
		if err := m.readFile(name); err != nil {
			return err
		}
	}
	cat, err := loadCatalog("merge", m.options.Catalog) // the catalog the scan recorded
	if err != nil {
		return err
	}
	doc, err := m.document(cat)
	if err != nil {
		return err
	}
	for _, w := range m.warnings {
		fmt.Fprintln(e.stderr, "winreach: merge:", w)
	}
	out, err := createOutput(e.stdout, *output)
	if err != nil {
		return err
	}
	defer out.Abort()
	switch *format {
	case "json":
		err = report.WriteJSON(out, doc)
	case "jsonl":
		err = writeStream(out, doc)
	default:
		err = report.WriteTable(out, doc)
	}
	if err != nil {
		return err
	}
	if err := out.Commit(); err != nil {
		return err
	}
	if !doc.Summary.AllReachable {
		return exitError{exitNotAll}
	}
	return nil
}

// writeStream writes a finished document as JSON Lines, the records a
// scan with --format jsonl writes.
func writeStream(w io.Writer, d *report.Document) error {
	s := report.NewStream(w)
	s.Start(d)
	for _, h := range d.Hosts {
		for _, er := range h.Endpoints {
			s.Endpoint(h.Address, er)
		}
		s.Host(h)
	}
	return s.End(d)
}

// merger accumulates the records of several outputs of one scan.
type merger struct {
	inputs     int
	selected   bool     // the selection below is set
	functions  []string // the selection, from the first input
	endpoints  []string
	options    report.Options
	targets    []string
	shards     map[string]string // "K/N" -> the file that holds it
	whole      bool              // some input scanned every shard
	start, end time.Time
	interrupt  bool
	hosts      map[netip.Addr]*mergedHost
	unresolved map[string]scanner.HostResult
	warnings   []string
}

type mergedHost struct {
	name    string
	results map[catalog.Endpoint]probes.Result
}

func newMerger() *merger {
	return &merger{shards: map[string]string{}, hosts: map[netip.Addr]*mergedHost{}, unresolved: map[string]scanner.HostResult{}}
}

// record is any line of a scan's JSON Lines output, or a whole JSON
// document (which has no type).
type record struct {
	Type        string               `json:"type"`
	StartTime   time.Time            `json:"start_time"`
	EndTime     time.Time            `json:"end_time"`
	Interrupted bool                 `json:"interrupted"`
	Options     *report.Options      `json:"options"`
	Targets     []string             `json:"targets"`
	Host        netip.Addr           `json:"host"`
	Address     netip.Addr           `json:"address"`
	Name        string               `json:"name"`
	Status      string               `json:"status"`
	Error       string               `json:"error"`
	Hosts       []scanner.HostResult `json:"hosts"`
}

func (m *merger) readFile(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return usagef("merge: %v", err)
	}
	defer f.Close()
	m.inputs++
	dec := json.NewDecoder(f)
	sawStart, sawEnd := false, false
	for n := 1; ; n++ {
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// A shard killed while writing leaves a cut last line:
			// what came before it still counts.
			var syn *json.SyntaxError
			if n > 1 && (errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &syn)) {
				m.warnings = append(m.warnings, fmt.Sprintf("%s: cut short at record %d; using what came before", name, n))
				break
			}
			return usagef("merge: %s: record %d: %v", name, n, err)
		}
		var rec record
		if err := json.Unmarshal(raw, &rec); err != nil {
			return usagef("merge: %s: record %d: %v", name, n, err)
		}
		switch rec.Type {
		case "start":
			sawStart = true
			if err := m.begin(name, rec); err != nil {
				return err
			}
		case "endpoint":
			var er scanner.EndpointResult
			if err := json.Unmarshal(raw, &er); err != nil {
				return usagef("merge: %s: record %d: %v", name, n, err)
			}
			m.add(rec.Host, "", er)
		case "host":
			m.host(rec.Address, rec.Name, rec.Status, rec.Error)
		case "end":
			sawEnd = true
			m.interrupt = m.interrupt || rec.Interrupted
			if rec.EndTime.After(m.end) {
				m.end = rec.EndTime
			}
		case "":
			if rec.Hosts == nil || rec.Options == nil {
				return usagef("merge: %s: record %d is neither a winreach jsonl record nor a json report", name, n)
			}
			sawStart, sawEnd = true, true
			if err := m.begin(name, rec); err != nil {
				return err
			}
			m.interrupt = m.interrupt || rec.Interrupted
			if rec.EndTime.After(m.end) {
				m.end = rec.EndTime
			}
			for _, h := range rec.Hosts {
				m.host(h.Address, h.Name, h.Status, h.Error)
				for _, er := range h.Endpoints {
					m.add(h.Address, h.Name, er)
				}
			}
		}
	}
	switch {
	case !sawStart:
		return usagef("merge: %s: not a winreach scan output (no start record)", name)
	case !sawEnd:
		m.interrupt = true
		m.warnings = append(m.warnings, fmt.Sprintf("%s: the scan did not finish (no end record)", name))
	}
	return nil
}

// begin checks that an input scanned the same selection as the others
// and notes its shard.
func (m *merger) begin(name string, rec record) error {
	o := rec.Options
	if o == nil {
		return usagef("merge: %s: the start record has no options", name)
	}
	if !m.selected {
		m.selected = true
		m.functions, m.endpoints, m.options = o.Functions, o.Endpoints, *o
		m.options.Shard = ""
		m.start = rec.StartTime
	} else if !slices.Equal(m.functions, o.Functions) || !slices.Equal(m.endpoints, o.Endpoints) {
		return usagef("merge: %s scanned other functions or endpoints than the first input: not parts of one scan", name)
	}
	if !rec.StartTime.IsZero() && rec.StartTime.Before(m.start) {
		m.start = rec.StartTime
	}
	for _, t := range rec.Targets {
		if !slices.Contains(m.targets, t) {
			m.targets = append(m.targets, t)
		}
	}
	if o.Shard == "" {
		m.whole = true
		return nil
	}
	if prev, dup := m.shards[o.Shard]; dup {
		m.warnings = append(m.warnings, fmt.Sprintf("shard %s is in both %s and %s", o.Shard, prev, name))
	}
	m.shards[o.Shard] = name
	return nil
}

func (m *merger) hostFor(addr netip.Addr, name string) *mergedHost {
	h := m.hosts[addr]
	if h == nil {
		h = &mergedHost{results: map[catalog.Endpoint]probes.Result{}}
		m.hosts[addr] = h
	}
	if name != "" {
		h.name = name
	}
	return h
}

// add keeps one result per endpoint. A result that says something about
// the target wins over one cut short by an interrupt (a resumed scan
// repeats what the first run knew, and completes what it did not).
func (m *merger) add(addr netip.Addr, name string, er scanner.EndpointResult) {
	if !addr.IsValid() {
		return
	}
	h := m.hostFor(addr, name)
	if old, ok := h.results[er.Endpoint]; ok && !cutShort(old) {
		return
	}
	h.results[er.Endpoint] = er.Result
}

func cutShort(r probes.Result) bool {
	return r.State == probes.NotTested && r.Reason == probes.ReasonLocalError
}

func (m *merger) host(addr netip.Addr, name, status, errText string) {
	if status == scanner.StatusUnresolved || !addr.IsValid() {
		m.unresolved[name] = scanner.HostResult{Address: addr, Name: name, Status: scanner.StatusUnresolved, Error: errText}
		return
	}
	m.hostFor(addr, name)
}

// document judges every host on its merged results.
func (m *merger) document(c *catalog.Catalog) (*report.Document, error) {
	if err := m.checkShards(); err != nil {
		return nil, err
	}
	sel := scanner.Selection{}
	for _, id := range m.functions {
		f, ok := c.Function(id)
		if !ok {
			return nil, usagef("merge: unknown function %q in the inputs (a newer winreach wrote them?)", id)
		}
		sel.Functions = append(sel.Functions, f)
	}
	for _, s := range m.endpoints {
		ep, err := catalog.ParseEndpoint(s)
		if err != nil {
			return nil, usagef("merge: %v", err)
		}
		sel.Endpoints = append(sel.Endpoints, ep)
	}
	hosts := make([]scanner.HostResult, 0, len(m.hosts)+len(m.unresolved))
	for addr, h := range m.hosts {
		hosts = append(hosts, judgeMerged(addr, h, sel))
	}
	for _, h := range m.unresolved {
		hosts = append(hosts, h)
	}
	report.SortHosts(hosts)
	doc := &report.Document{
		Scanner:     "winreach",
		Version:     version,
		StartTime:   m.start,
		EndTime:     m.end,
		Interrupted: m.interrupt,
		Options:     m.options,
		Targets:     m.targets,
		Hosts:       hosts,
		Summary:     report.Summarize(hosts),
	}
	return doc, nil
}

// judgeMerged is the host as one scan would have reported it: endpoints in
// the selection's order, every function judged, and complete only when
// every endpoint has a result that says something about the target.
func judgeMerged(addr netip.Addr, h *mergedHost, sel scanner.Selection) scanner.HostResult {
	hr := scanner.HostResult{Address: addr, Name: h.name, Status: scanner.StatusComplete}
	for _, e := range sel.Endpoints {
		r, ok := h.results[e]
		if !ok || cutShort(r) {
			hr.Status = scanner.StatusPartial
		}
		if ok {
			hr.Endpoints = append(hr.Endpoints, scanner.EndpointResult{Endpoint: e, Result: r})
		}
	}
	hr.Functions = make([]scanner.FunctionVerdict, 0, len(sel.Functions))
	for _, f := range sel.Functions {
		hr.Functions = append(hr.Functions, scanner.Judge(f, h.results))
	}
	return hr
}

// checkShards says which shards of a sharded scan are missing; hosts
// then lack their endpoints and are reported partial.
func (m *merger) checkShards() error {
	if len(m.shards) == 0 || m.whole {
		return nil
	}
	n := -1
	have := map[int]bool{}
	for s := range m.shards {
		sh, err := scanner.ParseShard(s)
		if err != nil {
			return usagef("merge: %v", err)
		}
		if n >= 0 && sh.N != n {
			return usagef("merge: the inputs split the scan differently (%d and %d shards)", n, sh.N)
		}
		n = sh.N
		have[sh.K] = true
	}
	var missing []string
	for k := range n {
		if !have[k] {
			missing = append(missing, fmt.Sprintf("%d/%d", k, n))
		}
	}
	if len(missing) > 0 {
		m.warnings = append(m.warnings, fmt.Sprintf("shard %s missing: hosts lack those endpoints and are partial", strings.Join(missing, ", ")))
	}
	return nil
}

package report

import (
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/scanner"
)

// Merger combines the saved outputs of the parts of one scan (the shards
// of --shard, or an interrupted scan and its --resume run) into one: every
// host's endpoint results together, assembled again (scanner.AssembleHost)
// exactly as one scan would have.
type Merger struct {
	inputs    int
	selected  bool // the selection below is set
	functions []string
	endpoints []string
	options   Options
	targets   []string
	version   string
	// parts maps a shard ("" for a whole scan) to whether some input of
	// it finished, and shardFiles names the file of each shard.
	parts      map[string]bool
	shardFiles map[string]string
	start, end time.Time
	hosts      map[netip.Addr]*mergedHost
	unresolved map[string]scanner.HostResult
	// Warnings say what the merge could not make whole.
	Warnings []string
}

type mergedHost struct {
	name    string
	results []scanner.EndpointResult
}

// NewMerger starts an empty merge.
func NewMerger() *Merger {
	return &Merger{parts: map[string]bool{}, shardFiles: map[string]string{},
		hosts: map[netip.Addr]*mergedHost{}, unresolved: map[string]scanner.HostResult{}}
}

// Add reads one saved output (JSON or JSON Lines); name is for messages.
func (m *Merger) Add(name string, r io.Reader) error {
	m.inputs++
	began := false
	saved, err := ReadScan(r, func(s *Saved, h scanner.HostResult) error {
		if !began {
			began = true
			if err := m.begin(name, s); err != nil {
				return err
			}
		}
		m.host(h)
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if !began {
		if err := m.begin(name, saved); err != nil {
			return err
		}
	}
	if saved.Truncated {
		m.Warnings = append(m.Warnings, fmt.Sprintf("%s: cut short; using what came before", name))
	}
	if !saved.Ended {
		m.Warnings = append(m.Warnings, fmt.Sprintf("%s: the scan did not finish (no end record)", name))
	}
	shard := saved.Options.Shard
	m.parts[shard] = m.parts[shard] || saved.Ended && !saved.Interrupted
	if saved.EndTime.After(m.end) {
		m.end = saved.EndTime
	}
	return nil
}

// begin checks that an input scanned the same selection as the others
// and notes its shard.
func (m *Merger) begin(name string, s *Saved) error {
	o := s.Options
	if !m.selected {
		m.selected = true
		m.functions, m.endpoints, m.options = o.Functions, o.Endpoints, o
		m.options.Shard = ""
		m.start, m.version = s.StartTime, s.Version
	} else if !slices.Equal(m.functions, o.Functions) || !slices.Equal(m.endpoints, o.Endpoints) {
		return fmt.Errorf("%s scanned other functions or endpoints than the first input: not parts of one scan", name)
	}
	if !s.StartTime.IsZero() && s.StartTime.Before(m.start) {
		m.start = s.StartTime
	}
	for _, t := range s.Targets {
		if !slices.Contains(m.targets, t) {
			m.targets = append(m.targets, t)
		}
	}
	if o.Shard != "" {
		if prev, dup := m.shardFiles[o.Shard]; dup {
			m.Warnings = append(m.Warnings, fmt.Sprintf("shard %s is in both %s and %s", o.Shard, prev, name))
		}
		m.shardFiles[o.Shard] = name
	}
	return nil
}

func (m *Merger) host(h scanner.HostResult) {
	if h.Status == scanner.StatusUnresolved || !h.Address.IsValid() {
		m.unresolved[h.Name] = scanner.HostResult{Address: h.Address, Name: h.Name, Status: scanner.StatusUnresolved,
			Error: h.Error, Endpoints: []scanner.EndpointResult{}, Functions: []scanner.FunctionVerdict{}}
		return
	}
	mh := m.hosts[h.Address]
	if mh == nil {
		mh = &mergedHost{}
		m.hosts[h.Address] = mh
	}
	if h.Name != "" {
		mh.name = h.Name
	}
	mh.results = append(mh.results, h.Endpoints...)
}

// Document assembles every host on its merged results. A host is
// complete when every selected endpoint has a result that says something
// about it; the merge is interrupted only when some host is not complete
// or some part (shard) has no input that finished.
func (m *Merger) Document(c *catalog.Catalog) (*Document, error) {
	sel, err := m.selection(c)
	if err != nil {
		return nil, err
	}
	hosts := make([]scanner.HostResult, 0, len(m.hosts)+len(m.unresolved))
	for addr, h := range m.hosts {
		hosts = append(hosts, scanner.AssembleHost(addr, h.name, "", h.results, sel))
	}
	for _, h := range m.unresolved {
		hosts = append(hosts, h)
	}
	SortHosts(hosts)
	interrupted := false
	for _, finished := range m.parts {
		interrupted = interrupted || !finished
	}
	for _, h := range hosts {
		interrupted = interrupted || h.Status == scanner.StatusPartial
	}
	return &Document{
		Scanner:     "winreach",
		Version:     m.version,
		StartTime:   m.start,
		EndTime:     m.end,
		Interrupted: interrupted,
		Options:     m.options,
		Targets:     m.targets,
		Hosts:       hosts,
		Summary:     Summarize(hosts),
	}, nil
}

func (m *Merger) selection(c *catalog.Catalog) (scanner.Selection, error) {
	if err := m.checkShards(); err != nil {
		return scanner.Selection{}, err
	}
	var sel scanner.Selection
	for _, id := range m.functions {
		f, ok := c.Function(id)
		if !ok {
			return sel, fmt.Errorf("unknown function %q in the inputs (a newer winreach wrote them?)", id)
		}
		sel.Functions = append(sel.Functions, f)
	}
	for _, s := range m.endpoints {
		ep, err := catalog.ParseEndpoint(s)
		if err != nil {
			return sel, err
		}
		sel.Endpoints = append(sel.Endpoints, ep)
	}
	return sel, nil
}

// checkShards says which shards of a sharded scan are missing; hosts
// then lack their endpoints and are reported partial.
func (m *Merger) checkShards() error {
	if _, whole := m.parts[""]; whole || len(m.shardFiles) == 0 {
		return nil
	}
	n := -1
	have := map[int]bool{}
	for s := range m.shardFiles {
		sh, err := scanner.ParseShard(s)
		if err != nil {
			return err
		}
		if n >= 0 && sh.N != n {
			return fmt.Errorf("the inputs split the scan differently (%d and %d shards)", n, sh.N)
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
		m.Warnings = append(m.Warnings, fmt.Sprintf("shard %s missing: hosts lack those endpoints and are partial", strings.Join(missing, ", ")))
	}
	return nil
}

package scanner

import (
	"net/netip"
)

// Prior is what an earlier run of a scan learned, by host: the endpoint
// results of its output (report.ReadPrior reads them), to carry into a
// resumed scan (Scanner.Known) instead of probing them again.
type Prior struct {
	hosts map[netip.Addr][]EndpointResult
	// Results counts the reusable endpoint results read.
	Results int
	// Truncated is set when the input ended in the middle of a record
	// (a run killed while writing); everything before it was read.
	Truncated bool
}

// NewPrior is an empty Prior.
func NewPrior() *Prior { return &Prior{hosts: map[netip.Addr][]EndpointResult{}} }

// Add keeps one result of a host, unless it says nothing about the target
// (CutShort: a probe cut short by an interrupt), so it is probed again.
func (p *Prior) Add(host netip.Addr, er EndpointResult) {
	if !host.IsValid() || CutShort(er.Result) {
		return
	}
	p.hosts[host] = append(p.hosts[host], er)
	p.Results++
}

// Take returns the results known for a host and forgets them, so memory
// shrinks as the resumed scan goes; it is the Scanner's Known hook.
func (p *Prior) Take(host netip.Addr) []EndpointResult {
	ers := p.hosts[host]
	delete(p.hosts, host)
	return ers
}

package scanner

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"

	"github.com/winreach/winreach/probes"
)

// Prior is what an earlier run of a scan learned, by host: the endpoint
// results of its output, to carry into a resumed scan (Scanner.Known)
// instead of probing them again.
type Prior struct {
	hosts map[netip.Addr][]EndpointResult
	// Results counts the reusable endpoint results read.
	Results int
	// Truncated is set when the input ended in the middle of a record
	// (a run killed while writing); everything before it was read.
	Truncated bool
}

// ReadPrior reads a scan's output: JSON Lines ("endpoint" records; the
// others are skipped) or one JSON document. Results that say nothing
// about the target (not tested for a local error, such as the probes cut
// short by an interrupt) are left out, so they are probed again.
func ReadPrior(r io.Reader) (*Prior, error) {
	p := &Prior{hosts: map[netip.Addr][]EndpointResult{}}
	dec := json.NewDecoder(r)
	for records := 0; ; records++ {
		var rec struct {
			Type  string       `json:"type"`
			Host  netip.Addr   `json:"host"`
			Hosts []HostResult `json:"hosts"`
		}
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			return p, nil
		}
		if err != nil {
			var syn *json.SyntaxError
			if records > 0 && (errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &syn)) {
				p.Truncated = true
				return p, nil
			}
			return nil, fmt.Errorf("record %d: %w", records+1, err)
		}
		if err := json.Unmarshal(raw, &rec); err != nil {
			return nil, fmt.Errorf("record %d: %w", records+1, err)
		}
		switch {
		case rec.Type == "endpoint":
			var er EndpointResult
			if err := json.Unmarshal(raw, &er); err != nil {
				return nil, fmt.Errorf("record %d: %w", records+1, err)
			}
			p.add(rec.Host, er)
		case rec.Type == "" && rec.Hosts != nil:
			for _, h := range rec.Hosts {
				for _, er := range h.Endpoints {
					p.add(h.Address, er)
				}
			}
		}
	}
}

func (p *Prior) add(host netip.Addr, er EndpointResult) {
	if !host.IsValid() || er.State == probes.NotTested && er.Reason == probes.ReasonLocalError {
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

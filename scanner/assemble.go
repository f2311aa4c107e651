package scanner

import (
	"net/netip"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes"
)

// AssembleHost turns a host's endpoint results into its host result: the
// results in the selection's order (endpoints outside the selection are
// dropped, a repeated endpoint keeps the result that says the most, see
// Better), the relations between endpoints (relate: what NetBIOS name
// service says of the datagram service), and the verdict and explanation
// of every selected function. The scanner, merge and resume all assemble
// hosts here, so a merged or resumed scan reads like one scan.
//
// status is the host's status; "" derives it: complete when every
// selected endpoint has a result that says something about the target,
// partial otherwise (a merge of shards with one missing). results is not
// modified.
func AssembleHost(addr netip.Addr, name, status string, results []EndpointResult, sel Selection) HostResult {
	hr := HostResult{Address: addr, Name: name, Status: status, Endpoints: make([]EndpointResult, 0, len(results))}
	byEndpoint := make(map[catalog.Endpoint]probes.Result, len(results))
	for _, er := range results {
		if old, ok := byEndpoint[er.Endpoint]; !ok || Better(er.Result, old) {
			byEndpoint[er.Endpoint] = er.Result
		}
	}
	complete := true
	for _, e := range sel.Endpoints {
		r, ok := byEndpoint[e]
		if !ok || CutShort(r) {
			complete = false
		}
		if ok {
			hr.Endpoints = append(hr.Endpoints, EndpointResult{Endpoint: e, Result: r})
		}
	}
	if hr.Status == "" {
		hr.Status = StatusPartial
		if complete {
			hr.Status = StatusComplete
		}
	}
	relate(hr.Endpoints)
	byEndpoint = hr.Results()
	hr.Functions = make([]FunctionVerdict, 0, len(sel.Functions))
	for _, f := range sel.Functions {
		hr.Functions = append(hr.Functions, Judge(f, byEndpoint))
	}
	return hr
}

// CutShort reports whether a result says nothing about the target: the
// probe was cut short by an interrupt (not tested for a local error). A
// resumed scan probes such endpoints again.
func CutShort(r probes.Result) bool {
	return r.State == probes.NotTested && r.Reason == probes.ReasonLocalError
}

// Better reports whether result a should replace b for the same endpoint
// of a host (two runs of one scan that both report it): a result that
// says something about the target wins over one cut short.
func Better(a, b probes.Result) bool { return CutShort(b) && !CutShort(a) }

// Unresolved is the host result of a name that did not resolve.
func Unresolved(name, err string) HostResult {
	return HostResult{Name: name, Status: StatusUnresolved, Error: err, Endpoints: []EndpointResult{}, Functions: []FunctionVerdict{}}
}

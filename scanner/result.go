package scanner

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes"
)

// Host statuses.
const (
	StatusComplete   = "complete"   // every planned probe ran
	StatusPartial    = "partial"    // the scan was interrupted before every probe ran
	StatusUnresolved = "unresolved" // the host name did not resolve
)

// HostResult is everything a scan learned about one host.
type HostResult struct {
	Address   netip.Addr        `json:"address"`
	Name      string            `json:"name,omitempty"`
	Status    string            `json:"status"`
	Error     string            `json:"error,omitempty"`
	Endpoints []EndpointResult  `json:"endpoints"`
	Functions []FunctionVerdict `json:"functions"`
}

// EndpointResult is one probe's result for one endpoint of a host.
type EndpointResult struct {
	Endpoint catalog.Endpoint
	probes.Result
}

// MarshalJSON writes the endpoint's fields first, then the result's.
func (er EndpointResult) MarshalJSON() ([]byte, error) {
	head, err := json.Marshal(struct {
		Endpoint  catalog.Endpoint `json:"endpoint"`
		Transport string           `json:"transport"`
		Port      uint16           `json:"port"`
	}{er.Endpoint, er.Endpoint.Transport.String(), er.Endpoint.Port})
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(er.Result)
	if err != nil {
		return nil, err
	}
	if len(body) <= 2 { // "{}"
		return head, nil
	}
	head[len(head)-1] = ','
	return append(head, body[1:]...), nil
}

// UnmarshalJSON reads what MarshalJSON writes.
func (er *EndpointResult) UnmarshalJSON(b []byte) error {
	var head struct {
		Endpoint catalog.Endpoint `json:"endpoint"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return err
	}
	if !bytes.Contains(b, []byte(`"state"`)) {
		return fmt.Errorf("endpoint result %s has no state", head.Endpoint)
	}
	er.Endpoint = head.Endpoint
	return json.Unmarshal(b, &er.Result)
}

// Results indexes the host's endpoint results.
func (h HostResult) Results() map[catalog.Endpoint]probes.Result {
	m := make(map[catalog.Endpoint]probes.Result, len(h.Endpoints))
	for _, er := range h.Endpoints {
		m[er.Endpoint] = er.Result
	}
	return m
}

// AllReachable reports whether the host's every judged function is reachable.
func (h HostResult) AllReachable() bool {
	if h.Status != StatusComplete {
		return false
	}
	for _, f := range h.Functions {
		if f.Verdict != Reachable {
			return false
		}
	}
	return true
}

package sqlbrowser

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/winreach/winreach/probes"
)

// Query is the probes.Datagram for UDP 1434: CLNT_UCAST_EX, and the
// SVR_RESP listing the instances.
type Query struct{}

// Details is the browser's answer.
type Details struct {
	Instances []Instance `json:"instances"`
}

// Request returns CLNT_UCAST_EX. It carries no transaction ID: any
// SVR_RESP on the connected socket is the answer.
func (Query) Request(probes.Target, int) []byte { return AppendRequest(nil) }

// Parse judges a reply.
func (Query) Parse(_, reply []byte) (*probes.Service, error) {
	instances, err := ParseResponse(reply)
	if err != nil {
		return nil, err
	}
	return ServiceOf(instances), nil
}

// ServiceOf builds the report of a browser's answer.
func ServiceOf(instances []Instance) *probes.Service {
	d := &Details{Instances: instances}
	var names []string
	for _, in := range instances {
		s := in.InstanceName
		if in.TCPPort != 0 {
			s += " tcp/" + strconv.Itoa(int(in.TCPPort))
		}
		if in.Version != "" {
			s += " " + in.Version
		}
		names = append(names, s)
	}
	summary := fmt.Sprintf("SQL Server Browser: %d instance", len(instances))
	if len(instances) != 1 {
		summary += "s"
	}
	if len(names) > 0 {
		summary += " (" + strings.Join(names, ", ") + ")"
	}
	return &probes.Service{Protocol: "sql-browser", Summary: summary, Details: d}
}

// InstancePort is one TCP port an instance listens on.
type InstancePort struct {
	Port     uint16 `json:"port"`
	Instance string `json:"instance"`
	Version  string `json:"version,omitempty"`
}

// TCPPorts lists the instances' TCP ports, in port order, one entry per
// port (instances sharing a port are joined with ","): the ports a scan
// follows with a TDS PRELOGIN.
func (d *Details) TCPPorts() []InstancePort {
	if d == nil {
		return nil
	}
	var out []InstancePort
	for _, in := range d.Instances {
		if in.TCPPort == 0 {
			continue
		}
		i := slices.IndexFunc(out, func(p InstancePort) bool { return p.Port == in.TCPPort })
		if i >= 0 {
			out[i].Instance += "," + in.InstanceName
			continue
		}
		out = append(out, InstancePort{Port: in.TCPPort, Instance: in.InstanceName, Version: in.Version})
	}
	slices.SortFunc(out, func(a, b InstancePort) int { return int(a.Port) - int(b.Port) })
	return out
}

// TCPPorts is Details.TCPPorts of a Query's Service; nil for any other.
func TCPPorts(svc *probes.Service) []InstancePort {
	if svc == nil {
		return nil
	}
	d, _ := svc.Details.(*Details)
	return d.TCPPorts()
}

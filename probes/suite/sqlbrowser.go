package suite

import (
	"context"
	"strconv"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/sqlbrowser"
)

// sqlBrowserProbe asks the SQL Server Browser (UDP 1434, [MC-SQLR]) for
// its instances and, like rpcProbe with the endpoint mapper's dynamic
// ports, then probes each instance's TCP port with a TDS PRELOGIN: a
// named instance is reachable only if its own port is.
type sqlBrowserProbe struct {
	UDP    probes.UDP
	TDS    probes.TCP
	Follow bool
}

// maxSQLInstances bounds the ports followed: a browser lists a handful.
const maxSQLInstances = 16

// SQLBrowserDetails is the browser's answer plus the followed ports.
type SQLBrowserDetails struct {
	*sqlbrowser.Details
	Followed []SQLInstanceResult `json:"followed,omitempty"`
}

// SQLInstanceResult is the probe of one instance's TCP port.
type SQLInstanceResult struct {
	sqlbrowser.InstancePort
	Result probes.Result `json:"result"`
}

func (p sqlBrowserProbe) Probe(ctx context.Context, t probes.Target) probes.Result {
	r := p.UDP.Probe(ctx, t)
	if !p.Follow || r.Service == nil {
		return r
	}
	d, ok := r.Service.Details.(*sqlbrowser.Details)
	ports := sqlbrowser.TCPPorts(r.Service)
	if !ok || len(ports) == 0 {
		return r
	}
	if len(ports) > maxSQLInstances {
		ports = ports[:maxSQLInstances]
	}
	var followed []SQLInstanceResult
	reachable := 0
	for _, ip := range ports {
		if ctx.Err() != nil {
			break
		}
		tt := t
		tt.Port = ip.Port
		fr := p.TDS.Probe(ctx, tt)
		if fr.State.Reachable() {
			reachable++
		}
		followed = append(followed, SQLInstanceResult{InstancePort: ip, Result: fr})
	}
	svc := *r.Service
	svc.Details = SQLBrowserDetails{Details: d, Followed: followed}
	svc.Summary += ", " + strconv.Itoa(reachable) + "/" + strconv.Itoa(len(followed)) + " instance ports reachable"
	r.Service = &svc
	return r
}

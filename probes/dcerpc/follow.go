package dcerpc

import (
	"context"
	"net"
	"net/netip"
	"strconv"

	"golang.org/x/sync/errgroup"

	"github.com/winreach/winreach/probes"
)

// Bind is a probes.Conversation that confirms DCE/RPC on any
// connection-oriented RPC port: it offers Interface in a bind and reads
// the bind_ack or bind_nak (C706 12.6.4.3-12.6.4.5). A rejection of the
// interface still confirms RPC; the Summary says which.
type Bind struct {
	Interface SyntaxID
	// Name labels the interface in the Summary ("drsuapi"); InterfaceName
	// of the UUID when empty.
	Name string
}

// BindDetails is what a bind learned.
type BindDetails struct {
	Interface        UUID   `json:"interface_uuid"`
	InterfaceVersion string `json:"interface_version"`
	InterfaceName    string `json:"interface_name,omitempty"`
	// Result is "acceptance", a rejection with its reason, or
	// "bind_nak: <reason>".
	Result           string `json:"result"`
	Accepted         bool   `json:"accepted"`
	MaxXmitFrag      uint16 `json:"max_xmit_frag,omitempty"`
	AssocGroup       uint32 `json:"assoc_group,omitempty"`
	SecondaryAddress string `json:"secondary_address,omitempty"`
}

// Converse sends the bind and judges the reply.
func (b Bind) Converse(_ context.Context, conn net.Conn, _ probes.Target) probes.Answer {
	reply, first, err := bindOn(conn, b.Interface)
	if err != nil {
		return bindFailure(first, err)
	}
	d := &BindDetails{
		Interface:        b.Interface.UUID,
		InterfaceVersion: versionString(b.Interface.Major, b.Interface.Minor),
		InterfaceName:    b.Name,
	}
	if d.InterfaceName == "" {
		d.InterfaceName = InterfaceName(b.Interface.UUID)
	}
	name := d.InterfaceName
	if name == "" {
		name = b.Interface.UUID.String()
	}
	svc := &probes.Service{Protocol: "dcerpc", Details: d}
	switch r := reply.(type) {
	case BindNak:
		d.Result = "bind_nak: " + RejectReasonName(r.Reason)
		svc.Summary = "DCE/RPC bind to " + name + " refused (" + RejectReasonName(r.Reason) + ")"
	case BindAck:
		d.Result = bindResultText(r)
		d.Accepted = len(r.Results) > 0 && r.Results[0].Result == ResultAcceptance
		d.MaxXmitFrag, d.AssocGroup, d.SecondaryAddress = r.MaxXmitFrag, r.AssocGroup, r.SecondaryAddress
		if d.Accepted {
			svc.Summary = "DCE/RPC " + name + " " + d.InterfaceVersion + " bound"
		} else {
			svc.Summary = "DCE/RPC, " + name + " rejected (" + d.Result + ")"
		}
	}
	return probes.Answer{Service: svc}
}

func versionString(major, minor uint16) string {
	return strconv.Itoa(int(major)) + "." + strconv.Itoa(int(minor))
}

// Follow probes the dynamic TCP ports an endpoint mapper listed: each is
// connect-probed by TCP, which must have its Dialer and Timeout set; with
// Bind true the probe also binds to the first interface listed on the
// port, so a confirmed state proves that the RPC server itself answers.
type Follow struct {
	TCP  probes.TCP
	Bind bool
	// MaxPorts bounds how many ports are probed; 0 means 64.
	MaxPorts int
}

// FollowResult is the probe of one followed port.
type FollowResult struct {
	Port       uint16        `json:"port"`
	Interfaces []Interface   `json:"interfaces"`
	Result     probes.Result `json:"result"`
}

// followParallel bounds the followed ports probed at once: a DC lists
// a dozen or more, and a filtered one costs a whole timeout.
const followParallel = 4

// Probe probes the ports at addr, at most followParallel at a time, and
// returns their results in the order of ports. When ctx ends, ports not
// yet started get no row.
func (f Follow) Probe(ctx context.Context, addr netip.Addr, ports []TCPPort) []FollowResult {
	limit := f.MaxPorts
	if limit <= 0 {
		limit = 64
	}
	ports = ports[:min(limit, len(ports))]
	out := make([]FollowResult, len(ports))
	started := make([]bool, len(ports))
	var g errgroup.Group
	g.SetLimit(followParallel)
	for i, p := range ports {
		if ctx.Err() != nil {
			break
		}
		started[i] = true
		g.Go(func() error {
			tcp := f.TCP
			tcp.Talk = nil
			if f.Bind && len(p.Interfaces) > 0 {
				tcp.Talk = Bind{Interface: p.Interfaces[0].Syntax(), Name: p.Interfaces[0].Name}
			}
			r := tcp.Probe(ctx, probes.Target{Addr: addr, Port: p.Port})
			out[i] = FollowResult{Port: p.Port, Interfaces: p.Interfaces, Result: r}
			return nil
		})
	}
	g.Wait()
	kept := out[:0]
	for i, r := range out {
		if started[i] {
			kept = append(kept, r)
		}
	}
	return kept
}

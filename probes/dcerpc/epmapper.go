package dcerpc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/winreach/winreach/probes"
)

// Defaults of EndpointMapper's bounds.
const (
	defaultPageSize   = 100
	defaultMaxPages   = 50
	defaultMaxEntries = 2000
	// maxLookupStub bounds one reassembled ept_lookup response: a page of
	// entries of at most a few hundred bytes each.
	maxLookupStub = 1 << 20
	// EndpointMapperPort is the endpoint mapper's well-known TCP port
	// (C706 appendix H; [MS-RPCE] 2.1.1.1).
	EndpointMapperPort = 135
)

// EndpointMapper is the probes.Conversation for TCP 135: it binds to the
// endpoint mapper interface (C706 appendix L) and pages through ept_lookup
// on the returned context handle until the mapper answers
// StatusNoMoreEntries or an empty page. A bind_ack or a bind_nak already
// confirms DCE/RPC; the lookup adds the list of endpoints.
type EndpointMapper struct {
	// PageSize is max_ents per ept_lookup call; 0 means 100.
	PageSize uint32
	// MaxPages and MaxEntries bound the walk; 0 means 50 pages and 2000
	// entries.
	MaxPages   int
	MaxEntries int
}

// Details is what the endpoint mapper said.
type Details struct {
	// From the bind_ack (C706 12.6.4.4).
	MaxXmitFrag      uint16 `json:"max_xmit_frag,omitempty"`
	MaxRecvFrag      uint16 `json:"max_recv_frag,omitempty"`
	AssocGroup       uint32 `json:"assoc_group,omitempty"`
	SecondaryAddress string `json:"secondary_address,omitempty"`
	// BindResult is "acceptance", a rejection with its reason, or
	// "bind_nak: <reason>".
	BindResult string `json:"bind_result"`
	// Endpoints lists every ept_lookup entry, in the mapper's order.
	Endpoints []Endpoint `json:"endpoints,omitempty"`
	// Pages is the number of ept_lookup calls answered.
	Pages int `json:"pages,omitempty"`
	// Complete is true when the mapper said there were no more entries.
	Complete bool `json:"complete"`
	// LookupError says why the walk stopped early: a fault, a malformed
	// response, a bound reached.
	LookupError string `json:"lookup_error,omitempty"`
}

// Converse binds and walks the endpoint map.
func (m EndpointMapper) Converse(ctx context.Context, conn net.Conn, _ probes.Target) probes.Answer {
	bind, first, err := bindOn(conn, EPMapper())
	if err != nil {
		return bindFailure(first, err)
	}
	d := &Details{}
	svc := &probes.Service{Protocol: "epmapper", Details: d}
	switch b := bind.(type) {
	case BindNak:
		d.BindResult = "bind_nak: " + RejectReasonName(b.Reason)
		svc.Summary = "DCE/RPC endpoint mapper refused the bind (" + RejectReasonName(b.Reason) + ")"
		return probes.Answer{Service: svc}
	case BindAck:
		d.MaxXmitFrag, d.MaxRecvFrag = b.MaxXmitFrag, b.MaxRecvFrag
		d.AssocGroup, d.SecondaryAddress = b.AssocGroup, b.SecondaryAddress
		d.BindResult = bindResultText(b)
		if len(b.Results) == 0 || b.Results[0].Result != ResultAcceptance {
			svc.Summary = "DCE/RPC endpoint mapper rejected the bind (" + d.BindResult + ")"
			return probes.Answer{Service: svc}
		}
	}
	m.walk(ctx, conn, d)
	svc.Summary = d.summary()
	return probes.Answer{Service: svc}
}

// walk pages through ept_lookup, filling d; it never fails the probe.
func (m EndpointMapper) walk(ctx context.Context, conn net.Conn, d *Details) {
	pageSize, maxPages, maxEntries := m.PageSize, m.MaxPages, m.MaxEntries
	if pageSize == 0 {
		pageSize = defaultPageSize
	}
	if maxPages <= 0 {
		maxPages = defaultMaxPages
	}
	if maxEntries <= 0 {
		maxEntries = defaultMaxEntries
	}
	var handle Handle
	for page := range maxPages {
		if ctx.Err() != nil {
			d.LookupError = "interrupted: " + ctx.Err().Error()
			return
		}
		callID := uint32(page + 2) // call 1 was the bind
		req := AppendRequest(nil, callID, 0, OpLookup, AppendLookupRequest(nil, handle, pageSize))
		if _, err := conn.Write(req); err != nil {
			d.LookupError = "ept_lookup: " + err.Error()
			return
		}
		stub, order, err := ReadResponse(conn, callID, maxLookupStub)
		if err != nil {
			d.LookupError = "ept_lookup: " + err.Error()
			return
		}
		resp, err := ParseLookupResponse(stub, order)
		if err != nil {
			d.LookupError = "ept_lookup: " + err.Error()
			return
		}
		d.Pages++
		for _, e := range resp.Entries {
			if len(d.Endpoints) == maxEntries {
				d.LookupError = "stopped after " + strconv.Itoa(maxEntries) + " entries"
				return
			}
			d.Endpoints = append(d.Endpoints, endpointOf(e))
		}
		switch {
		case resp.Status == StatusNoMoreEntries, len(resp.Entries) == 0:
			d.Complete = true
			return
		case resp.Status != 0:
			d.LookupError = fmt.Sprintf("ept_lookup status 0x%08x (%s)", resp.Status, StatusName(resp.Status))
			return
		case resp.Handle == Handle{}:
			// The mapper closed the lookup context: nothing to continue on.
			d.Complete = true
			return
		}
		handle = resp.Handle
	}
	d.LookupError = "stopped after " + strconv.Itoa(maxPages) + " pages"
}

func endpointOf(e Entry) Endpoint {
	var ep Endpoint
	if e.Tower != nil {
		if floors, err := ParseTower(e.Tower); err == nil {
			ep = EndpointFromFloors(floors)
		} else {
			ep.Protocol = "malformed tower"
		}
	} else {
		ep.Protocol = "no tower"
	}
	if !e.Object.IsZero() {
		ep.ObjectUUID = e.Object.String()
	}
	ep.InterfaceName = InterfaceName(ep.InterfaceUUID)
	ep.Annotation = e.Annotation
	return ep
}

func (d *Details) summary() string {
	onTCP := 0
	for _, e := range d.Endpoints {
		if e.Protocol == "ncacn_ip_tcp" {
			onTCP++
		}
	}
	s := fmt.Sprintf("epmapper: %d endpoints, %d on TCP", len(d.Endpoints), onTCP)
	if ports := d.TCPPorts(); len(ports) > 0 {
		s += fmt.Sprintf(" (%d dynamic ports)", len(ports))
	}
	if !d.Complete {
		s += ", list incomplete"
	}
	return s
}

// TCPPort is one dynamic TCP port the endpoint mapper listed, with the
// interfaces registered on it.
type TCPPort struct {
	Port       uint16      `json:"port"`
	Interfaces []Interface `json:"interfaces"`
}

// Interface names one interface of a TCPPort.
type Interface struct {
	UUID    UUID   `json:"uuid"`
	Version string `json:"version"`
	Name    string `json:"name,omitempty"`
}

// Syntax is the interface as a bind's abstract syntax.
func (i Interface) Syntax() SyntaxID {
	s := SyntaxID{UUID: i.UUID}
	maj, min, _ := strings.Cut(i.Version, ".")
	if v, err := strconv.ParseUint(maj, 10, 16); err == nil {
		s.Major = uint16(v)
	}
	if v, err := strconv.ParseUint(min, 10, 16); err == nil {
		s.Minor = uint16(v)
	}
	return s
}

// TCPPorts lists the distinct ncacn_ip_tcp ports of the endpoints, other
// than the endpoint mapper's own 135, in ascending order, each with its
// distinct interfaces in the mapper's order: the ports a scan can follow.
func (d *Details) TCPPorts() []TCPPort {
	if d == nil {
		return nil
	}
	var ports []TCPPort
	for _, e := range d.Endpoints {
		if e.Protocol != "ncacn_ip_tcp" || e.Port == 0 || e.Port == EndpointMapperPort {
			continue
		}
		i := slices.IndexFunc(ports, func(p TCPPort) bool { return p.Port == e.Port })
		if i < 0 {
			ports = append(ports, TCPPort{Port: e.Port})
			i = len(ports) - 1
		}
		iface := Interface{UUID: e.InterfaceUUID, Version: e.InterfaceVersion, Name: e.InterfaceName}
		if !slices.Contains(ports[i].Interfaces, iface) {
			ports[i].Interfaces = append(ports[i].Interfaces, iface)
		}
	}
	slices.SortFunc(ports, func(a, b TCPPort) int { return int(a.Port) - int(b.Port) })
	return ports
}

// TCPPorts returns the dynamic TCP ports of an endpoint mapper result's
// Service, or nil when svc is not one.
func TCPPorts(svc *probes.Service) []TCPPort {
	if svc == nil {
		return nil
	}
	d, _ := svc.Details.(*Details)
	return d.TCPPorts()
}

// bindOn sends a bind for iface on conn and reads the reply: a BindAck or
// a BindNak. On error, first holds the bytes read, for quoting.
func bindOn(conn net.Conn, iface SyntaxID) (reply any, first []byte, err error) {
	if _, err := conn.Write(AppendBind(nil, 1, iface)); err != nil {
		return nil, nil, err
	}
	pdu, err := ReadPDU(conn)
	if err != nil {
		return nil, pdu, err
	}
	h, _ := ParseHeader(pdu)
	switch h.Type {
	case TypeBindAck:
		a, err := ParseBindAck(pdu)
		if err != nil {
			return nil, pdu, err
		}
		return a, pdu, nil
	case TypeBindNak:
		n, err := ParseBindNak(pdu)
		if err != nil {
			return nil, pdu, err
		}
		return n, pdu, nil
	}
	return nil, pdu, errNotBindReply
}

var errNotBindReply = errors.New("dcerpc: reply is not a bind_ack or bind_nak")

// bindFailure turns a failed bind into an Answer: bytes that are not a
// bind reply are quoted as unexpected; silence, a reset, or a read that
// stopped inside what may still be an RPC header is an error.
func bindFailure(first []byte, err error) probes.Answer {
	if len(first) == 0 || (len(first) < headerLen && maybeRPCPrefix(first) && err != errNotBindReply) {
		return probes.Answer{Err: err}
	}
	return probes.Answer{Unexpected: first}
}

// maybeRPCPrefix reports whether b can start a connection-oriented PDU
// (C706 12.6.3.1: rpc_vers 5, rpc_vers_minor 0 or 1).
func maybeRPCPrefix(b []byte) bool {
	return b[0] == 5 && (len(b) < 2 || b[1] <= 1)
}

func bindResultText(a BindAck) string {
	if len(a.Results) == 0 {
		return "no result"
	}
	r := a.Results[0]
	if r.Result == ResultAcceptance {
		return ResultName(r.Result)
	}
	return ResultName(r.Result) + ": " + ProviderReasonName(r.Reason)
}

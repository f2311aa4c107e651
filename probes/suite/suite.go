// Package suite is winreach's explicit probe list: which probe runs for
// each endpoint of the catalog. It is the one place where protocol probes
// are wired to ports, so reading it tells what winreach does on the wire.
package suite

import (
	"context"
	"net"
	"strconv"
	"time"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/banner"
	"github.com/winreach/winreach/probes/dcerpc"
	"github.com/winreach/winreach/probes/dhcp"
	"github.com/winreach/winreach/probes/dns"
	"github.com/winreach/winreach/probes/httpprobe"
	"github.com/winreach/winreach/probes/ica"
	"github.com/winreach/winreach/probes/ike"
	"github.com/winreach/winreach/probes/iso"
	"github.com/winreach/winreach/probes/kerberos"
	"github.com/winreach/winreach/probes/ldap"
	"github.com/winreach/winreach/probes/netbios"
	"github.com/winreach/winreach/probes/pptp"
	"github.com/winreach/winreach/probes/rdp"
	"github.com/winreach/winreach/probes/smb"
	"github.com/winreach/winreach/probes/tlsprobe"
	"github.com/winreach/winreach/probes/winsrepl"
)

// Config is what every probe of a scan shares.
type Config struct {
	Dialer  probes.Dialer // nil: a net.Dialer
	Timeout time.Duration // per attempt
	Retries int           // extra attempts after silence
	// RPCFollow probes the dynamic TCP ports the endpoint mapper lists.
	RPCFollow bool
	// Raw probes IP protocols (GRE, ESP, AH, RSVP); nil reports them as
	// not tested with Reason.
	Raw       probes.Prober
	RawReason probes.Reason
	RawNote   string
	// Responder sends token-bearing probes to UDP and IP endpoints, for
	// targets where `winreach listen` runs (see responder.go): a token
	// reply confirms, silence is filtered, never open|filtered.
	Responder bool
}

// udpMinRetries: UDP silence means nothing until the target had the chance
// to answer a retry (lost packets, ICMP rate limits).
const udpMinRetries = 2

// Suite returns the probe for an endpoint.
type Suite struct {
	cfg Config
}

// New builds the suite.
func New(cfg Config) *Suite {
	if cfg.Dialer == nil {
		cfg.Dialer = &net.Dialer{}
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 2 * time.Second
	}
	return &Suite{cfg: cfg}
}

func (s *Suite) tcp(talk probes.Conversation) probes.TCP {
	return probes.TCP{Dialer: s.cfg.Dialer, Timeout: s.cfg.Timeout, Retries: s.cfg.Retries, Talk: talk}
}

func (s *Suite) udp(x probes.Datagram) probes.UDP {
	return probes.UDP{Dialer: s.cfg.Dialer, Timeout: s.cfg.Timeout, Retries: max(s.cfg.Retries, udpMinRetries), Exchange: x}
}

// For returns the probe of one endpoint. Ports without a protocol probe
// get a TCP connect, or for UDP an empty datagram whose only possible
// answer is ICMP (reported as such).
func (s *Suite) For(e catalog.Endpoint) probes.Prober {
	switch e.Transport {
	case catalog.TCP:
		return s.forTCP(e.Port)
	case catalog.UDP:
		if s.cfg.Responder {
			return definitive{s.udp(tokenDatagram{})}
		}
		return s.forUDP(e.Port)
	case catalog.IP:
		if base, ok := rawBase(s.cfg.Raw); ok && s.cfg.Responder {
			return tokenRaw{base}
		}
		if s.cfg.Raw != nil {
			return s.cfg.Raw
		}
		return notTested{reason: s.cfg.RawReason, note: s.cfg.RawNote}
	}
	return notTested{reason: probes.ReasonUnsupported, note: "unknown transport"}
}

func (s *Suite) forTCP(port uint16) probes.Prober {
	switch port {
	case 25: // SMTP greeting, RFC 5321 4.2
		return s.tcp(banner.SMTP{})
	case 42: // WINS replication association start, [MS-WINSRA] 2.2
		return s.tcp(winsrepl.AssociationStart{})
	case 53:
		return s.tcp(dns.QueryTCP{})
	case 80: // HEAD / (Terminal Services Advanced Client web page)
		return s.tcp(httpprobe.Head{})
	case 88: // Kerberos AS-REQ, RFC 4120 7.2.2
		return s.tcp(kerberos.ASRequest{})
	case 102: // X.400 MTA over RFC 1006: COTP connection request
		return s.tcp(iso.ConnectRequest{})
	case 110:
		return s.tcp(banner.POP3{})
	case 119:
		return s.tcp(banner.NNTP{})
	case 135: // DCE/RPC endpoint mapper: bind, ept_lookup
		return rpcProbe{TCP: s.tcp(dcerpc.EndpointMapper{}), Follow: s.cfg.RPCFollow}
	case 139: // NetBIOS session request, then SMB negotiate inside it
		return netbios.Session{Dialer: s.cfg.Dialer, UDPDialer: s.cfg.Dialer, Timeout: s.cfg.Timeout, Retries: s.cfg.Retries, Then: smb.Negotiate{}}
	case 143:
		return s.tcp(banner.IMAP{})
	case 389: // LDAP rootDSE; on an AD DC also the CLDAP netlogon ping
		return ldapProbe{TCP: s.tcp(ldap.RootDSE{}), Ping: s.udp(ldap.NetlogonPing{})}
	case 445: // SMB2 negotiate, then whether SMB1 is accepted
		return smb.Probe{Dialer: s.cfg.Dialer, Timeout: s.cfg.Timeout, Retries: s.cfg.Retries}
	case 563:
		return s.tcp(tlsprobe.Handshake{Then: banner.NNTP{}})
	case 636:
		return s.tcp(tlsprobe.Handshake{Then: ldap.RootDSE{}})
	case 993:
		return s.tcp(tlsprobe.Handshake{Then: banner.IMAP{}})
	case 995:
		return s.tcp(tlsprobe.Handshake{Then: banner.POP3{}})
	case 1494: // Citrix ICA greeting
		return s.tcp(ica.Greeting{})
	case 1503: // pre-Beta 2 Terminal Server: plain X.224 connection request
		return s.tcp(rdp.LegacyCR{})
	case 1723: // PPTP start-control-connection
		return s.tcp(pptp.StartControl{})
	case 3389: // X.224 with RDP negotiation
		return s.tcp(rdp.Negotiate{})
	}
	// TCP 137 (WINS registration over TCP): nothing answers a name
	// service packet there, so the connect is the probe.
	return s.tcp(nil)
}

func (s *Suite) forUDP(port uint16) probes.Prober {
	switch port {
	case 53: // DNS ". NS IN", RFC 1035
		return s.udp(dns.Query{})
	case 67: // DHCPINFORM; the reply goes to port 68
		return dhcp.Inform{Timeout: s.cfg.Timeout, Retries: max(s.cfg.Retries, udpMinRetries)}
	case 88: // Kerberos AS-REQ, RFC 4120 7.2.1
		return s.udp(kerberos.ASRequest{})
	case 137: // NetBIOS node status, RFC 1002 4.2.17
		return s.udp(netbios.NodeStatus{})
	case 389: // CLDAP netlogon ping, [MS-ADTS] 6.3.3
		return s.udp(ldap.NetlogonPing{})
	case 500: // IKEv2 IKE_SA_INIT, then IKEv1 main mode
		return s.udp(ike.Initiator{})
	}
	// UDP 68, 138, 445, 1717, 2504: no public request gets an answer.
	return s.udp(nil)
}

// rpcProbe is the endpoint-mapper probe, optionally followed by a probe
// of every dynamic TCP port it lists (with a bind to the interface there),
// which Microsoft's tools leave to the admin.
type rpcProbe struct {
	TCP    probes.TCP
	Follow bool
}

// RPCDetails is the endpoint mapper's answer plus the followed ports.
type RPCDetails struct {
	*dcerpc.Details
	Followed []dcerpc.FollowResult `json:"followed,omitempty"`
}

func (p rpcProbe) Probe(ctx context.Context, t probes.Target) probes.Result {
	r := p.TCP.Probe(ctx, t)
	if !p.Follow || r.Service == nil {
		return r
	}
	d, ok := r.Service.Details.(*dcerpc.Details)
	if !ok {
		return r
	}
	ports := dcerpc.TCPPorts(r.Service)
	if len(ports) == 0 {
		return r
	}
	follow := dcerpc.Follow{TCP: p.TCP, Bind: true}
	followed := follow.Probe(ctx, t.Addr, ports)
	for _, f := range followed {
		if f.Result.OutOfDescriptors() {
			return f.Result
		}
	}
	svc := *r.Service
	svc.Details = RPCDetails{Details: d, Followed: followed}
	reachable := 0
	for _, f := range followed {
		if f.Result.State.Reachable() {
			reachable++
		}
	}
	svc.Summary += ", " + itoa(reachable) + "/" + itoa(len(followed)) + " dynamic ports reachable"
	r.Service = &svc
	return r
}

func itoa(n int) string { return strconv.Itoa(n) }

// notTested is the probe of an endpoint winreach cannot test here.
type notTested struct {
	reason probes.Reason
	note   string
}

func (n notTested) Probe(context.Context, probes.Target) probes.Result {
	reason := n.reason
	if reason == "" {
		reason = probes.ReasonUnsupported
	}
	return probes.Result{State: probes.NotTested, Reason: reason, Note: n.note}
}

package dhcp

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/icmperr"
)

// ClientPort is where servers send replies (RFC 2131 4.1).
const ClientPort = 68

// NeedsPrivilegeNote explains a not-tested result.
const NeedsPrivilegeNote = "DHCPINFORM replies go to UDP 68, a privileged port: run as root or `setcap cap_net_raw,cap_net_bind_service+ep winreach`"

// CheckPrivilege reports whether this process may bind the client port
// the probe needs: an error wrapping os.ErrPermission when it may not. A
// port in use (a DHCP client) is not a privilege problem and gives nil;
// the probe then says so in its own result.
func CheckPrivilege(ctx context.Context) error {
	var lc net.ListenConfig
	c, err := lc.ListenPacket(ctx, "udp4", fmt.Sprintf("127.0.0.1:%d", ClientPort))
	if err != nil {
		if errors.Is(err, os.ErrPermission) {
			return err
		}
		return nil
	}
	return c.Close()
}

// silenceNote qualifies open|filtered for DHCP.
const silenceNote = "no DHCPACK: no server, a filter, or a server that answers INFORM only from its own subnets (ISC dhcpd)"

// Inform is the UDP 67 Prober: it sends DHCPINFORM from client port 68
// and waits for the DHCPACK (or DHCPNAK) with the same xid.
type Inform struct {
	// LocalAddr chooses the scanner's own address toward the target, sent
	// as ciaddr and used as the source. Nil: the local address of a UDP
	// socket connected to the target (which sends nothing).
	LocalAddr func(ctx context.Context, target netip.Addr) (netip.Addr, error)
	// Listen opens a UDP socket bound to laddr and, when raddr is valid,
	// connected to it. Both sockets of a probe share the client port, so
	// the default sets SO_REUSEADDR.
	Listen func(ctx context.Context, laddr, raddr netip.AddrPort) (*net.UDPConn, error)
	// ClientPort overrides port 68 (tests; relays are out of scope).
	ClientPort uint16
	// HardwareAddr is sent as chaddr; nil means the MAC of the interface
	// holding the local address, or a locally administered one derived
	// from the address.
	HardwareAddr net.HardwareAddr
	Timeout      time.Duration // the longest any attempt waits
	Retries      int           // at most probes.MaxRetries
	Now          func() time.Time
}

// Details is what the server's reply said.
type Details struct {
	MessageType     string   `json:"message_type"`
	ServerID        string   `json:"server_id,omitempty"`
	From            string   `json:"from"` // the reply's source address
	ClientAddr      string   `json:"ciaddr,omitempty"`
	YourAddr        string   `json:"yiaddr,omitempty"`
	SubnetMask      string   `json:"subnet_mask,omitempty"`
	Routers         []string `json:"routers,omitempty"`
	DNS             []string `json:"dns,omitempty"`
	DomainName      string   `json:"domain_name,omitempty"`
	NetBIOSNS       []string `json:"netbios_name_servers,omitempty"`
	NetBIOSNodeType uint8    `json:"netbios_node_type,omitempty"`
	LeaseSeconds    *uint32  `json:"lease_seconds,omitempty"`
	ServerName      string   `json:"server_name,omitempty"`
	Message         string   `json:"message,omitempty"`
}

// datagram is one read from one of the two sockets.
type datagram struct {
	b         []byte
	from      netip.Addr
	connected bool // read on the socket connected to the target's port 67
	err       error
}

// Probe sends up to 1+Retries INFORMs and reads the answers.
func (p Inform) Probe(ctx context.Context, t probes.Target) probes.Result {
	now := p.Now
	if now == nil {
		now = time.Now
	}
	if !t.Addr.Unmap().Is4() {
		return probes.Result{State: probes.NotTested, Reason: probes.ReasonUnsupported, Note: "DHCPINFORM is IPv4 only (DHCPv6 uses UDP 547)"}
	}
	target := netip.AddrPortFrom(t.Addr.Unmap(), t.Port)
	local, err := p.localAddr(ctx, target.Addr())
	if err != nil {
		st, reason := probes.Classify(err)
		return probes.Result{State: st, Reason: reason, Note: "choosing a local address: " + err.Error()}
	}
	port := p.ClientPort
	if port == 0 {
		port = ClientPort
	}
	listen := p.Listen
	if listen == nil {
		listen = listenReuse
	}
	conn, err := listen(ctx, netip.AddrPortFrom(local, port), target)
	if err != nil {
		return bindFailure(err, port)
	}
	// The unconnected twin hears replies from another server address; if
	// it cannot be opened the probe still works for the usual case.
	// With the error queue on, an ICMP error names its type, code and
	// sender: a firewall's admin-prohibited is told from a missing host.
	_ = icmperr.EnableUDP(conn)
	conns := []*net.UDPConn{conn}
	if other, err := listen(ctx, netip.AddrPortFrom(local, port), netip.AddrPort{}); err == nil {
		conns = append(conns, other)
	}

	ch := make(chan datagram, 16)
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Go(func() { readLoop(c, i == 0, ch) })
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
		wg.Wait()
	}()

	hw := p.HardwareAddr
	if hw == nil {
		hw = hardwareAddr(local)
	}
	var xids []uint32
	wait := p.Timeout
	attempts := probes.Attempts(p.Retries)
	for attempt := 0; attempt < attempts; attempt++ {
		if attempt > 0 && t.Timing != nil && !t.Timing.Retry(ctx, attempt+1) {
			attempts = attempt // another attempt cannot change the result
			break
		}
		var x [4]byte
		rand.Read(x[:])
		xid := binary.BigEndian.Uint32(x[:])
		xids = append(xids, xid)
		start := now()
		msg := AppendInform(nil, InformRequest{XID: xid, ClientAddr: local, HardwareAddr: hw})
		if _, err := conn.Write(msg); err != nil {
			if r, final := errorResult(icmperr.EnrichUDP(conn, err), attempt+1); final {
				return r
			}
		}
		timer := time.NewTimer(probes.ServiceWait(t, attempt+1, wait))
	read:
		for {
			select {
			case <-ctx.Done():
				timer.Stop()
				return probes.Result{State: probes.NotTested, Reason: probes.ReasonLocalError, Note: "scan interrupted", Attempts: attempt + 1}
			case <-timer.C:
				if t.Timing != nil {
					t.Timing.Silent(attempt + 1)
				}
				break read
			case d := <-ch:
				if d.err != nil {
					if r, final := errorResult(d.err, attempt+1); final {
						timer.Stop()
						r.RTT = now().Sub(start)
						if t.Timing != nil && r.State != probes.NotTested {
							t.Timing.Answered(attempt+1, r.RTT, probes.ICMPAnswerer(r.ICMP, t.Addr, r.State == probes.Closed))
						}
						return r
					}
					continue
				}
				r, ok := judge(d, xids)
				if !ok {
					continue
				}
				timer.Stop()
				r.RTT, r.Attempts = now().Sub(start), attempt+1
				if t.Timing != nil {
					t.Timing.Answered(attempt+1, r.RTT, probes.FromHost)
				}
				return r
			}
		}
	}
	return probes.Result{State: probes.OpenFiltered, Reason: probes.ReasonNoResponse, Attempts: attempts, Note: silenceNote}
}

// readLoop forwards every datagram (and the first error on the connected
// socket) until the socket is closed.
func readLoop(c *net.UDPConn, connected bool, ch chan<- datagram) {
	buf := make([]byte, 1500)
	for {
		n, from, err := c.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			if connected { // an ICMP error reported on the connected socket
				select {
				case ch <- datagram{err: icmperr.EnrichUDP(c, err), connected: true}:
				default:
				}
				if errors.Is(err, syscall.ECONNREFUSED) {
					continue // the kernel clears it; later reads may still get replies
				}
			}
			if isTemporary(err) {
				continue
			}
			return
		}
		select {
		case ch <- datagram{b: append([]byte(nil), buf[:n]...), from: from.Addr().Unmap(), connected: connected}:
		default: // the prober is not keeping up: drop, as the network would
		}
	}
}

func isTemporary(err error) bool {
	var errno syscall.Errno
	return errors.As(err, &errno) && (errno == syscall.ECONNREFUSED || errno == syscall.EHOSTUNREACH ||
		errno == syscall.ENETUNREACH || errno == syscall.EINTR)
}

// judge classifies one datagram; ok false means ignore it (another
// client's traffic on port 68).
func judge(d datagram, xids []uint32) (probes.Result, bool) {
	r, err := ParseReply(d.b)
	if err != nil {
		if d.connected { // from the target's port 67, yet not DHCP
			return probes.Result{State: probes.Open, Reason: probes.ReasonUnexpectedReply, Note: probes.UnexpectedNote(d.b)}, true
		}
		return probes.Result{}, false
	}
	for _, x := range xids {
		if r.XID == x {
			return probes.Result{State: probes.Confirmed, Reason: probes.ReasonReply, Service: service(r, d.from)}, true
		}
	}
	return probes.Result{}, false
}

func service(r Reply, from netip.Addr) *probes.Service {
	d := Details{
		MessageType:     MessageTypeName(r.MessageType),
		From:            from.String(),
		Routers:         strs(r.Routers),
		DNS:             strs(r.DNS),
		DomainName:      r.DomainName,
		NetBIOSNS:       strs(r.NetBIOSNS),
		NetBIOSNodeType: r.NetBIOSNodeType,
		LeaseSeconds:    r.LeaseSeconds,
		ServerName:      r.ServerName,
		Message:         r.Message,
	}
	for dst, a := range map[*string]netip.Addr{&d.ServerID: r.ServerID, &d.ClientAddr: r.ClientAddr, &d.YourAddr: r.YourAddr, &d.SubnetMask: r.SubnetMask} {
		if a.IsValid() && !a.IsUnspecified() {
			*dst = a.String()
		}
	}
	summary := d.MessageType
	if d.ServerID != "" {
		summary += " from server " + d.ServerID
	}
	if d.DomainName != "" {
		summary += ", domain " + printable(d.DomainName)
	}
	if len(d.DNS) > 0 {
		summary += ", DNS " + strings.Join(d.DNS, " ")
	}
	return &probes.Service{Protocol: "dhcp", Summary: summary, Details: d}
}

func strs(as []netip.Addr) []string {
	var s []string
	for _, a := range as {
		s = append(s, a.String())
	}
	return s
}

// printable keeps a server's string safe for a one-line summary.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '\uFFFD' {
			return -1
		}
		return r
	}, s)
}

// errorResult turns an ICMP-derived socket error into a final result.
func errorResult(err error, attempt int) (probes.Result, bool) {
	st, reason, icmp := probes.ClassifyDetail("udp", err)
	switch {
	case st == probes.Closed && (reason == probes.ReasonReset || reason == probes.ReasonPortUnreachable):
		// On a UDP socket ECONNREFUSED can only come from ICMP 3/3.
		return probes.Result{State: probes.Closed, Reason: probes.ReasonPortUnreachable, ICMP: icmp, Attempts: attempt}, true
	case st == probes.Filtered && reason != probes.ReasonTimeout:
		return probes.Result{State: probes.Filtered, Reason: reason, ICMP: icmp, Attempts: attempt}, true
	case st == probes.NotTested:
		return probes.Result{State: st, Reason: reason, Note: err.Error(), Attempts: attempt}, true
	}
	return probes.Result{}, false
}

// bindFailure explains why the client port could not be opened.
func bindFailure(err error, port uint16) probes.Result {
	switch {
	case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		return probes.Result{State: probes.NotTested, Reason: probes.ReasonNeedsPrivilege, Note: NeedsPrivilegeNote}
	case errors.Is(err, syscall.EADDRINUSE):
		return probes.Result{State: probes.NotTested, Reason: probes.ReasonLocalError,
			Note: fmt.Sprintf("UDP port %d is in use (a DHCP client?): %v", port, err)}
	}
	st, reason := probes.Classify(err)
	if st == probes.Open || st == probes.Filtered && reason == probes.ReasonTimeout {
		st, reason = probes.NotTested, probes.ReasonLocalError
	}
	return probes.Result{State: st, Reason: reason, Note: err.Error()}
}

func (p Inform) localAddr(ctx context.Context, target netip.Addr) (netip.Addr, error) {
	if p.LocalAddr != nil {
		return p.LocalAddr(ctx, target)
	}
	return RouteLocalAddr(ctx, target)
}

// RouteLocalAddr returns the address the kernel would send from toward
// target: connecting a UDP socket picks it and sends nothing.
func RouteLocalAddr(ctx context.Context, target netip.Addr) (netip.Addr, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "udp4", netip.AddrPortFrom(target, 67).String())
	if err != nil {
		return netip.Addr{}, err
	}
	defer c.Close()
	ap, err := netip.ParseAddrPort(c.LocalAddr().String())
	if err != nil {
		return netip.Addr{}, err
	}
	return ap.Addr().Unmap(), nil
}

// listenReuse opens a UDP socket with SO_REUSEADDR on laddr, connected to
// raddr when it is valid.
func listenReuse(ctx context.Context, laddr, raddr netip.AddrPort) (*net.UDPConn, error) {
	if raddr.IsValid() {
		d := net.Dialer{LocalAddr: net.UDPAddrFromAddrPort(laddr), Control: reuseAddr}
		c, err := d.DialContext(ctx, "udp4", raddr.String())
		if err != nil {
			return nil, err
		}
		return c.(*net.UDPConn), nil
	}
	lc := net.ListenConfig{Control: reuseAddr}
	c, err := lc.ListenPacket(ctx, "udp4", laddr.String())
	if err != nil {
		return nil, err
	}
	return c.(*net.UDPConn), nil
}

// hardwareAddr returns the MAC of the interface that holds a, or a
// locally administered address 02:00:a.b.c.d.
func hardwareAddr(a netip.Addr) net.HardwareAddr {
	if ifs, err := net.Interfaces(); err == nil {
		for _, ifc := range ifs {
			addrs, err := ifc.Addrs()
			if err != nil || len(ifc.HardwareAddr) != 6 {
				continue
			}
			for _, ia := range addrs {
				if pfx, err := netip.ParsePrefix(ia.String()); err == nil && pfx.Addr().Unmap() == a {
					return ifc.HardwareAddr
				}
			}
		}
	}
	v := a.As4()
	return net.HardwareAddr{0x02, 0x00, v[0], v[1], v[2], v[3]}
}

package rawip

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"syscall"
	"time"

	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"

	"github.com/winreach/winreach/probes"
)

// NeedsPrivilegeNote is the Note of every raw result when the process
// lacks CAP_NET_RAW, and the line the caller prints once on stderr.
const NeedsPrivilegeNote = "needs CAP_NET_RAW: run as root or `setcap cap_net_raw,cap_net_bind_service+ep winreach`"

// sendTTL is the IP TTL (hop limit) of every probe, set explicitly because
// RSVP's Send_TTL must equal it (RFC 2205 3.8).
const sendTTL = 64

// PacketListener opens packet sockets; *net.ListenConfig is one.
type PacketListener interface {
	ListenPacket(ctx context.Context, network, address string) (net.PacketConn, error)
}

// Prober probes one IP protocol of one host: Target.Port is the protocol
// number (46, 47, 50 or 51). It implements probes.Prober.
type Prober struct {
	// Listen opens the raw socket of the protocol ("ip4:47", "ip6:50"),
	// which sends the probe and receives the target's own packets of the
	// protocol. &net.ListenConfig{} in a scan.
	Listen PacketListener
	// ICMP4 and ICMP6 are the scan's shared ICMP listeners. A nil one
	// means the process could not open it: results are NotTested.
	ICMP4, ICMP6 *Listener
	// Pacer spaces the packets to each host; nil sends at once.
	Pacer *Pacer
	// Timeout is the longest any packet's wait; with the scan's timing
	// the first waits the host's timeout and retries back off up to it.
	Timeout time.Duration
	// Retries is how many more packets to send after silence (at most
	// probes.MaxRetries).
	Retries int
	// Source returns the local address that packets to dst leave from;
	// nil asks the routing table (a UDP connect, which sends nothing).
	Source func(dst netip.Addr) (netip.Addr, error)
	// Now is the clock for RTTs; time.Now when nil.
	Now func() time.Time
	// Exchange, when set, replaces the probe packet and reads the
	// target's packets (winreach's responder mode); nil is nmap -sO's
	// probe, where any packet of the protocol from the target is open.
	Exchange Exchange
	// Local reports whether dst, reached from src, is this machine; nil
	// is IsLocal. Without an Exchange, a local target is probed through
	// an IPPROTO_RAW socket, with no socket of the protocol open (see
	// local.go).
	Local func(dst, src netip.Addr) bool
}

// Exchange is a conversation carried in raw packets of one protocol.
type Exchange interface {
	// Packet returns attempt's packet of proto from src to dst; seed
	// varies per probe, so a late error still names its attempt.
	Packet(proto int, src, dst netip.Addr, seed uint32, attempt int) []byte
	// Judge reads a packet of proto from the target. final is false for
	// an answer short of the expected one: the probe keeps waiting for
	// better until the attempt's time is up, and then returns it.
	Judge(proto int, b []byte) (r probes.Result, final bool)
	// WaitPastOpen reports whether a port-unreachable from the target
	// (the kernel's own handler of the protocol) is short of the expected
	// answer too, which may still follow.
	WaitPastOpen() bool
}

// CheckPrivilege reports whether raw probes can run: nil, or an error
// that wraps os.ErrPermission (no CAP_NET_RAW) or errors.ErrUnsupported
// (an OS where raw probes do not run). Callers print NeedsPrivilegeNote
// once when it fails with a permission error.
func CheckPrivilege(ctx context.Context) error {
	if note := unsupportedNote(); note != "" {
		return fmt.Errorf("%w: %s", errors.ErrUnsupported, note)
	}
	var lc net.ListenConfig
	c, err := lc.ListenPacket(ctx, "ip4:icmp", "0.0.0.0")
	if err != nil {
		return err
	}
	return c.Close()
}

// Known reports whether Prober has a packet for the IP protocol.
func Known(proto int) bool {
	switch proto {
	case ProtoRSVP, ProtoGRE, ProtoESP, ProtoAH:
		return true
	}
	return false
}

// Probe sends up to 1+Retries packets of the protocol and judges the
// answer as nmap -sO does.
func (p Prober) Probe(ctx context.Context, t probes.Target) probes.Result {
	if note := unsupportedNote(); note != "" {
		return probes.Result{State: probes.NotTested, Reason: probes.ReasonUnsupported, Note: note}
	}
	proto := int(t.Port)
	if !Known(proto) {
		return probes.Result{State: probes.NotTested, Reason: probes.ReasonNoProbe,
			Note: fmt.Sprintf("no packet is defined for IP protocol %d", proto)}
	}
	dst := t.Addr.Unmap()
	v6 := dst.Is6()
	icmpListener, family := p.ICMP4, "ip4"
	if v6 {
		icmpListener, family = p.ICMP6, "ip6"
	}
	if icmpListener == nil || p.Listen == nil {
		return probes.Result{State: probes.NotTested, Reason: probes.ReasonNeedsPrivilege, Note: NeedsPrivilegeNote}
	}
	src, err := p.source(dst)
	if err != nil {
		st, reason := probes.Classify(err)
		if st == probes.Filtered && reason == probes.ReasonTimeout {
			st, reason = probes.NotTested, probes.ReasonLocalError
		}
		return probes.Result{State: st, Reason: reason, Note: "no route: " + err.Error()}
	}
	local := p.Exchange == nil && p.isLocal(dst, src)
	network := fmt.Sprintf("%s:%d", family, proto)
	if local {
		network = fmt.Sprintf("%s:%d", family, protoRaw)
	}
	conn, err := p.Listen.ListenPacket(ctx, network, "")
	if err != nil {
		if errors.Is(err, os.ErrPermission) {
			return probes.Result{State: probes.NotTested, Reason: probes.ReasonNeedsPrivilege, Note: NeedsPrivilegeNote}
		}
		reason := probes.ReasonLocalError
		if _, r := probes.Classify(err); r == probes.ReasonNoDescriptors {
			reason = r
		}
		return probes.Result{State: probes.NotTested, Reason: reason, Note: err.Error()}
	}
	replies := make(chan []byte, 4)
	readerDone := make(chan struct{})
	if local {
		close(readerDone) // an IPPROTO_RAW socket receives nothing
	} else {
		go readFrom(conn, dst, replies, readerDone)
		setTTL(conn, v6)
	}
	defer func() {
		conn.Close()
		<-readerDone
	}()

	now := p.Now
	if now == nil {
		now = time.Now
	}
	attempts := probes.Attempts(p.Retries)
	errs := make(chan Error, 4*attempts)
	var (
		sent    [][]byte
		waited  time.Duration
		seed    = rand.Uint32()
		pending *probes.Result // an answer short of the expected one
	)
	wait := p.Timeout
	for attempt := range attempts {
		if attempt > 0 && t.Timing != nil && !t.Timing.Retry(ctx, attempt+1) {
			attempts = attempt // another attempt cannot change the result
			break
		}
		pkt := packet(proto, src, dst, seed, attempt)
		if p.Exchange != nil {
			pkt = p.Exchange.Packet(proto, src, dst, seed, attempt)
		}
		key, _ := Key(proto, pkt)
		stop := icmpListener.Watch(Match{Protocol: proto, Src: src, Dst: dst, Key: key}, errs)
		defer stop()
		if err := p.Pacer.Wait(ctx, dst); err != nil {
			return interrupted(attempt)
		}
		sent = append(sent, pkt)
		start := now()
		wire := pkt
		if local {
			wire = withIPHeader(proto, src, dst, pkt)
		}
		if _, err := conn.WriteTo(wire, &net.IPAddr{IP: dst.AsSlice()}); err != nil {
			st, reason := probes.Classify(err)
			if st == probes.Filtered && reason == probes.ReasonTimeout {
				st, reason = probes.NotTested, probes.ReasonLocalError
			}
			return probes.Result{State: st, Reason: reason, Note: "send: " + err.Error(), Attempts: attempt + 1}
		}
		timer := time.NewTimer(probes.AttemptTimeout(t, attempt+1, wait))
	waiting:
		for {
			select {
			case e := <-errs:
				r := judgeICMP(e, dst)
				r.RTT, r.Attempts = now().Sub(start), attempt+1
				if t.Timing != nil {
					t.Timing.Answered(attempt+1, r.RTT, probes.ICMPAnswerer(r.ICMP, dst, false))
				}
				if r.State == probes.Open && p.Exchange != nil && p.Exchange.WaitPastOpen() {
					pending = &r
					continue
				}
				timer.Stop()
				return r
			case b := <-replies:
				if wasSent(sent, b) {
					continue // our own packet, looped back to a local target
				}
				if t.Timing != nil {
					t.Timing.Answered(attempt+1, now().Sub(start), probes.FromHost)
				}
				r, final := probes.Result{State: probes.Open, Reason: probes.ReasonReply,
					Note: fmt.Sprintf("the target sent an IP protocol %d packet (%d bytes)", proto, len(b))}, true
				if p.Exchange != nil {
					r, final = p.Exchange.Judge(proto, b)
				}
				r.RTT, r.Attempts = now().Sub(start), attempt+1
				if !final {
					pending = &r
					continue
				}
				timer.Stop()
				return r
			case <-timer.C:
				if t.Timing != nil {
					t.Timing.Silent(attempt + 1)
				}
				break waiting
			case <-ctx.Done():
				timer.Stop()
				return interrupted(attempt + 1)
			}
		}
		if pending != nil {
			return *pending
		}
		waited += now().Sub(start)
	}
	return probes.Result{State: probes.OpenFiltered, Reason: probes.ReasonNoResponse, Attempts: attempts, Wait: waited,
		Note: "no ICMP error and no packet of the protocol: a firewall dropped it, or the target accepted it silently"}
}

func interrupted(attempts int) probes.Result {
	return probes.Result{State: probes.NotTested, Reason: probes.ReasonLocalError, Note: "scan interrupted", Attempts: attempts}
}

// judgeICMP applies nmap -sO's rules to an ICMP error about our packet.
func judgeICMP(e Error, target netip.Addr) probes.Result {
	m := &probes.ICMP{Type: e.Type, Code: e.Code, From: e.From, V6: e.V6}
	fromTarget := e.From == target.Unmap()
	reason, ok := probes.ICMPReason(*m)
	if !ok {
		return probes.Result{State: probes.Filtered, Reason: probes.ReasonUnexpectedReply, ICMP: m,
			Note: fmt.Sprintf("ICMP type %d code %d about the probe", e.Type, e.Code)}
	}
	r := probes.Result{State: probes.Filtered, Reason: reason, ICMP: m}
	switch {
	case reason == probes.ReasonProtoUnreachable && fromTarget:
		r.State = probes.Closed
	case reason == probes.ReasonPortUnreachable && fromTarget:
		// The target handled the protocol and found no session for it.
		r.State, r.Note = probes.Open, "the target handles the protocol (port-unreachable for the probe's session)"
	case !fromTarget:
		r.Note = "sent by " + e.From.String() + ", not by the target"
	}
	return r
}

// packet builds attempt's probe: keys differ per probe and per attempt,
// so a late error still names the attempt that drew it.
func packet(proto int, src, dst netip.Addr, seed uint32, attempt int) []byte {
	n := seed + uint32(attempt)
	switch proto {
	case ProtoGRE:
		return AppendGRE(nil, uint16(n), uint32(attempt))
	case ProtoESP:
		return AppendESP(nil, spi(n), uint32(attempt)+1)
	case ProtoAH:
		return AppendAH(nil, spi(n), uint32(attempt)+1)
	case ProtoRSVP:
		return AppendRSVPPath(nil, RSVPPath{Src: src, Dst: dst, DstPort: 9, SrcPort: 9, LIH: n & 0xffff, TTL: sendTTL})
	}
	return nil
}

// spi keeps n out of the IANA-reserved range 1-255 (RFC 4303 2.1).
func spi(n uint32) uint32 {
	if n < 256 {
		n += 256
	}
	return n
}

func wasSent(sent [][]byte, b []byte) bool {
	for _, s := range sent {
		if bytes.Equal(s, b) {
			return true
		}
	}
	return false
}

// readFrom forwards the packets from dst on conn until conn is closed.
func readFrom(conn net.PacketConn, dst netip.Addr, out chan<- []byte, done chan<- struct{}) {
	defer close(done)
	buf := make([]byte, maxICMP)
	for failures := 0; failures < 100; {
		n, from, err := conn.ReadFrom(buf)
		if err != nil {
			var ne net.Error
			if errors.Is(err, net.ErrClosed) || errors.As(err, &ne) && ne.Timeout() {
				return
			}
			failures++ // transient (ENOBUFS); a socket that only fails is given up
			continue
		}
		if addrOf(from) != dst {
			continue
		}
		select {
		case out <- append([]byte(nil), buf[:n]...):
		default:
		}
	}
}

func setTTL(conn net.PacketConn, v6 bool) {
	if _, ok := conn.(syscall.Conn); !ok {
		return // not a socket (a test's fake): nothing to set
	}
	if v6 {
		_ = ipv6.NewPacketConn(conn).SetHopLimit(sendTTL)
		return
	}
	_ = ipv4.NewPacketConn(conn).SetTTL(sendTTL)
}

func (p Prober) isLocal(dst, src netip.Addr) bool {
	if p.Local != nil {
		return p.Local(dst, src)
	}
	return IsLocal(dst, src)
}

func (p Prober) source(dst netip.Addr) (netip.Addr, error) {
	if p.Source != nil {
		return p.Source(dst)
	}
	// Connecting a UDP socket picks the source address from the routing
	// table without sending a packet.
	c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(netip.AddrPortFrom(dst, 9)))
	if err != nil {
		return netip.Addr{}, err
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).AddrPort().Addr().Unmap(), nil
}

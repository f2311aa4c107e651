package suite

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

	"winreach/probes"
	"winreach/probes/rawip"
	"winreach/scanner/responder"
)

// ResponderProtocol is the Service.Protocol of an endpoint where
// `winreach listen` echoed the token.
const ResponderProtocol = "winreach-listen"

// DroppedNote qualifies a --responder probe that got no answer: winreach
// listen answers every token, so silence is a drop on the path, never
// open|filtered.
const DroppedNote = "winreach listen would have answered: dropped on the path"

// errNotToken: a reply that is not a listener's token reply.
var errNotToken = errors.New("not a winreach listen reply")

func listenService(what string) *probes.Service {
	return &probes.Service{Protocol: ResponderProtocol, Summary: "winreach listen echoed the " + what + " token"}
}

// tokenDatagram is the UDP exchange of --responder: a request token with a
// fresh nonce per attempt, answered by the same token as a reply.
type tokenDatagram struct{}

func (tokenDatagram) Request(probes.Target, int) []byte {
	return responder.AppendUDPRequest(nil, responder.NewNonce())
}

func (tokenDatagram) Parse(req, reply []byte) (*probes.Service, error) {
	if len(reply) != responder.TokenLen {
		return nil, errNotToken
	}
	tok, err := responder.ParseToken(reply)
	if err != nil || tok.Kind != responder.KindReply {
		return nil, errNotToken
	}
	sent, err := responder.ParseToken(req)
	if err != nil || sent.Nonce != tok.Nonce {
		return nil, probes.ErrNotForUs // a late reply to another attempt
	}
	return listenService("UDP"), nil
}

// definitive turns the silence of a token probe into filtered: the
// listener answers every token, so nothing came back because something
// dropped the probe or the answer.
type definitive struct{ probes.Prober }

func (d definitive) Probe(ctx context.Context, t probes.Target) probes.Result {
	r := d.Prober.Probe(ctx, t)
	if r.State == probes.OpenFiltered {
		r.State, r.Note = probes.Filtered, DroppedNote
	}
	return r
}

// rawBase extracts the scan's raw prober settings (its ICMP listeners,
// pacer and timeouts) from Config.Raw.
func rawBase(p probes.Prober) (rawip.Prober, bool) {
	switch p := p.(type) {
	case rawip.Prober:
		return p, true
	case *rawip.Prober:
		return *p, p != nil
	}
	return rawip.Prober{}, false
}

// tokenRaw probes an IP protocol with a packet that carries a request
// token. The listener's reply (the same packet, token kind reply) is
// confirmed; ICMP errors are judged as rawip judges them; silence is
// filtered.
type tokenRaw struct{ rawip.Prober }

// rawSendTTL matches rawip's TTL, which RSVP's Send_TTL must equal.
const rawSendTTL = 64

func (p tokenRaw) Probe(ctx context.Context, t probes.Target) probes.Result {
	proto := int(t.Port)
	if !rawip.Known(proto) {
		return p.Prober.Probe(ctx, t) // rawip says why
	}
	dst := t.Addr.Unmap()
	v6 := dst.Is6()
	icmpListener, family := p.ICMP4, "ip4"
	if v6 {
		icmpListener, family = p.ICMP6, "ip6"
	}
	if icmpListener == nil || p.Listen == nil {
		return probes.Result{State: probes.NotTested, Reason: probes.ReasonNeedsPrivilege, Note: rawip.NeedsPrivilegeNote}
	}
	src, err := rawSource(p.Prober, dst)
	if err != nil {
		return probes.Result{State: probes.NotTested, Reason: probes.ReasonLocalError, Note: "no route: " + err.Error()}
	}
	conn, err := p.Listen.ListenPacket(ctx, fmt.Sprintf("%s:%d", family, proto), "")
	if err != nil {
		if errors.Is(err, os.ErrPermission) {
			return probes.Result{State: probes.NotTested, Reason: probes.ReasonNeedsPrivilege, Note: rawip.NeedsPrivilegeNote}
		}
		return probes.Result{State: probes.NotTested, Reason: probes.ReasonLocalError, Note: err.Error()}
	}
	replies := make(chan []byte, 8)
	readerDone := make(chan struct{})
	go readPackets(conn, dst, replies, readerDone)
	defer func() {
		conn.Close()
		<-readerDone
	}()
	if _, ok := conn.(syscall.Conn); ok {
		if v6 {
			_ = ipv6.NewPacketConn(conn).SetHopLimit(rawSendTTL)
		} else {
			_ = ipv4.NewPacketConn(conn).SetTTL(rawSendTTL)
		}
	}

	attempts := 1 + max(0, p.Retries)
	errs := make(chan rawip.Error, 4*attempts)
	var (
		nonces  []responder.Nonce
		sent    [][]byte
		waited  time.Duration
		pending *probes.Result // an answer short of the token, kept while waiting for it
		seed    = rand.Uint32()
	)
	wait := p.Timeout
	for attempt := range attempts {
		n := responder.NewNonce()
		pkt := responder.AppendIPRequest(nil, proto, src, dst, seed+uint32(attempt), n)
		key, _ := rawip.Key(proto, pkt)
		stop := icmpListener.Watch(rawip.Match{Protocol: proto, Src: src, Dst: dst, Key: key}, errs)
		defer stop()
		if err := p.Pacer.Wait(ctx, dst); err != nil {
			return interrupted(attempt)
		}
		nonces, sent = append(nonces, n), append(sent, pkt)
		start := time.Now()
		if _, err := conn.WriteTo(pkt, &net.IPAddr{IP: dst.AsSlice()}); err != nil {
			st, reason := probes.Classify(err)
			if st == probes.Filtered && reason == probes.ReasonTimeout {
				st, reason = probes.NotTested, probes.ReasonLocalError
			}
			return probes.Result{State: st, Reason: reason, Note: "send: " + err.Error(), Attempts: attempt + 1}
		}
		timer := time.NewTimer(wait)
	waiting:
		for {
			select {
			case e := <-errs:
				r := judgeRawICMP(e, dst)
				r.RTT, r.Attempts = time.Since(start), attempt+1
				if r.State == probes.Open {
					// Port-unreachable from the target: the kernel's own
					// handler of the protocol (ip_gre) answered first; the
					// listener's token may still follow.
					pending = &r
					continue
				}
				timer.Stop()
				return r
			case b := <-replies:
				if containsPacket(sent, b) {
					continue // our own packet, looped back to a local target
				}
				if got, err := responder.ParseIPReply(proto, b); err == nil && containsNonce(nonces, got) {
					timer.Stop()
					return probes.Result{State: probes.Confirmed, Reason: probes.ReasonReply,
						Service: listenService(catalogName(proto)), RTT: time.Since(start), Attempts: attempt + 1}
				}
				pending = &probes.Result{State: probes.Open, Reason: probes.ReasonUnexpectedReply, RTT: time.Since(start), Attempts: attempt + 1,
					Note: fmt.Sprintf("the target sent an IP protocol %d packet without the token (%d bytes)", proto, len(b))}
			case <-timer.C:
				break waiting
			case <-ctx.Done():
				timer.Stop()
				return interrupted(attempt + 1)
			}
		}
		if pending != nil {
			return *pending
		}
		waited += time.Since(start)
		wait = wait * 3 / 2
	}
	return probes.Result{State: probes.Filtered, Reason: probes.ReasonNoResponse, Attempts: attempts, Wait: waited, Note: DroppedNote}
}

func catalogName(proto int) string {
	switch proto {
	case rawip.ProtoRSVP:
		return "RSVP"
	case rawip.ProtoGRE:
		return "GRE"
	case rawip.ProtoESP:
		return "ESP"
	case rawip.ProtoAH:
		return "AH"
	}
	return "IP"
}

func interrupted(attempts int) probes.Result {
	return probes.Result{State: probes.NotTested, Reason: probes.ReasonLocalError, Note: "scan interrupted", Attempts: attempts}
}

// judgeRawICMP applies nmap -sO's rules (as rawip does) to an ICMP error
// about a token probe.
func judgeRawICMP(e rawip.Error, target netip.Addr) probes.Result {
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
		r.State, r.Note = probes.Closed, "the target does not handle the protocol: is winreach listen running there as root?"
	case reason == probes.ReasonPortUnreachable && fromTarget:
		r.State, r.Note = probes.Open, "the target handles the protocol (port-unreachable for the probe's session), but winreach listen did not echo the token"
	case !fromTarget:
		r.Note = "sent by " + e.From.String() + ", not by the target"
	}
	return r
}

func containsPacket(sent [][]byte, b []byte) bool {
	for _, s := range sent {
		if bytes.Equal(s, b) {
			return true
		}
	}
	return false
}

func containsNonce(ns []responder.Nonce, n responder.Nonce) bool {
	for _, x := range ns {
		if x == n {
			return true
		}
	}
	return false
}

// maxRawPacket bounds every raw read.
const maxRawPacket = 1500

// readPackets forwards the packets from dst on conn until it is closed.
func readPackets(conn net.PacketConn, dst netip.Addr, out chan<- []byte, done chan<- struct{}) {
	defer close(done)
	buf := make([]byte, maxRawPacket)
	for failures := 0; failures < 100; {
		n, from, err := conn.ReadFrom(buf)
		if err != nil {
			var ne net.Error
			if errors.Is(err, net.ErrClosed) || errors.As(err, &ne) && ne.Timeout() {
				return
			}
			failures++
			continue
		}
		var ip net.IP
		if a, ok := from.(*net.IPAddr); ok {
			ip = a.IP
		}
		if a, _ := netip.AddrFromSlice(ip); a.Unmap() != dst {
			continue
		}
		select {
		case out <- append([]byte(nil), buf[:n]...):
		default:
		}
	}
}

// rawSource is the local address packets to dst leave from.
func rawSource(p rawip.Prober, dst netip.Addr) (netip.Addr, error) {
	if p.Source != nil {
		return p.Source(dst)
	}
	// Connecting a UDP socket picks the source from the routing table
	// without sending a packet.
	c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(netip.AddrPortFrom(dst, 9)))
	if err != nil {
		return netip.Addr{}, err
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).AddrPort().Addr().Unmap(), nil
}

package probes

import (
	"errors"
	"net/netip"
	"slices"
	"syscall"
)

// icmpDetail is implemented by socket errors that know the ICMP message
// behind them: icmperr.Error, filled from the Linux socket error queue.
// An interface, so that this package does not depend on the OS-specific one.
type icmpDetail interface {
	ICMPDetail() (typ, code int, from netip.Addr, v6 bool)
}

// ErrorICMP returns the ICMP error carried by err, if any.
func ErrorICMP(err error) *ICMP {
	var d icmpDetail
	if !errors.As(err, &d) {
		return nil
	}
	typ, code, from, v6 := d.ICMPDetail()
	return &ICMP{Type: typ, Code: code, From: from, V6: v6}
}

// ClassifyDetail is Classify refined by the ICMP error behind err when the
// socket reported one: it tells a firewall's reject (admin-prohibited) from
// a host that does not answer ARP (host-unreachable) although Linux gives
// both as EHOSTUNREACH, and returns the message for Result.ICMP.
//
// network is "tcp" or "udp" because ICMP port-unreachable means different
// things: on UDP it is the target saying nothing listens (closed); a TCP
// stack answers with RST, so ICMP port-unreachable for a SYN is a packet
// filter's reject (iptables' and nftables' default), which nmap reports as
// filtered.
func ClassifyDetail(network string, err error) (State, Reason, *ICMP) {
	st, reason := Classify(err)
	m := ErrorICMP(err)
	if m == nil {
		return st, reason, nil
	}
	r, ok := ICMPReason(*m)
	if !ok {
		return st, reason, m
	}
	switch r {
	case ReasonPortUnreachable:
		if network == "tcp" || network == "tcp4" || network == "tcp6" {
			return Filtered, r, m
		}
		return Closed, r, m
	case ReasonProtoUnreachable:
		return Closed, r, m
	}
	return Filtered, r, m
}

// ClassifyConnect is ClassifyDetail for the error of a TCP connect. A
// connect that the peer refused ends with ECONNREFUSED (a RST in SYN-SENT,
// RFC 9293 3.10.7.3): closed. But the errors only an established socket
// can have (connectedErrnos: ECONNRESET, EPIPE) mean the handshake
// completed and the peer then reset or closed: the port is open. On
// loopback an accept-then-reset server's RST often arrives before the
// dialer has read the connect's outcome from SO_ERROR, which then holds
// ECONNRESET instead of 0 (issue 14: 1 scan in 6 read closed).
func ClassifyConnect(err error) (State, Reason, *ICMP) {
	var errno syscall.Errno
	if errors.As(err, &errno) && slices.Contains(connectedErrnos, errno) {
		return Open, ReasonClosedEarly, nil
	}
	return ClassifyDetail("tcp", err)
}

// ICMPReason names an ICMP (RFC 792, RFC 1812 5.2.7.1) or ICMPv6 (RFC
// 4443 3) error in the reason vocabulary; ok is false for messages that
// are not about reachability (redirects, fragmentation needed, echo).
func ICMPReason(m ICMP) (r Reason, ok bool) {
	if m.V6 {
		switch {
		case m.Type == 1: // destination unreachable
			switch m.Code {
			case 0, 2: // no route; beyond scope of source address
				return ReasonNetUnreachable, true
			case 1, 5, 6: // administratively prohibited; source address failed policy; reject route
				return ReasonAdminProhibited, true
			case 3: // address unreachable (no neighbor answer)
				return ReasonHostUnreachable, true
			case 4:
				return ReasonPortUnreachable, true
			}
		case m.Type == 3:
			return ReasonTimeExceeded, true
		case m.Type == 4 && m.Code == 1: // unrecognized Next Header
			return ReasonProtoUnreachable, true
		}
		return "", false
	}
	switch m.Type {
	case 3: // destination unreachable
		switch m.Code {
		case 0, 6, 11: // net unreachable; net unknown; net unreachable for TOS
			return ReasonNetUnreachable, true
		case 1, 7, 12: // host unreachable; host unknown; host unreachable for TOS
			return ReasonHostUnreachable, true
		case 2:
			return ReasonProtoUnreachable, true
		case 3:
			return ReasonPortUnreachable, true
		case 9, 10, 13: // net, host, communication administratively prohibited
			return ReasonAdminProhibited, true
		}
	case 11:
		return ReasonTimeExceeded, true
	}
	return "", false
}

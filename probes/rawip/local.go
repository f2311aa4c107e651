package rawip

import (
	"encoding/binary"
	"net/netip"
)

// A target that is this machine needs another way to send. Linux answers
// a packet of a protocol it has no handler for with ICMP
// protocol-unreachable only when no raw socket of the protocol took the
// packet (net/ipv4/ip_input.c ip_protocol_deliver_rcu): the socket the
// probe opens to read the target's packets would swallow its own probe
// and suppress the very answer nmap -sO reports as closed. So to a local
// target the probe sends through an IPPROTO_RAW socket (which implies
// IP_HDRINCL and never receives: raw(7)), with an IP header of its own,
// opens no socket of the protocol and reads only the ICMP answer. A
// local stack sends no packet of the protocol back to a one-packet
// probe, so nothing is lost.

// protoRaw is IPPROTO_RAW.
const protoRaw = 255

// IsLocal reports whether a packet to dst, leaving from src (the route's
// source address), stays on this machine: a loopback address, or one of
// this machine's own, for which the route's source is the address itself.
func IsLocal(dst, src netip.Addr) bool {
	dst, src = dst.Unmap(), src.Unmap()
	return dst.IsLoopback() || dst == src
}

// ipv4HeaderLen is the length of an IPv4 header without options.
const ipv4HeaderLen = 20

// AppendIPv4Header appends an IPv4 header without options (RFC 791 3.1)
// for a payload of n bytes of proto from src to dst, with TTL sendTTL. The
// identification and checksum are left zero: Linux fills both in for an
// IP_HDRINCL socket (raw(7)), and the total length too.
func AppendIPv4Header(b []byte, proto int, src, dst netip.Addr, n int) []byte {
	b = append(b, 0x45, 0) // version 4, IHL 5; TOS 0
	b = binary.BigEndian.AppendUint16(b, uint16(ipv4HeaderLen+n))
	b = append(b, 0, 0, 0x40, 0) // identification; flags DF, fragment offset 0
	b = append(b, sendTTL, byte(proto), 0, 0)
	s, d := src.Unmap().As4(), dst.Unmap().As4()
	b = append(b, s[:]...)
	return append(b, d[:]...)
}

// AppendIPv6Header appends an IPv6 header (RFC 8200 3) for a payload of
// n bytes of proto from src to dst, with hop limit sendTTL.
func AppendIPv6Header(b []byte, proto int, src, dst netip.Addr, n int) []byte {
	b = append(b, 0x60, 0, 0, 0) // version 6, traffic class 0, flow label 0
	b = binary.BigEndian.AppendUint16(b, uint16(n))
	b = append(b, byte(proto), sendTTL)
	s, d := src.As16(), dst.As16()
	b = append(b, s[:]...)
	return append(b, d[:]...)
}

// withIPHeader returns pkt behind the IP header of its family, for an
// IPPROTO_RAW socket.
func withIPHeader(proto int, src, dst netip.Addr, pkt []byte) []byte {
	var b []byte
	if dst.Unmap().Is4() {
		b = AppendIPv4Header(make([]byte, 0, ipv4HeaderLen+len(pkt)), proto, src, dst, len(pkt))
	} else {
		b = AppendIPv6Header(make([]byte, 0, 40+len(pkt)), proto, src, dst, len(pkt))
	}
	return append(b, pkt...)
}

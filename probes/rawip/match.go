package rawip

import (
	"encoding/binary"
	"errors"
	"net/netip"

	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// ICMP protocol numbers for icmp.ParseMessage.
const (
	protoICMP   = 1
	protoICMPv6 = 58
)

// Quote is the start of a sent packet as an ICMP error quotes it.
type Quote struct {
	Protocol int        // IPv4 Protocol; IPv6 the Next Header after any extension headers
	Src, Dst netip.Addr // the probe's source and destination
	ID       uint16     // IPv4 Identification (RFC 791); 0 for IPv6
	Payload  []byte     // the quoted transport bytes (at least 8 from a conforming router)
}

// Key is the protocol key of the quoted packet (see the Key function).
func (q Quote) Key() (uint32, bool) { return Key(q.Protocol, q.Payload) }

// Error is one ICMP or ICMPv6 error message about a packet we sent.
type Error struct {
	V6   bool
	Type int // 3 destination unreachable, 11 time exceeded, 12 parameter problem (ICMPv6: 1, 3, 4)
	Code int
	// From is the sender of the error: the target, or a router or firewall on the path.
	From  netip.Addr
	Quote Quote
}

var (
	errNotError = errors.New("rawip: not an ICMP error message")
	errShort    = errors.New("rawip: quoted header truncated")
)

// ParseError parses an ICMP (v6 false) or ICMPv6 message that starts at
// the ICMP header, as an "ip4:icmp" or "ip6:ipv6-icmp" socket returns it,
// and extracts the quoted datagram. Only destination unreachable, time
// exceeded and parameter problem carry a quote; other types are errors.
func ParseError(b []byte, v6 bool, from netip.Addr) (Error, error) {
	proto := protoICMP
	if v6 {
		proto = protoICMPv6
	}
	m, err := icmp.ParseMessage(proto, b)
	if err != nil {
		return Error{}, err
	}
	var data []byte
	switch body := m.Body.(type) {
	case *icmp.DstUnreach:
		data = body.Data
	case *icmp.TimeExceeded:
		data = body.Data
	case *icmp.ParamProb:
		data = body.Data
	default:
		return Error{}, errNotError
	}
	e := Error{V6: v6, Code: m.Code, From: from.Unmap()}
	switch t := m.Type.(type) {
	case ipv4.ICMPType:
		e.Type = int(t)
	case ipv6.ICMPType:
		e.Type = int(t)
	}
	if v6 {
		e.Quote, err = ParseQuote6(data)
	} else {
		e.Quote, err = ParseQuote4(data)
	}
	return e, err
}

// ParseQuote4 parses the IPv4 header and payload an ICMP error quotes
// (RFC 792: the internet header plus at least 64 bits of data).
func ParseQuote4(b []byte) (Quote, error) {
	if len(b) < 20 || b[0]>>4 != 4 {
		return Quote{}, errShort
	}
	ihl := int(b[0]&0x0f) * 4
	if ihl < 20 || len(b) < ihl {
		return Quote{}, errShort
	}
	q := Quote{
		Protocol: int(b[9]),
		ID:       binary.BigEndian.Uint16(b[4:]),
		Src:      netip.AddrFrom4([4]byte(b[12:16])),
		Dst:      netip.AddrFrom4([4]byte(b[16:20])),
		Payload:  b[ihl:],
	}
	// The quote may be longer than the original datagram's payload (an
	// ICMP extension structure follows a padded quote, RFC 4884); cut to
	// the Total Length when it says so.
	if total := int(binary.BigEndian.Uint16(b[2:])); total >= ihl && total < len(b) {
		q.Payload = b[ihl:total]
	}
	return q, nil
}

// ParseQuote6 parses the IPv6 header an ICMPv6 error quotes (RFC 4443
// 2.4(c): as much of the invoking packet as fits in the minimum MTU) and
// walks the extension headers a probe could carry (hop-by-hop, routing,
// destination options) to the upper-layer protocol.
func ParseQuote6(b []byte) (Quote, error) {
	if len(b) < 40 || b[0]>>4 != 6 {
		return Quote{}, errShort
	}
	q := Quote{
		Protocol: int(b[6]),
		Src:      netip.AddrFrom16([16]byte(b[8:24])),
		Dst:      netip.AddrFrom16([16]byte(b[24:40])),
	}
	rest := b[40:]
	// Bounded: a probe carries at most a few extension headers.
	for i := 0; i < 8 && isExtensionHeader(q.Protocol); i++ {
		// RFC 8200 4.3, 4.4, 4.6: next header, then the length in 8-byte
		// units beyond the first 8.
		if len(rest) < 8 {
			return Quote{}, errShort
		}
		n := 8 + int(rest[1])*8
		if len(rest) < n {
			return Quote{}, errShort
		}
		q.Protocol, rest = int(rest[0]), rest[n:]
	}
	q.Payload = rest
	return q, nil
}

// isExtensionHeader reports the IPv6 extension headers ParseQuote6 skips:
// hop-by-hop options (0), routing (43), destination options (60).
func isExtensionHeader(nh int) bool { return nh == 0 || nh == 43 || nh == 60 }

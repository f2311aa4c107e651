package token

import (
	"encoding/binary"
	"net/netip"

	"github.com/winreach/winreach/probes/rawip"
)

// MinHeader is the shortest packet of each protocol that a raw probe
// carries before its token: GRE with key and sequence number (RFC 2637
// 4.1), ESP's SPI and sequence number (RFC 4303 2), AH's fixed part
// (RFC 4302 2), RSVP's common header (RFC 2205 3.1.1); ok is false
// for a protocol no token packet is defined for.
func MinHeader(proto int) (int, bool) {
	switch proto {
	case rawip.ProtoGRE:
		return 12, true
	case rawip.ProtoESP:
		return 8, true
	case rawip.ProtoAH:
		return 12, true
	case rawip.ProtoRSVP:
		return 8, true
	}
	return 0, false
}

// AppendIPRequest appends the payload of a raw IP probe of proto (46, 47,
// 50 or 51): the packet package rawip sends for that protocol, keyed by
// key as rawip.Key reads it back from ICMP quotes, followed by the request
// token. src and dst are needed by RSVP, whose objects name them. It
// returns b unchanged for any other protocol.
func AppendIPRequest(b []byte, proto int, src, dst netip.Addr, key uint32, n Nonce) []byte {
	start := len(b)
	switch proto {
	case rawip.ProtoGRE:
		b = rawip.AppendGRE(b, uint16(key), 0)
		// RFC 2637 4.1: the key's high half is the payload length,
		// here the token (carried where a PPP frame would be).
		binary.BigEndian.PutUint16(b[start+4:], TokenLen)
	case rawip.ProtoESP:
		b = rawip.AppendESP(b, spi(key), 1)
	case rawip.ProtoAH:
		b = rawip.AppendAH(b, spi(key), 1)
	case rawip.ProtoRSVP:
		// The LIH makes the RSVP checksum, rawip's key, differ per probe.
		b = rawip.AppendRSVPPath(b, rawip.RSVPPath{Src: src, Dst: dst, DstPort: 9, SrcPort: 9, LIH: key, TTL: 64})
	default:
		return b
	}
	return AppendToken(b, Token{Kind: KindRequest, Nonce: n})
}

// spi keeps n out of the IANA-reserved SPI range 1-255 (RFC 4303 2.1).
func spi(n uint32) uint32 {
	if n < 256 {
		n += 256
	}
	return n
}

// ParseIPRequest accepts the payload of a raw IP packet of proto that
// carries a request token after at least the protocol's fixed header.
func ParseIPRequest(proto int, payload []byte) (Nonce, error) {
	return parseIPToken(proto, payload, KindRequest)
}

// ParseIPReply returns the nonce of a listener's reply to a raw probe of
// proto: the payload ends in a reply token.
func ParseIPReply(proto int, payload []byte) (Nonce, error) {
	return parseIPToken(proto, payload, KindReply)
}

// parseIPToken reads the token of the given kind that ends a raw payload
// of proto, after at least the protocol's fixed header.
func parseIPToken(proto int, payload []byte, kind Kind) (Nonce, error) {
	hdr, ok := MinHeader(proto)
	if !ok {
		return Nonce{}, ErrMagic
	}
	if len(payload) < hdr+TokenLen {
		return Nonce{}, ErrShort
	}
	t, err := ParseTrailer(payload)
	if err != nil {
		return Nonce{}, err
	}
	if t.Kind != kind {
		return Nonce{}, ErrKind
	}
	return t.Nonce, nil
}

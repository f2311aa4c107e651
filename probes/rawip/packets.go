package rawip

import (
	"encoding/binary"
	"math"
	"net/netip"
)

// IP protocol numbers (IANA "Assigned Internet Protocol Numbers").
const (
	ProtoRSVP = 46
	ProtoGRE  = 47
	ProtoESP  = 50
	ProtoAH   = 51
)

// noNextHeader is IPv6 "No Next Header" (RFC 8200 4.7), the payload type
// of an ESP dummy packet (RFC 4303 2.6) and of an AH that protects nothing.
const noNextHeader = 59

// greProtoPPP is the GRE protocol type of PPTP's enhanced GRE (RFC 2637 4.1).
const greProtoPPP = 0x880B

// AppendGRE appends a PPTP enhanced-GRE header (RFC 2637 4.1) carrying no
// PPP payload: the form a PPTP peer sends, so a firewall that inspects GRE
// versions treats it as PPTP. 12 bytes:
//
//	0x30 C=0 R=0 K=1 S=1 s=0 Recur=0 (the key is mandatory for version 1)
//	0x01 A=0 Flags=0 Ver=1
//	88 0b protocol type PPP
//	00 00 key: payload length (no PPP frame)
//	call ID (the peer's call ID for the session)
//	sequence number (S set)
func AppendGRE(b []byte, callID uint16, seq uint32) []byte {
	b = append(b, 0x30, 0x01)
	b = binary.BigEndian.AppendUint16(b, greProtoPPP)
	b = binary.BigEndian.AppendUint16(b, 0) // payload length
	b = binary.BigEndian.AppendUint16(b, callID)
	return binary.BigEndian.AppendUint32(b, seq)
}

// AppendESP appends an ESP packet (RFC 4303 2) as a NULL-encryption
// (RFC 2410), HMAC-SHA1-96 security association would carry a dummy packet
// (RFC 4303 2.6: Next Header 59): SPI, sequence number, two bytes of
// self-describing padding 01 02 (2.4), pad length 2, next header 59, and a
// 12-byte ICV. 24 bytes; a receiver without the SA drops it by SPI.
// SPI values 1-255 are reserved by IANA (RFC 4303 2.1); callers use >= 256.
func AppendESP(b []byte, spi, seq uint32) []byte {
	b = binary.BigEndian.AppendUint32(b, spi) // 2.1
	b = binary.BigEndian.AppendUint32(b, seq) // 2.2
	b = append(b, 0x01, 0x02)                 // 2.4 padding
	b = append(b, 2, noNextHeader)            // 2.5 pad length, 2.6 next header
	return append(b, make([]byte, 12)...)     // 2.8 ICV (HMAC-SHA1-96 size)
}

// AppendAH appends an Authentication Header (RFC 4302 2) protecting no
// payload (Next Header 59) with a 12-byte ICV (HMAC-SHA1-96). 24 bytes:
// next header, payload length in 32-bit words minus 2 (6-2 = 4, 2.2),
// reserved, SPI (2.4), sequence number (2.5), ICV (2.6).
func AppendAH(b []byte, spi, seq uint32) []byte {
	b = append(b, noNextHeader, 4, 0, 0)
	b = binary.BigEndian.AppendUint32(b, spi)
	b = binary.BigEndian.AppendUint32(b, seq)
	return append(b, make([]byte, 12)...)
}

// RSVP message and object numbers (RFC 2205 3.1.1, Appendix A).
const (
	rsvpVersion        = 1
	rsvpMsgPath        = 1
	rsvpClassSession   = 1  // A.1
	rsvpClassHop       = 3  // A.2
	rsvpClassTime      = 5  // A.4
	rsvpClassSenderTpl = 11 // A.10
	rsvpClassSenderTsp = 12 // A.11
	rsvpCTypeIPv4      = 1
	rsvpCTypeIPv6      = 2
	rsvpCTypeIntserv   = 2 // SENDER_TSPEC C-Type 2 (RFC 2210 3.1)
)

// RSVPPath describes the Path message AppendRSVPPath builds.
type RSVPPath struct {
	Src, Dst netip.Addr // the sender (also the previous hop) and the session destination; same family
	DstPort  uint16     // SESSION DstPort (a UDP session)
	SrcPort  uint16     // SENDER_TEMPLATE SrcPort
	LIH      uint32     // RSVP_HOP logical interface handle
	TTL      uint8      // Send_TTL: must equal the IP TTL the packet leaves with (3.8)
}

// AppendRSVPPath appends an RSVP Path message (RFC 2205 3.1.3) for a UDP
// session from Src to Dst, in the recommended object order:
//
//	<Common Header> <SESSION> <RSVP_HOP> <TIME_VALUES>
//	<SENDER_TEMPLATE> <SENDER_TSPEC>
//
// with the checksum of 3.1.1 filled in. IPv4 objects use C-Type 1, IPv6
// C-Type 2. The SENDER_TSPEC is the Intserv token bucket of RFC 2210 3.1
// (a modest 1 kB/s flow), so a real RSVP daemon can create path state.
func AppendRSVPPath(b []byte, m RSVPPath) []byte {
	start := len(b)
	ctype := byte(rsvpCTypeIPv4)
	if m.Dst.Is6() && !m.Dst.Is4In6() {
		ctype = rsvpCTypeIPv6
	}
	src, dst := m.Src.Unmap(), m.Dst.Unmap()

	// 3.1.1 common header; checksum and length are filled in at the end.
	b = append(b, rsvpVersion<<4, rsvpMsgPath, 0, 0, m.TTL, 0, 0, 0)

	// A.1 SESSION: DestAddress, Protocol Id (17 UDP), Flags 0, DstPort.
	b = appendObjectHeader(b, 4+addrLen(dst)+4, rsvpClassSession, ctype)
	b = append(b, dst.AsSlice()...)
	b = append(b, 17, 0)
	b = binary.BigEndian.AppendUint16(b, m.DstPort)

	// A.2 RSVP_HOP: the previous hop is the sender itself, and its LIH.
	b = appendObjectHeader(b, 4+addrLen(src)+4, rsvpClassHop, ctype)
	b = append(b, src.AsSlice()...)
	b = binary.BigEndian.AppendUint32(b, m.LIH)

	// A.4 TIME_VALUES: refresh period R in milliseconds (3.7 default 30 s).
	b = appendObjectHeader(b, 8, rsvpClassTime, 1)
	b = binary.BigEndian.AppendUint32(b, 30000)

	// A.10 SENDER_TEMPLATE: SrcAddress, 16 reserved bits, SrcPort.
	b = appendObjectHeader(b, 4+addrLen(src)+4, rsvpClassSenderTpl, ctype)
	b = append(b, src.AsSlice()...)
	b = append(b, 0, 0)
	b = binary.BigEndian.AppendUint16(b, m.SrcPort)

	// A.11 SENDER_TSPEC, RFC 2210 3.1: message header (version 0, 7 words),
	// service 1 (default/global) header (6 words), parameter 127 token
	// bucket (5 words): rate r, bucket b, peak p (IEEE floats, bytes/s and
	// bytes), minimum policed unit m and maximum packet size M.
	b = appendObjectHeader(b, 36, rsvpClassSenderTsp, rsvpCTypeIntserv)
	b = append(b, 0, 0, 0, 7)
	b = append(b, 1, 0, 0, 6)
	b = append(b, 127, 0, 0, 5)
	b = binary.BigEndian.AppendUint32(b, math.Float32bits(1000))
	b = binary.BigEndian.AppendUint32(b, math.Float32bits(1000))
	b = binary.BigEndian.AppendUint32(b, math.Float32bits(float32(math.Inf(1)))) // p = +inf: no peak limit
	b = binary.BigEndian.AppendUint32(b, 64)
	b = binary.BigEndian.AppendUint32(b, 1500)

	msg := b[start:]
	binary.BigEndian.PutUint16(msg[6:], uint16(len(msg)))
	binary.BigEndian.PutUint16(msg[2:], checksum(msg))
	return b
}

// appendObjectHeader appends the 4-byte object header of RFC 2205 3.1.2:
// Length (bytes, including the header), Class-Num, C-Type.
func appendObjectHeader(b []byte, length int, class, ctype byte) []byte {
	b = binary.BigEndian.AppendUint16(b, uint16(length))
	return append(b, class, ctype)
}

func addrLen(a netip.Addr) int { return a.BitLen() / 8 }

// checksum is the Internet checksum (RFC 1071): the one's complement of
// the one's complement sum of b's 16-bit words, b's checksum field zero.
func checksum(b []byte) uint16 {
	var sum uint32
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint32(b[i])<<8 | uint32(b[i+1])
	}
	if len(b)%2 == 1 {
		sum += uint32(b[len(b)-1]) << 8
	}
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

// Key is the number that ties a packet of proto to one probe, read from
// the first 8 bytes of the IP payload, which every ICMP error quotes
// (RFC 792; RFC 1812 4.3.2.3 quotes more): GRE's call ID (RFC 2637 4.1,
// bytes 6-7), ESP's SPI (RFC 4303 2.1, bytes 0-3), AH's SPI (RFC 4302 2.4,
// bytes 4-7), RSVP's checksum (RFC 2205 3.1.1, bytes 2-3), which differs
// between probes because each uses its own LIH. ok is false for other
// protocols and for a quote too short to hold the key.
func Key(proto int, payload []byte) (key uint32, ok bool) {
	switch proto {
	case ProtoGRE:
		if len(payload) >= 8 {
			return uint32(binary.BigEndian.Uint16(payload[6:])), true
		}
	case ProtoESP:
		if len(payload) >= 4 {
			return binary.BigEndian.Uint32(payload), true
		}
	case ProtoAH:
		if len(payload) >= 8 {
			return binary.BigEndian.Uint32(payload[4:]), true
		}
	case ProtoRSVP:
		if len(payload) >= 4 {
			return uint32(binary.BigEndian.Uint16(payload[2:])), true
		}
	}
	return 0, false
}

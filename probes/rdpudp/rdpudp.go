package rdpudp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// uFlags bits ([MS-RDPEUDP] 2.2.2.1).
const (
	FlagSYN           = 0x0001
	FlagFIN           = 0x0002
	FlagACK           = 0x0004
	FlagDATA          = 0x0008
	FlagFEC           = 0x0010
	FlagCN            = 0x0020
	FlagCWR           = 0x0040
	FlagSACKOption    = 0x0080
	FlagACKOfACKs     = 0x0100
	FlagSYNLossy      = 0x0200
	FlagACKDelayed    = 0x0400
	FlagCorrelationID = 0x0800
	FlagSYNEX         = 0x1000
)

var flagNames = []struct {
	bit  uint16
	name string
}{
	{FlagSYN, "SYN"}, {FlagFIN, "FIN"}, {FlagACK, "ACK"}, {FlagDATA, "DATA"}, {FlagFEC, "FEC"},
	{FlagCN, "CN"}, {FlagCWR, "CWR"}, {FlagSACKOption, "SACK_OPTION"}, {FlagACKOfACKs, "ACK_OF_ACKS"},
	{FlagSYNLossy, "SYNLOSSY"}, {FlagACKDelayed, "ACKDELAYED"}, {FlagCorrelationID, "CORRELATION_ID"},
	{FlagSYNEX, "SYNEX"},
}

// FlagNames names the set bits of uFlags.
func FlagNames(f uint16) []string {
	var out []string
	for _, n := range flagNames {
		if f&n.bit != 0 {
			out = append(out, n.name)
			f &^= n.bit
		}
	}
	if f != 0 {
		out = append(out, fmt.Sprintf("%#04x", f))
	}
	return out
}

// Protocol versions of uUdpVer ([MS-RDPEUDP] 2.2.2.9).
const (
	Version1 = 0x0001 // RDPUDP_PROTOCOL_VERSION_1
	Version2 = 0x0002 // RDPUDP_PROTOCOL_VERSION_2
	Version3 = 0x0101 // RDPUDP_PROTOCOL_VERSION_3: [MS-RDPEUDP2] after the handshake
)

// versionInfoValid is uSynExFlags' RDPUDP_VERSION_INFO_VALID bit
// ([MS-RDPEUDP] 2.2.2.9).
const versionInfoValid = 0x0001

// MTU bounds ([MS-RDPEUDP] 3.1.5.1.1): every SYN and SYN+ACK announces
// MTUs in this range, and a SYN is padded to MaxMTU octets.
const (
	MinMTU = 1132
	MaxMTU = 1232
)

// Lengths of the structures ([MS-RDPEUDP] 2.2.2.1, 2.2.2.5, 2.2.2.8, 2.2.2.9).
const (
	fecHeaderLen     = 8
	synDataLen       = 8
	correlationIDLen = 32
	synDataExLen     = 4
	cookieHashLen    = 32
)

// Syn is what a SYN or SYN+ACK carries.
type Syn struct {
	// RDPUDP_FEC_HEADER (2.2.2.1).
	SourceAck     uint32 // snSourceAck: -1 in a SYN, the peer's initial sequence number in a SYN+ACK
	ReceiveWindow uint16 // uReceiveWindowSize, in datagrams
	Flags         uint16 // uFlags
	// RDPUDP_SYNDATA_PAYLOAD (2.2.2.5).
	InitialSequence uint32 // snInitialSequenceNumber
	UpStreamMTU     uint16 // uUpStreamMtu
	DownStreamMTU   uint16 // uDownStreamMtu
	// RDPUDP_CORRELATION_ID_PAYLOAD (2.2.2.8), with FlagCorrelationID.
	CorrelationID [16]byte
	// RDPUDP_SYNDATAEX_PAYLOAD (2.2.2.9), with FlagSYNEX.
	SynExFlags uint16
	UDPVersion uint16
	CookieHash []byte // 32 octets, version 3 only
}

// AppendSYN appends a SYN datagram ([MS-RDPEUDP] 3.1.5.1.1): the FEC
// header with snSourceAck -1, the SYN data, the correlation ID and the
// SYNEX payload when their flags are set, then zeros up to 1232 octets.
// SYN and SourceAck -1 are forced; the rest comes from s.
func AppendSYN(b []byte, s Syn) []byte {
	start := len(b)
	b = binary.BigEndian.AppendUint32(b, 0xffffffff)
	b = binary.BigEndian.AppendUint16(b, s.ReceiveWindow)
	b = binary.BigEndian.AppendUint16(b, s.Flags|FlagSYN)
	return appendSynPayloads(b, s, start)
}

// AppendSYNACK appends a SYN+ACK ([MS-RDPEUDP] 3.1.5.1.3), for
// stand-ins and tests: s.SourceAck must be the client's initial sequence
// number; SYN and ACK are forced.
func AppendSYNACK(b []byte, s Syn) []byte {
	start := len(b)
	b = binary.BigEndian.AppendUint32(b, s.SourceAck)
	b = binary.BigEndian.AppendUint16(b, s.ReceiveWindow)
	b = binary.BigEndian.AppendUint16(b, s.Flags|FlagSYN|FlagACK)
	return appendSynPayloads(b, s, start)
}

func appendSynPayloads(b []byte, s Syn, start int) []byte {
	b = binary.BigEndian.AppendUint32(b, s.InitialSequence)
	b = binary.BigEndian.AppendUint16(b, s.UpStreamMTU)
	b = binary.BigEndian.AppendUint16(b, s.DownStreamMTU)
	if s.Flags&FlagCorrelationID != 0 {
		b = append(b, s.CorrelationID[:]...)
		b = append(b, make([]byte, 16)...) // uReserved
	}
	if s.Flags&FlagSYNEX != 0 {
		b = binary.BigEndian.AppendUint16(b, s.SynExFlags)
		b = binary.BigEndian.AppendUint16(b, s.UDPVersion)
		if s.UDPVersion == Version3 {
			var h [cookieHashLen]byte
			copy(h[:], s.CookieHash)
			b = append(b, h[:]...)
		}
	}
	if n := len(b) - start; n < MaxMTU {
		b = append(b, make([]byte, MaxMTU-n)...)
	}
	return b
}

// ErrNotSYNACK is returned for a well-formed RDP-UDP datagram that is not
// a SYN+ACK (a SYN reflected back, an ACK).
var ErrNotSYNACK = errors.New("rdpudp: not a SYN+ACK")

// ParseSYNACK reads a SYN+ACK ([MS-RDPEUDP] 3.1.5.1.3): the FEC header
// with SYN and ACK set, the SYN data with MTUs in 1132-1232, then the
// optional correlation ID and SYNEX payloads its flags announce. Padding
// after them is ignored.
func ParseSYNACK(b []byte) (Syn, error) {
	var s Syn
	if len(b) < fecHeaderLen+synDataLen {
		return s, fmt.Errorf("rdpudp: %d octets, a SYN+ACK has at least %d", len(b), fecHeaderLen+synDataLen)
	}
	s.SourceAck = binary.BigEndian.Uint32(b)
	s.ReceiveWindow = binary.BigEndian.Uint16(b[4:])
	s.Flags = binary.BigEndian.Uint16(b[6:])
	s.InitialSequence = binary.BigEndian.Uint32(b[8:])
	s.UpStreamMTU = binary.BigEndian.Uint16(b[12:])
	s.DownStreamMTU = binary.BigEndian.Uint16(b[14:])
	if s.Flags&(FlagSYN|FlagACK) != FlagSYN|FlagACK {
		return s, fmt.Errorf("%w (flags %s)", ErrNotSYNACK, strings.Join(FlagNames(s.Flags), "|"))
	}
	for _, m := range []uint16{s.UpStreamMTU, s.DownStreamMTU} {
		if m < MinMTU || m > MaxMTU {
			return s, fmt.Errorf("rdpudp: MTU %d outside %d-%d", m, MinMTU, MaxMTU)
		}
	}
	rest := b[fecHeaderLen+synDataLen:]
	if s.Flags&FlagCorrelationID != 0 {
		if len(rest) < correlationIDLen {
			return s, errors.New("rdpudp: truncated correlation ID")
		}
		copy(s.CorrelationID[:], rest)
		rest = rest[correlationIDLen:]
	}
	if s.Flags&FlagSYNEX != 0 {
		if len(rest) < synDataExLen {
			return s, errors.New("rdpudp: truncated SYNEX payload")
		}
		s.SynExFlags = binary.BigEndian.Uint16(rest)
		s.UDPVersion = binary.BigEndian.Uint16(rest[2:])
		rest = rest[synDataExLen:]
		if s.UDPVersion == Version3 && len(rest) >= cookieHashLen {
			s.CookieHash = append([]byte(nil), rest[:cookieHashLen]...)
		}
	}
	return s, nil
}

// VersionName names a uUdpVer value.
func VersionName(v uint16) string {
	switch v {
	case Version1:
		return "1"
	case Version2:
		return "2"
	case Version3:
		return "3"
	}
	return fmt.Sprintf("%#04x", v)
}

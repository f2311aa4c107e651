package netbios

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
)

// Name query (RFC 1002 4.2.12, 4.2.13, 4.2.14).
const (
	typeNB        = 0x0020 // QUESTION_TYPE / RR_TYPE NB
	flagRecursion = 0x0100 // RD: ask the NBNS (WINS) to answer for others
	// SuffixDomainControllers is the <1C> group of a domain's DCs.
	SuffixDomainControllers = 0x1c
)

// AppendNameQuery appends a NAME QUERY REQUEST for name<suffix> (RFC 1002
// 4.2.12) as sent to a WINS server: unicast (B clear) with RD set, so the
// server answers from its database.
func AppendNameQuery(b []byte, id uint16, name string, suffix byte) []byte {
	b = binary.BigEndian.AppendUint16(b, id)
	b = binary.BigEndian.AppendUint16(b, flagRecursion) // R=0, OPCODE=0, RD, B=0
	b = binary.BigEndian.AppendUint16(b, 1)             // QDCOUNT
	b = binary.BigEndian.AppendUint16(b, 0)             // ANCOUNT
	b = binary.BigEndian.AppendUint16(b, 0)             // NSCOUNT
	b = binary.BigEndian.AppendUint16(b, 0)             // ARCOUNT
	b = AppendEncodedName(b, name, suffix)
	b = binary.BigEndian.AppendUint16(b, typeNB)
	return binary.BigEndian.AppendUint16(b, classIN)
}

// NameQueryReply is a NAME QUERY RESPONSE (RFC 1002 4.2.13, 4.2.14).
type NameQueryReply struct {
	ID    uint16
	RCode uint8 // 0 positive; 3 NAM_ERR (no such name) in a negative response
	// Addrs are the NB_ADDRESS entries of a positive response; Group is
	// the G bit of the first NB_FLAGS.
	Addrs []netip.Addr
	Group bool
}

var errNotNameReply = errors.New("netbios: not a name query response")

// ParseNameQuery parses a name query response: the header, the RR_NAME
// (skipped), RR_TYPE NB, RR_CLASS, TTL, RDLENGTH and RDLENGTH/6 entries of
// NB_FLAGS (2 bytes) and NB_ADDRESS (4 bytes).
func ParseNameQuery(b []byte) (NameQueryReply, error) {
	var r NameQueryReply
	if len(b) < 12 {
		return r, errShort
	}
	r.ID = binary.BigEndian.Uint16(b)
	flags := binary.BigEndian.Uint16(b[2:])
	if flags&flagResponse == 0 || flags>>11&0xf != 0 {
		return r, errNotNameReply
	}
	r.RCode = uint8(flags & 0xf)
	if r.RCode != 0 || binary.BigEndian.Uint16(b[6:]) == 0 {
		return r, nil
	}
	off := 12
	n, err := skipName(b[off:])
	if err != nil {
		return r, err
	}
	off += n
	if off+10 > len(b) {
		return r, errShort
	}
	if t := binary.BigEndian.Uint16(b[off:]); t != typeNB {
		return r, fmt.Errorf("netbios: RR_TYPE %#04x in a name query response", t)
	}
	rdLen := int(binary.BigEndian.Uint16(b[off+8:]))
	off += 10
	if off+rdLen > len(b) || rdLen%6 != 0 {
		return r, errShort
	}
	for i := 0; i+6 <= rdLen && i < 6*64; i += 6 {
		e := b[off+i:]
		if i == 0 {
			r.Group = binary.BigEndian.Uint16(e)&0x8000 != 0
		}
		r.Addrs = append(r.Addrs, netip.AddrFrom4([4]byte(e[2:6])))
	}
	return r, nil
}

package dns

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
)

// Record types a client uses to find a DC (RFC 1035 3.2.2, RFC 3596 2.1,
// RFC 2782).
const (
	TypeA     = 1
	TypeCNAME = 5
	TypeAAAA  = 28
	TypeSRV   = 33
)

// TypeName names the record types the locator asks for.
func TypeName(t uint16) string {
	switch t {
	case TypeA:
		return "A"
	case TypeNS:
		return "NS"
	case TypeCNAME:
		return "CNAME"
	case TypeSOA:
		return "SOA"
	case TypeAAAA:
		return "AAAA"
	case TypeSRV:
		return "SRV"
	}
	return fmt.Sprintf("TYPE%d", t)
}

// SRV is the RDATA of an SRV record (RFC 2782): Priority, Weight and Port
// as 16-bit big-endian integers, then the target's name (never
// compressed by the RFC, but Samba and BIND may; both are read).
type SRV struct {
	Priority uint16 `json:"priority"`
	Weight   uint16 `json:"weight"`
	Port     uint16 `json:"port"`
	Target   string `json:"target"`
}

// RR is one resource record (RFC 1035 4.1.3) with its RDATA decoded for
// the types the locator reads: A and AAAA (Addr), SRV (SRV), NS and CNAME
// (Target).
type RR struct {
	Name   string     `json:"name"`
	Type   uint16     `json:"type"`
	Class  uint16     `json:"class"`
	TTL    uint32     `json:"ttl"`
	Addr   netip.Addr `json:"addr,omitzero"`
	SRV    *SRV       `json:"srv,omitempty"`
	Target string     `json:"target,omitempty"`
}

// Message is a whole response: the header and question of Reply, and
// every record of the answer, authority and additional sections.
type Message struct {
	Reply
	Answers    []RR
	Authority  []RR
	Additional []RR
}

var errBadRR = errors.New("dns: malformed resource record")

// maxRecords bounds the records read per section; a UDP message of 64 KiB
// holds at most a few thousand, and a locator answer a few dozen.
const maxRecords = 512

// ParseMessage parses a response completely (RFC 1035 4.1): unlike
// ParseReply it fails on a record that does not parse, since a resolver
// must not act on half a message. It needs QDCOUNT 0 or 1.
func ParseMessage(msg []byte) (Message, error) {
	r, err := ParseReply(msg)
	if err != nil {
		return Message{}, err
	}
	m := Message{Reply: r}
	if r.QDCount > 1 {
		return m, fmt.Errorf("dns: %d questions", r.QDCount)
	}
	off := headerLen
	if r.QDCount == 1 {
		_, next, err := readName(msg, off)
		if err != nil {
			return m, err
		}
		if next+4 > len(msg) {
			return m, errShort
		}
		off = next + 4
	}
	for _, sec := range []struct {
		count uint16
		out   *[]RR
	}{{r.ANCount, &m.Answers}, {r.NSCount, &m.Authority}, {r.ARCount, &m.Additional}} {
		if sec.count > maxRecords {
			return m, fmt.Errorf("dns: %d records in a section", sec.count)
		}
		for range sec.count {
			rr, next, err := readRR(msg, off)
			if err != nil {
				return m, err
			}
			*sec.out = append(*sec.out, rr)
			off = next
		}
	}
	return m, nil
}

// readRR reads the record at off: NAME, TYPE, CLASS, TTL, RDLENGTH, RDATA
// (RFC 1035 4.1.3).
func readRR(msg []byte, off int) (RR, int, error) {
	name, next, err := readName(msg, off)
	if err != nil {
		return RR{}, 0, err
	}
	if next+10 > len(msg) {
		return RR{}, 0, errShort
	}
	rr := RR{
		Name:  name,
		Type:  binary.BigEndian.Uint16(msg[next:]),
		Class: binary.BigEndian.Uint16(msg[next+2:]),
		TTL:   binary.BigEndian.Uint32(msg[next+4:]),
	}
	rdLen := int(binary.BigEndian.Uint16(msg[next+8:]))
	rd := next + 10
	end := rd + rdLen
	if end > len(msg) {
		return RR{}, 0, errShort
	}
	data := msg[rd:end]
	switch rr.Type {
	case TypeA: // RFC 1035 3.4.1: 4 octets
		if len(data) != 4 {
			return RR{}, 0, fmt.Errorf("%w: A of %d bytes", errBadRR, len(data))
		}
		rr.Addr = netip.AddrFrom4([4]byte(data))
	case TypeAAAA: // RFC 3596 2.2: 16 octets
		if len(data) != 16 {
			return RR{}, 0, fmt.Errorf("%w: AAAA of %d bytes", errBadRR, len(data))
		}
		rr.Addr = netip.AddrFrom16([16]byte(data))
	case TypeSRV: // RFC 2782: priority, weight, port, target
		if len(data) < 7 {
			return RR{}, 0, fmt.Errorf("%w: SRV of %d bytes", errBadRR, len(data))
		}
		target, tnext, err := readName(msg, rd+6)
		if err != nil {
			return RR{}, 0, err
		}
		if tnext > end {
			return RR{}, 0, fmt.Errorf("%w: SRV target runs past RDLENGTH", errBadRR)
		}
		rr.SRV = &SRV{
			Priority: binary.BigEndian.Uint16(data),
			Weight:   binary.BigEndian.Uint16(data[2:]),
			Port:     binary.BigEndian.Uint16(data[4:]),
			Target:   target,
		}
	case TypeNS, TypeCNAME: // RFC 1035 3.3.11, 3.3.1: a domain name
		target, tnext, err := readName(msg, rd)
		if err != nil {
			return RR{}, 0, err
		}
		if tnext > end {
			return RR{}, 0, fmt.Errorf("%w: name runs past RDLENGTH", errBadRR)
		}
		rr.Target = target
	}
	return rr, end, nil
}

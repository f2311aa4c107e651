package dns

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"strings"

	"github.com/winreach/winreach/probes"
)

// Header flags and sizes (RFC 1035 4.1.1).
const (
	headerLen  = 12
	flagQR     = 0x8000
	opcodeMask = 0x7800
	flagAA     = 0x0400
	flagTC     = 0x0200
	flagRD     = 0x0100
	flagRA     = 0x0080
	rcodeMask  = 0x000f
)

// Types and classes (RFC 1035 3.2.2, 3.2.4).
const (
	TypeNS   = 2
	TypeSOA  = 6
	ClassIN  = 1
	maxLabel = 63
)

// AppendQuery appends a standard query (RFC 1035 4.1.1, 4.1.2) for name,
// type and class, with RD clear. name is dotted; "." or "" is the root.
// Labels longer than 63 bytes are cut to 63.
func AppendQuery(b []byte, id uint16, name string, qtype, qclass uint16) []byte {
	b = binary.BigEndian.AppendUint16(b, id)
	b = binary.BigEndian.AppendUint16(b, 0) // QR=0, OPCODE=0 QUERY, RD=0
	b = binary.BigEndian.AppendUint16(b, 1) // QDCOUNT
	b = binary.BigEndian.AppendUint16(b, 0) // ANCOUNT
	b = binary.BigEndian.AppendUint16(b, 0) // NSCOUNT
	b = binary.BigEndian.AppendUint16(b, 0) // ARCOUNT
	b = appendName(b, name)
	b = binary.BigEndian.AppendUint16(b, qtype)
	return binary.BigEndian.AppendUint16(b, qclass)
}

func appendName(b []byte, name string) []byte {
	for label := range strings.SplitSeq(strings.Trim(name, "."), ".") {
		if label == "" {
			continue
		}
		label = label[:min(len(label), maxLabel)]
		b = append(b, byte(len(label)))
		b = append(b, label...)
	}
	return append(b, 0)
}

// Reply is what the probe reads from a response.
type Reply struct {
	ID                                   uint16
	Opcode                               uint8
	RCode                                uint8
	Authoritative                        bool
	Truncated                            bool
	RecursionDesired, RecursionAvailable bool
	QDCount, ANCount, NSCount, ARCount   uint16
	// Question is the echoed question, when QDCOUNT is 1.
	Question *Question
	// NS are the name servers named in NS answers, as far as they parse.
	NS []string
}

// Question is one question entry (RFC 1035 4.1.2).
type Question struct {
	Name        string
	Type, Class uint16
}

var (
	errShort    = errors.New("dns: truncated message")
	errNotReply = errors.New("dns: not a response")
	errBadName  = errors.New("dns: malformed name")
)

// maxPointers bounds compression pointers followed in one name, so a
// pointer loop cannot spin.
const maxPointers = 16

// readName decodes the possibly compressed name at off (RFC 1035 4.1.4);
// next is the offset after the name where it appears.
func readName(msg []byte, off int) (name string, next int, err error) {
	var labels []string
	next = -1
	for hops := 0; ; {
		if off >= len(msg) {
			return "", 0, errShort
		}
		l := int(msg[off])
		switch {
		case l == 0:
			if next < 0 {
				next = off + 1
			}
			return strings.Join(labels, ".") + ".", next, nil
		case l&0xc0 == 0xc0:
			if off+2 > len(msg) {
				return "", 0, errShort
			}
			if next < 0 {
				next = off + 2
			}
			if hops++; hops > maxPointers {
				return "", 0, errBadName
			}
			off = int(binary.BigEndian.Uint16(msg[off:]) & 0x3fff)
		case l&0xc0 != 0:
			return "", 0, errBadName
		default:
			if off+1+l > len(msg) {
				return "", 0, errShort
			}
			labels = append(labels, string(msg[off+1:off+1+l]))
			off += 1 + l
		}
	}
}

// ParseReply parses a response's header, its question and, as far as they
// parse, the NS records among its answers. Only the header must be whole:
// a truncated or odd body still proves DNS.
func ParseReply(msg []byte) (Reply, error) {
	var r Reply
	if len(msg) < headerLen {
		return r, errShort
	}
	r.ID = binary.BigEndian.Uint16(msg)
	flags := binary.BigEndian.Uint16(msg[2:])
	if flags&flagQR == 0 {
		return r, errNotReply
	}
	r.Opcode = uint8(flags & opcodeMask >> 11)
	r.RCode = uint8(flags & rcodeMask)
	r.Authoritative = flags&flagAA != 0
	r.Truncated = flags&flagTC != 0
	r.RecursionDesired = flags&flagRD != 0
	r.RecursionAvailable = flags&flagRA != 0
	r.QDCount = binary.BigEndian.Uint16(msg[4:])
	r.ANCount = binary.BigEndian.Uint16(msg[6:])
	r.NSCount = binary.BigEndian.Uint16(msg[8:])
	r.ARCount = binary.BigEndian.Uint16(msg[10:])
	off := headerLen
	if r.QDCount != 1 {
		return r, nil
	}
	name, off, err := readName(msg, off)
	if err != nil || off+4 > len(msg) {
		return r, nil
	}
	r.Question = &Question{Name: name, Type: binary.BigEndian.Uint16(msg[off:]), Class: binary.BigEndian.Uint16(msg[off+2:])}
	off += 4
	for range min(r.ANCount, 64) {
		_, next, err := readName(msg, off)
		if err != nil || next+10 > len(msg) {
			break
		}
		typ := binary.BigEndian.Uint16(msg[next:])
		rdLen := int(binary.BigEndian.Uint16(msg[next+8:]))
		rdata := next + 10
		if rdata+rdLen > len(msg) {
			break
		}
		if typ == TypeNS {
			if ns, _, err := readName(msg, rdata); err == nil {
				r.NS = append(r.NS, ns)
			}
		}
		off = rdata + rdLen
	}
	return r, nil
}

// rcodeNames are the RCODEs of RFC 1035 4.1.1 and RFC 2136 2.2.
var rcodeNames = [...]string{
	0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED",
	6: "YXDOMAIN", 7: "YXRRSET", 8: "NXRRSET", 9: "NOTAUTH", 10: "NOTZONE",
}

// RCodeName names an RCODE.
func RCodeName(rc uint8) string {
	if int(rc) < len(rcodeNames) && rcodeNames[rc] != "" {
		return rcodeNames[rc]
	}
	return fmt.Sprintf("RCODE%d", rc)
}

// Details is what the reply said.
type Details struct {
	RCode              uint8    `json:"rcode"`
	RCodeName          string   `json:"rcode_name"`
	Answers            uint16   `json:"answers"`
	Authoritative      bool     `json:"authoritative"`
	RecursionAvailable bool     `json:"recursion_available"`
	Truncated          bool     `json:"truncated,omitempty"`
	NS                 []string `json:"ns,omitempty"` // root servers named in the answer
}

func detailsOf(r Reply) Details {
	return Details{
		RCode:              r.RCode,
		RCodeName:          RCodeName(r.RCode),
		Answers:            r.ANCount,
		Authoritative:      r.Authoritative,
		RecursionAvailable: r.RecursionAvailable,
		Truncated:          r.Truncated,
		NS:                 r.NS,
	}
}

// Summary is the table line: "DNS NOERROR, 13 answers, recursion".
// Samba's internal DNS answers the root NS question without RD with
// FORMERR, which confirms DNS all the same.
func (d Details) Summary() string {
	s := "DNS " + d.RCodeName
	switch {
	case d.Answers == 1:
		s += ", 1 answer"
	case d.Answers > 1:
		s += fmt.Sprintf(", %d answers", d.Answers)
	}
	if d.Authoritative {
		s += ", authoritative"
	}
	if d.RecursionAvailable {
		s += ", recursion"
	}
	return s
}

// rootNS is the probe's question: ". NS IN".
func rootNS(id uint16) []byte { return AppendQuery(make([]byte, 0, 17), id, ".", TypeNS, ClassIN) }

// judge confirms DNS when reply answers req: the same ID, and the same
// question when the reply repeats one.
func judge(req, reply []byte) (*probes.Service, error) {
	r, err := ParseReply(reply)
	if err != nil {
		return nil, err
	}
	if len(req) < headerLen || r.ID != binary.BigEndian.Uint16(req) {
		return nil, probes.ErrNotForUs
	}
	if q := r.Question; q != nil {
		want, _, _ := readName(req, headerLen)
		if !strings.EqualFold(q.Name, want) || q.Type != binary.BigEndian.Uint16(req[len(req)-4:]) {
			return nil, fmt.Errorf("dns: reply to another question (%s type %d)", q.Name, q.Type)
		}
	}
	d := detailsOf(r)
	return &probes.Service{Protocol: "dns", Summary: d.Summary(), Details: d}, nil
}

// Query is the probes.Datagram for UDP 53.
type Query struct {
	// Seed varies the IDs from probe to probe; zero draws each ID from
	// math/rand/v2's runtime-seeded source.
	Seed uint64
}

// Request returns ". NS IN" with the attempt's ID.
func (q Query) Request(_ probes.Target, attempt int) []byte { return rootNS(queryID(q.Seed, attempt)) }

// Parse confirms DNS when reply answers req.
func (Query) Parse(req, reply []byte) (*probes.Service, error) { return judge(req, reply) }

// queryID derives an attempt's ID from the seed, so that attempts differ
// and probes share no state.
func queryID(seed uint64, attempt int) uint16 {
	if seed == 0 {
		return uint16(rand.Uint32())
	}
	return uint16(rand.New(rand.NewPCG(seed, uint64(attempt))).Uint32())
}

// QueryTCP is the Conversation for TCP 53: the same query with the 2-byte
// length prefix of RFC 1035 4.2.2.
type QueryTCP struct {
	Seed uint64 // as Query's; the one attempt is attempt 0
}

// Converse sends the query and reads one length-prefixed reply.
func (q QueryTCP) Converse(ctx context.Context, conn net.Conn, t probes.Target) probes.Answer {
	req := rootNS(queryID(q.Seed, 0))
	if _, err := conn.Write(AppendTCPMessage(nil, req)); err != nil {
		return probes.Answer{Err: err}
	}
	msg, first, err := ReadTCPMessage(conn)
	if err != nil {
		if len(first) > 0 {
			return probes.Answer{Unexpected: first}
		}
		return probes.Answer{Err: err}
	}
	svc, err := judge(req, msg)
	if err != nil {
		return probes.Answer{Unexpected: first}
	}
	return probes.Answer{Service: svc}
}

// errNotTCPMessage: a length prefix too short for a DNS header.
var errNotTCPMessage = errors.New("dns: TCP length prefix shorter than a header")

// AppendTCPMessage appends msg with the 2-byte length prefix DNS over TCP
// puts before every message (RFC 1035 4.2.2).
func AppendTCPMessage(b, msg []byte) []byte {
	return append(binary.BigEndian.AppendUint16(b, uint16(len(msg))), msg...)
}

// ReadTCPMessage reads one DNS message over TCP (RFC 1035 4.2.2): a 2-byte
// length, then the message. first holds the first bytes that came (at
// most 64, for the report). A message cut short after its header is
// returned as far as it came, to be judged on that; bytes that end before
// a header, or a length shorter than one, are an error with first set.
func ReadTCPMessage(r io.Reader) (msg, first []byte, err error) {
	var buf [64]byte
	n, err := io.ReadAtLeast(r, buf[:], 2+headerLen)
	first = append([]byte(nil), buf[:n]...)
	if err != nil {
		return nil, first, err
	}
	size := int(binary.BigEndian.Uint16(buf[:2]))
	if size < headerLen {
		return nil, first, errNotTCPMessage
	}
	msg = make([]byte, size) // at most 64 KiB: the prefix is 16 bits
	copied := copy(msg, buf[2:n])
	if _, err := io.ReadFull(r, msg[copied:]); err != nil {
		// A DNS header arrived whole; judge it on what came.
		msg = msg[:copied]
	}
	return msg, first, nil
}

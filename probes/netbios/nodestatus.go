package netbios

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strings"

	"github.com/winreach/winreach/probes"
)

// Name service constants (RFC 1002 4.2.1.1, 4.2.1.2, 4.2.17, 4.2.18).
const (
	headerLen       = 12
	flagResponse    = 0x8000 // R: response packet
	opcodeMask      = 0x7800 // OPCODE; 0 is query
	rcodeMask       = 0x000f
	typeNBSTAT      = 0x0021
	classIN         = 0x0001
	nodeNameLen     = 18 // NODE_NAME entry: 16-byte name, 2-byte NAME_FLAGS
	nodeStatusReqSz = headerLen + encodedNameLen + 4
)

// NAME_FLAGS of a NODE_NAME entry (RFC 1002 4.2.18).
const (
	nameGroup     = 0x8000 // G: group name
	nameNodeType  = 0x6000 // ONT: owner node type
	nameDeregistr = 0x1000 // DRG: being deregistered
	nameConflict  = 0x0800 // CNF: in conflict
	nameActive    = 0x0400 // ACT: active
	namePermanent = 0x0200 // PRM: permanent node name
)

// AppendNodeStatusRequest appends a NODE STATUS REQUEST for the wildcard
// name (RFC 1002 4.2.17): a query header with QDCOUNT 1 and no flags (B
// clear: the request is unicast), the question "*" in first-level encoding,
// QUESTION_TYPE NBSTAT and QUESTION_CLASS IN. It is 50 bytes long.
func AppendNodeStatusRequest(b []byte, id uint16) []byte {
	b = binary.BigEndian.AppendUint16(b, id) // NAME_TRN_ID
	b = binary.BigEndian.AppendUint16(b, 0)  // R=0, OPCODE=0 query, NM_FLAGS=0, RCODE=0
	b = binary.BigEndian.AppendUint16(b, 1)  // QDCOUNT
	b = binary.BigEndian.AppendUint16(b, 0)  // ANCOUNT
	b = binary.BigEndian.AppendUint16(b, 0)  // NSCOUNT
	b = binary.BigEndian.AppendUint16(b, 0)  // ARCOUNT
	b = AppendEncodedName(b, "*", 0)
	b = binary.BigEndian.AppendUint16(b, typeNBSTAT)
	return binary.BigEndian.AppendUint16(b, classIN)
}

// NodeStatusReply is a parsed NODE STATUS RESPONSE (RFC 1002 4.2.18).
type NodeStatusReply struct {
	ID    uint16
	Names []NameEntry
	// MAC is the UNIT_ID of the statistics, the adapter's address on
	// Windows; nil when the statistics are missing. Samba sends zeros.
	MAC net.HardwareAddr
}

// NameEntry is one NODE_NAME of a node status response.
type NameEntry struct {
	Name          string `json:"name"`   // the 15-byte name, padding trimmed
	Suffix        Suffix `json:"suffix"` // the 16th byte: the name's role
	Group         bool   `json:"group"`
	Active        bool   `json:"active"`
	Permanent     bool   `json:"permanent,omitempty"`
	Conflict      bool   `json:"conflict,omitempty"`
	Deregistering bool   `json:"deregistering,omitempty"`
	NodeType      string `json:"node_type"` // B, P, M or H (ONT)
}

// Suffix is the 16th byte of a NetBIOS name; it renders as two hex digits.
type Suffix byte

// Well-known suffixes ([MS-BRWS] and [MS-NBTE] list more).
const (
	SuffixWorkstation Suffix = 0x00 // computer name (unique) or domain/workgroup (group)
	SuffixServer      Suffix = 0x20 // file server service
	SuffixDomainDCs   Suffix = 0x1c // domain controllers (group)
	SuffixDomainMB    Suffix = 0x1b // domain master browser
)

func (s Suffix) String() string { return fmt.Sprintf("<%02X>", byte(s)) }

// MarshalText renders the suffix as nbtstat does, without the brackets.
func (s Suffix) MarshalText() ([]byte, error) { return fmt.Appendf(nil, "%02X", byte(s)), nil }

var (
	errShort      = errors.New("netbios: truncated name service packet")
	errNotReply   = errors.New("netbios: not a name service response")
	errNoNodeStat = errors.New("netbios: response carries no node status")
)

// ParseNodeStatus parses a NODE STATUS RESPONSE (RFC 1002 4.2.18). It
// requires the R bit, OPCODE query, RCODE 0 and an answer of type NBSTAT;
// the answer's RR_NAME may be a full name or a compression pointer.
// Trailing statistics shorter than the 46 bytes of the RFC are accepted.
func ParseNodeStatus(b []byte) (NodeStatusReply, error) {
	var r NodeStatusReply
	if len(b) < headerLen {
		return r, errShort
	}
	r.ID = binary.BigEndian.Uint16(b[0:2])
	flags := binary.BigEndian.Uint16(b[2:4])
	if flags&flagResponse == 0 || flags&opcodeMask != 0 {
		return r, errNotReply
	}
	if rc := flags & rcodeMask; rc != 0 {
		return r, fmt.Errorf("netbios: node status answered with RCODE %d", rc)
	}
	qd := binary.BigEndian.Uint16(b[4:6])
	an := binary.BigEndian.Uint16(b[6:8])
	if an == 0 {
		return r, errNoNodeStat
	}
	off := headerLen
	for range qd { // responses carry no question (4.2.18), but tolerate one
		n, err := skipName(b[off:])
		if err != nil {
			return r, err
		}
		if off += n + 4; off > len(b) {
			return r, errShort
		}
	}
	n, err := skipName(b[off:]) // RR_NAME
	if err != nil {
		return r, err
	}
	off += n
	if len(b) < off+10 {
		return r, errShort
	}
	rrType := binary.BigEndian.Uint16(b[off:])
	rrClass := binary.BigEndian.Uint16(b[off+2:])
	rdLen := int(binary.BigEndian.Uint16(b[off+8:])) // after the 4-byte TTL
	off += 10
	if rrType != typeNBSTAT || rrClass != classIN {
		return r, errNoNodeStat
	}
	rdata := b[off:min(len(b), off+rdLen)]
	if len(rdata) < 1 {
		return r, errShort
	}
	count := int(rdata[0]) // NUM_NAMES
	names := rdata[1:]
	if len(names) < count*nodeNameLen {
		return r, errShort
	}
	r.Names = make([]NameEntry, 0, count)
	for i := range count {
		e := names[i*nodeNameLen : (i+1)*nodeNameLen]
		fl := binary.BigEndian.Uint16(e[16:18])
		r.Names = append(r.Names, NameEntry{
			Name:          latin1(strings.TrimRight(string(e[:15]), " \x00")),
			Suffix:        Suffix(e[15]),
			Group:         fl&nameGroup != 0,
			Active:        fl&nameActive != 0,
			Permanent:     fl&namePermanent != 0,
			Conflict:      fl&nameConflict != 0,
			Deregistering: fl&nameDeregistr != 0,
			NodeType:      string("BPMH"[(fl&nameNodeType)>>13]),
		})
	}
	if stats := names[count*nodeNameLen:]; len(stats) >= 6 { // STATISTICS: UNIT_ID first
		r.MAC = net.HardwareAddr(append([]byte(nil), stats[:6]...))
	}
	return r, nil
}

// latin1 maps each byte to the code point of the same value, so names in
// an OEM code page stay printable and valid UTF-8.
func latin1(s string) string {
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		sb.WriteRune(rune(s[i]))
	}
	return sb.String()
}

// ServerName returns the unique <20> name of a node status name table: the
// name its file server answers to, to call in a session request.
func ServerName(names []NameEntry) (string, bool) {
	for _, n := range names {
		if n.Suffix == SuffixServer && !n.Group && n.Name != "" {
			return n.Name, true
		}
	}
	return "", false
}

// workstationName returns the unique <00> name, the computer's own.
func workstationName(names []NameEntry) string {
	for _, n := range names {
		if n.Suffix == SuffixWorkstation && !n.Group {
			return n.Name
		}
	}
	return ""
}

// domainName returns the group <00> name: the domain or workgroup.
func domainName(names []NameEntry) string {
	for _, n := range names {
		if n.Suffix == SuffixWorkstation && n.Group {
			return n.Name
		}
	}
	return ""
}

func hasGroup(names []NameEntry, s Suffix) bool {
	for _, n := range names {
		if n.Suffix == s && n.Group {
			return true
		}
	}
	return false
}

// NodeStatusDetails is what a node status reply says about the node.
type NodeStatusDetails struct {
	Names       []NameEntry `json:"names"`
	Workstation string      `json:"workstation,omitempty"` // unique <00>
	Server      string      `json:"server,omitempty"`      // unique <20>
	Domain      string      `json:"domain,omitempty"`      // group <00>
	// DomainController is set when the node registered the domain's <1C>
	// group, which only domain controllers do.
	DomainController bool `json:"domain_controller,omitempty"`
	// MAC is the UNIT_ID of the statistics: the adapter address on
	// Windows. It is omitted when absent, all zero (nmbd) or sent by a
	// Samba node (its __SAMBA__ names): Samba 4.17's AD DC leaves the
	// statistics uninitialised, so those bytes are memory, not a MAC.
	MAC string `json:"mac,omitempty"`
}

// sambaName is the permanent group name only Samba registers.
const sambaName = "__SAMBA__"

func isSamba(names []NameEntry) bool {
	for _, n := range names {
		if n.Name == sambaName {
			return true
		}
	}
	return false
}

// Details extracts the node's identity from the name table.
func (r NodeStatusReply) Details() NodeStatusDetails {
	d := NodeStatusDetails{
		Names:            r.Names,
		Workstation:      workstationName(r.Names),
		Domain:           domainName(r.Names),
		DomainController: hasGroup(r.Names, SuffixDomainDCs),
	}
	d.Server, _ = ServerName(r.Names)
	if len(r.MAC) == 6 && strings.Trim(string(r.MAC), "\x00") != "" && !isSamba(r.Names) {
		d.MAC = r.MAC.String()
	}
	return d
}

// Summary is the table line: "DC1 <20> domain LAB, domain controller".
func (d NodeStatusDetails) Summary() string {
	var parts []string
	switch {
	case d.Server != "":
		parts = append(parts, d.Server+" "+SuffixServer.String())
	case d.Workstation != "":
		parts = append(parts, d.Workstation+" "+SuffixWorkstation.String())
	default:
		parts = append(parts, fmt.Sprintf("%d names", len(d.Names)))
	}
	if d.Domain != "" {
		parts = append(parts, "domain "+d.Domain)
	}
	s := strings.Join(parts, " ")
	if d.DomainController {
		s += ", domain controller"
	}
	return s
}

// NodeStatus is the probes.Datagram of a node status query to UDP 137.
type NodeStatus struct {
	// Seed varies the transaction IDs from probe to probe; zero draws each
	// ID from math/rand/v2's runtime-seeded source.
	Seed uint64
}

// Request returns the node status request of one attempt.
func (q NodeStatus) Request(_ probes.Target, attempt int) []byte {
	return AppendNodeStatusRequest(make([]byte, 0, nodeStatusReqSz), transactionID(q.Seed, attempt))
}

// Parse confirms NetBIOS name service when reply is the node status
// response to req.
func (NodeStatus) Parse(req, reply []byte) (*probes.Service, error) {
	r, err := ParseNodeStatus(reply)
	if err != nil {
		return nil, err
	}
	if len(req) < 2 || r.ID != binary.BigEndian.Uint16(req) {
		return nil, probes.ErrNotForUs
	}
	d := r.Details()
	return &probes.Service{Protocol: "netbios-ns", Summary: d.Summary(), Details: d}, nil
}

// transactionID derives an attempt's ID from the probe's seed, so that
// attempts differ and no state is shared between probes.
func transactionID(seed uint64, attempt int) uint16 {
	if seed == 0 {
		return uint16(rand.Uint32())
	}
	return uint16(rand.New(rand.NewPCG(seed, uint64(attempt))).Uint32())
}

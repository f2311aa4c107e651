package rdp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/winreach/winreach/probes/iso"
)

// Protocols is the requestedProtocols / selectedProtocol bit set
// ([MS-RDPBCGR] 2.2.1.1.1, 2.2.1.2.1). Zero is standard RDP security.
type Protocols uint32

const (
	ProtocolRDP      Protocols = 0x00 // standard RDP security (RC4, server key)
	ProtocolSSL      Protocols = 0x01 // TLS 1.0+ (ssl)
	ProtocolHybrid   Protocols = 0x02 // CredSSP, i.e. NLA
	ProtocolRDSTLS   Protocols = 0x04 // RDSTLS (redirected connections)
	ProtocolHybridEx Protocols = 0x08 // CredSSP with Early User Authorization Result PDU
	ProtocolRDSAAD   Protocols = 0x10 // Azure AD authentication
)

var protocolNames = []struct {
	bit  Protocols
	name string
}{
	{ProtocolSSL, "TLS"},
	{ProtocolHybrid, "CredSSP"},
	{ProtocolRDSTLS, "RDSTLS"},
	{ProtocolHybridEx, "CredSSP-EarlyAuth"},
	{ProtocolRDSAAD, "RDSAAD"},
}

// String names the protocols, "RDP" for standard security.
func (p Protocols) String() string {
	if p == ProtocolRDP {
		return "RDP"
	}
	var names []string
	for _, n := range protocolNames {
		if p&n.bit != 0 {
			names = append(names, n.name)
			p &^= n.bit
		}
	}
	if p != 0 {
		names = append(names, fmt.Sprintf("%#x", uint32(p)))
	}
	return strings.Join(names, "|")
}

// Negotiation structure types ([MS-RDPBCGR] 2.2.1.1.1, 2.2.1.2.1, 2.2.1.2.2).
const (
	typeNegReq     = 0x01
	typeNegRsp     = 0x02
	typeNegFailure = 0x03
	negLength      = 8 // every negotiation structure is 8 octets
)

// RDP_NEG_RSP flags ([MS-RDPBCGR] 2.2.1.2.1).
var responseFlagNames = []struct {
	bit  uint8
	name string
}{
	{0x01, "EXTENDED_CLIENT_DATA_SUPPORTED"},
	{0x02, "DYNVC_GFX_PROTOCOL_SUPPORTED"},
	{0x04, "NEGRSP_FLAG_RESERVED"},
	{0x08, "RESTRICTED_ADMIN_MODE_SUPPORTED"},
	{0x10, "REDIRECTED_AUTHENTICATION_MODE_SUPPORTED"},
}

// FailureCodeName names an RDP_NEG_FAILURE code ([MS-RDPBCGR] 2.2.1.2.2).
func FailureCodeName(c uint32) string {
	switch c {
	case 1:
		return "SSL_REQUIRED_BY_SERVER"
	case 2:
		return "SSL_NOT_ALLOWED_BY_SERVER"
	case 3:
		return "SSL_CERT_NOT_ON_SERVER"
	case 4:
		return "INCONSISTENT_FLAGS"
	case 5:
		return "HYBRID_REQUIRED_BY_SERVER"
	case 6:
		return "SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER"
	}
	return fmt.Sprintf("failure %d", c)
}

// AppendNegotiationRequest appends an RDP_NEG_REQ ([MS-RDPBCGR] 2.2.1.1.1):
// type 1, flags 0, length 8 and requestedProtocols, little-endian.
func AppendNegotiationRequest(b []byte, p Protocols) []byte {
	b = append(b, typeNegReq, 0)
	b = binary.LittleEndian.AppendUint16(b, negLength)
	return binary.LittleEndian.AppendUint32(b, uint32(p))
}

// AppendConnectionRequest appends the TPKT-framed X.224 Connection Request
// PDU of [MS-RDPBCGR] 2.2.1.1: a CR with DST-REF, SRC-REF and class 0,
// no routing token or cookie, and the RDP_NEG_REQ counted in its length
// indicator.
func AppendConnectionRequest(b []byte, p Protocols) []byte {
	tpdu := iso.AppendConnectRequest(nil, iso.CR{Extra: AppendNegotiationRequest(nil, p)})
	return iso.AppendTPKT(b, tpdu)
}

// AppendLegacyConnectionRequest appends a CR without negotiation data,
// what RDP 4/5 clients and T.120 (ITU-T T.123) send.
func AppendLegacyConnectionRequest(b []byte) []byte {
	return iso.AppendTPKT(b, iso.AppendConnectRequest(nil, iso.CR{}))
}

// Confirm is a parsed X.224 Connection Confirm of the RDP connection
// sequence ([MS-RDPBCGR] 2.2.1.2).
type Confirm struct {
	TPDU iso.TPDU
	// Negotiation is "response", "failure" or "" when the CC carries no
	// negotiation structure (a server older than RDP 5.2 or a T.120 peer).
	Negotiation string
	Flags       uint8     // RDP_NEG_RSP flags
	Selected    Protocols // RDP_NEG_RSP selectedProtocol
	FailureCode uint32    // RDP_NEG_FAILURE failureCode
}

var errNotCC = errors.New("rdp: not a Connection Confirm")

// ParseConnectionConfirm parses the TPDU (TPKT removed) answering a CR.
func ParseConnectionConfirm(b []byte) (Confirm, error) {
	t, err := iso.ParseTPDU(b)
	if err != nil {
		return Confirm{}, err
	}
	if t.Code != iso.CodeCC {
		return Confirm{TPDU: t}, errNotCC
	}
	c := Confirm{TPDU: t}
	// [MS-RDPBCGR] 2.2.1.2 puts rdpNegData right after the fixed part,
	// counted in the length indicator; some stacks leave it outside.
	neg := t.Variable
	if len(neg) == 0 {
		neg = t.UserData
	}
	if len(neg) == 0 {
		return c, nil
	}
	if len(neg) < negLength || binary.LittleEndian.Uint16(neg[2:4]) != negLength {
		return Confirm{}, fmt.Errorf("rdp: malformed negotiation data %x", neg)
	}
	switch neg[0] {
	case typeNegRsp:
		c.Negotiation, c.Flags = "response", neg[1]
		c.Selected = Protocols(binary.LittleEndian.Uint32(neg[4:8]))
	case typeNegFailure:
		c.Negotiation = "failure"
		c.FailureCode = binary.LittleEndian.Uint32(neg[4:8])
	default:
		return Confirm{}, fmt.Errorf("rdp: negotiation type %#x", neg[0])
	}
	return c, nil
}

// FlagNames names the RDP_NEG_RSP flags that are set.
func (c Confirm) FlagNames() []string {
	var names []string
	for _, f := range responseFlagNames {
		if c.Flags&f.bit != 0 {
			names = append(names, f.name)
		}
	}
	if rest := c.Flags &^ 0x1f; rest != 0 {
		names = append(names, fmt.Sprintf("%#x", rest))
	}
	return names
}

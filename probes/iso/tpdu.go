package iso

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// TPKT (RFC 1006 section 6): version 3, a reserved byte, and a 16-bit
// big-endian length that counts the 4-byte header too.
const (
	tpktVersion   = 3
	TPKTHeaderLen = 4
	// MaxTPKT is the largest packet RFC 1006 allows (65531 octets of TPDU
	// plus the header); readers use a smaller bound of their own.
	MaxTPKT = 65535
)

// TPDU codes, the high nibble of the second octet (X.224 13.1, Table 8).
// CR and CC carry the credit (CDT) in the low nibble, 0 in class 0.
const (
	CodeCR = 0xE0 // Connection Request
	CodeCC = 0xD0 // Connection Confirm
	CodeDR = 0x80 // Disconnect Request
	CodeDC = 0xC0 // Disconnect Confirm
	CodeDT = 0xF0 // Data
	CodeER = 0x70 // TPDU Error
)

// Variable-part parameter codes (X.224 13.3.4, 13.5.4, 13.12.4).
const (
	ParamTPDUSize          = 0xC0
	ParamCallingTSAP       = 0xC1
	ParamCalledTSAP        = 0xC2
	ParamChecksum          = 0xC3
	ParamVersion           = 0xC4
	ParamAdditionalOptions = 0xC6
	ParamPreferredMaxTPDU  = 0xF0
	ParamInvalidTPDU       = 0xC1 // in an ER: the bit pattern of the rejected TPDU
	ParamDisconnectInfo    = 0xE0 // in a DR: additional information
)

var (
	errShort = errors.New("iso: truncated")
	// ErrNotTPKT: the bytes are not a TPKT this reader accepts (version
	// other than 3, or a length out of range); ReadTPKT returns the bytes
	// it read with it, for the report.
	ErrNotTPKT    = errors.New("iso: not a TPKT")
	errTPKTLength = fmt.Errorf("%w: length out of range", ErrNotTPKT)
	errLI         = errors.New("iso: TPDU length indicator out of range")
)

// AppendTPKT appends tpdu wrapped in a TPKT header (RFC 1006 section 6).
func AppendTPKT(b, tpdu []byte) []byte {
	b = append(b, tpktVersion, 0)
	b = binary.BigEndian.AppendUint16(b, uint16(TPKTHeaderLen+len(tpdu)))
	return append(b, tpdu...)
}

// ParseTPKT splits one TPKT off the front of b and returns its TPDU and the
// bytes after it.
func ParseTPKT(b []byte) (tpdu, rest []byte, err error) {
	if len(b) < TPKTHeaderLen {
		return nil, nil, errShort
	}
	if b[0] != tpktVersion {
		return nil, nil, ErrNotTPKT
	}
	n := int(binary.BigEndian.Uint16(b[2:4]))
	// The smallest TPDU (an LI and a code) makes 6 octets with the header.
	if n < TPKTHeaderLen+2 {
		return nil, nil, errTPKTLength
	}
	if len(b) < n {
		return nil, nil, errShort
	}
	return b[TPKTHeaderLen:n], b[n:], nil
}

// ReadTPKT reads one TPKT from r, refusing packets longer than limit
// octets (header included). A first octet other than 3 or a bad length
// is ErrNotTPKT, returned with the bytes read so far.
func ReadTPKT(r io.Reader, limit int) (tpdu []byte, err error) {
	var hdr [TPKTHeaderLen]byte
	if n, err := io.ReadFull(r, hdr[:]); err != nil {
		if n > 0 && hdr[0] != tpktVersion {
			return hdr[:n], ErrNotTPKT
		}
		return hdr[:n], err
	}
	if hdr[0] != tpktVersion {
		return hdr[:], ErrNotTPKT
	}
	n := int(binary.BigEndian.Uint16(hdr[2:4]))
	if n < TPKTHeaderLen+2 || n > limit {
		return hdr[:], errTPKTLength
	}
	body := make([]byte, n-TPKTHeaderLen)
	if _, err := io.ReadFull(r, body); err != nil {
		return hdr[:], err
	}
	return body, nil
}

// Param is one variable-part parameter (X.224 13.2.3): code, length, value.
type Param struct {
	Code  uint8
	Value []byte
}

// CR is a class 0 Connection Request TPDU (X.224 13.3).
type CR struct {
	SrcRef uint16 // 13.3.3 (DST-REF is always 0 in a CR)
	// ClassOptions is class (high nibble) and options (low nibble), 13.3.3.
	ClassOptions uint8
	Params       []Param
	// Extra bytes are appended after the parameters and counted in the
	// length indicator; [MS-RDPBCGR] 2.2.1.1 places its cookie and
	// RDP_NEG_REQ there.
	Extra []byte
}

// AppendConnectRequest appends the CR TPDU (without TPKT) to b.
func AppendConnectRequest(b []byte, cr CR) []byte {
	start := len(b)
	b = append(b, 0, CodeCR, 0, 0) // LI patched below; CDT 0; DST-REF 0
	b = binary.BigEndian.AppendUint16(b, cr.SrcRef)
	b = append(b, cr.ClassOptions)
	for _, p := range cr.Params {
		b = append(b, p.Code, byte(len(p.Value)))
		b = append(b, p.Value...)
	}
	b = append(b, cr.Extra...)
	// LI counts the header octets after itself (13.2.1); it must fit 254.
	b[start] = byte(len(b) - start - 1)
	return b
}

// CC is a class 0 Connection Confirm TPDU (X.224 13.4), what a
// responder sends; winreach's lab stand-in uses it.
type CC struct {
	DstRef       uint16 // the SRC-REF of the CR being confirmed
	SrcRef       uint16
	ClassOptions uint8
	Params       []Param
}

// AppendConnectConfirm appends the CC TPDU (without TPKT) to b.
func AppendConnectConfirm(b []byte, cc CC) []byte {
	start := len(b)
	b = append(b, 0, CodeCC) // LI patched below; CDT 0
	b = binary.BigEndian.AppendUint16(b, cc.DstRef)
	b = binary.BigEndian.AppendUint16(b, cc.SrcRef)
	b = append(b, cc.ClassOptions)
	for _, p := range cc.Params {
		b = append(b, p.Code, byte(len(p.Value)))
		b = append(b, p.Value...)
	}
	b[start] = byte(len(b) - start - 1)
	return b
}

// TPDU is a parsed CC, CR, DR or ER TPDU, the kinds a connect attempt
// can draw.
type TPDU struct {
	Code   uint8  // high nibble of octet 2
	DstRef uint16 // CC, CR, DR, ER
	SrcRef uint16 // CC, CR, DR
	// ClassOptions (CC, CR), Reason (DR, 13.5.3 e), or reject Cause (ER,
	// 13.12.3 d): the octet after the references.
	ClassOptions uint8
	Reason       uint8
	Cause        uint8
	// Variable is the header's variable part, as raw bytes; Params holds
	// it decoded when it decodes as parameters.
	Variable []byte
	Params   []Param
	// UserData follows the header (CR, CC, DR user data).
	UserData []byte
}

// Param returns the value of the first parameter with code c.
func (t TPDU) Param(c uint8) ([]byte, bool) {
	for _, p := range t.Params {
		if p.Code == c {
			return p.Value, true
		}
	}
	return nil, false
}

// ParseTPDU parses the header of a TPDU (the bytes after the TPKT header).
func ParseTPDU(b []byte) (TPDU, error) {
	if len(b) < 2 {
		return TPDU{}, errShort
	}
	li := int(b[0])
	// 255 is reserved (13.2.1); the header cannot be longer than the TPDU.
	if li == 255 || li < 1 || li+1 > len(b) {
		return TPDU{}, errLI
	}
	hdr := b[1 : li+1]
	t := TPDU{Code: hdr[0] & 0xF0, UserData: b[li+1:]}
	var fixed int
	switch t.Code {
	case CodeCR, CodeCC: // 13.3.1, 13.4.1: code, DST-REF, SRC-REF, class
		fixed = 6
		if len(hdr) < fixed {
			return TPDU{}, errLI
		}
		t.DstRef = binary.BigEndian.Uint16(hdr[1:3])
		t.SrcRef = binary.BigEndian.Uint16(hdr[3:5])
		t.ClassOptions = hdr[5]
	case CodeDR: // 13.5.1: code, DST-REF, SRC-REF, reason
		fixed = 6
		if len(hdr) < fixed {
			return TPDU{}, errLI
		}
		t.DstRef = binary.BigEndian.Uint16(hdr[1:3])
		t.SrcRef = binary.BigEndian.Uint16(hdr[3:5])
		t.Reason = hdr[5]
	case CodeER: // 13.12.1: code, DST-REF, reject cause
		fixed = 4
		if len(hdr) < fixed {
			return TPDU{}, errLI
		}
		t.DstRef = binary.BigEndian.Uint16(hdr[1:3])
		t.Cause = hdr[3]
	case CodeDC, CodeDT:
		return t, nil
	default:
		return TPDU{}, fmt.Errorf("iso: unknown TPDU code %#02x", hdr[0])
	}
	t.Variable = hdr[fixed:]
	t.Params = parseParams(t.Variable)
	return t, nil
}

// parseParams decodes a variable part; it returns nil when the bytes are
// not a clean sequence of parameters (RDP puts its own structure there).
func parseParams(b []byte) []Param {
	var ps []Param
	for len(b) > 0 {
		if len(b) < 2 || int(b[1]) > len(b)-2 {
			return nil
		}
		ps = append(ps, Param{Code: b[0], Value: b[2 : 2+int(b[1])]})
		b = b[2+int(b[1]):]
	}
	return ps
}

// CodeName names a TPDU code.
func CodeName(c uint8) string {
	switch c & 0xF0 {
	case CodeCR:
		return "CR"
	case CodeCC:
		return "CC"
	case CodeDR:
		return "DR"
	case CodeDC:
		return "DC"
	case CodeDT:
		return "DT"
	case CodeER:
		return "ER"
	}
	return fmt.Sprintf("TPDU %#02x", c)
}

// DisconnectReasonName names a DR reason (X.224 13.5.3 e).
func DisconnectReasonName(r uint8) string {
	switch r {
	case 0:
		return "reason not specified"
	case 1:
		return "congestion at TSAP"
	case 2:
		return "session entity not attached to TSAP"
	case 3:
		return "address unknown"
	case 128:
		return "normal disconnect"
	case 129:
		return "remote transport entity congestion"
	case 130:
		return "connection negotiation failed"
	case 131:
		return "duplicate source reference"
	case 132:
		return "mismatched references"
	case 133:
		return "protocol error"
	case 135:
		return "reference overflow"
	case 136:
		return "connection request refused on this network connection"
	case 138:
		return "header or parameter length invalid"
	}
	return fmt.Sprintf("reason %d", r)
}

// RejectCauseName names an ER reject cause (X.224 13.12.3 d).
func RejectCauseName(c uint8) string {
	switch c {
	case 0:
		return "reason not specified"
	case 1:
		return "invalid parameter code"
	case 2:
		return "invalid TPDU type"
	case 3:
		return "invalid parameter value"
	}
	return fmt.Sprintf("cause %d", c)
}

// TPDUSizeOctets decodes the TPDU size parameter (X.224 13.3.4 b):
// the value is the base-2 logarithm of the size, 7 (128) to 13 (8192).
func TPDUSizeOctets(v uint8) int {
	if v < 7 || v > 13 {
		return 0
	}
	return 1 << v
}

package smb

import (
	"encoding/binary"
	"errors"
	"strings"
	"time"
	"unicode/utf16"
)

// SMB1 header ([MS-CIFS] 2.2.3.1).
const (
	smb1HeaderLen    = 32
	smb1CmdNegotiate = 0x72
	smb1FlagReply    = 0x80 // SMB_FLAGS_REPLY
	// Flags: SMB_FLAGS_CASE_INSENSITIVE | SMB_FLAGS_CANONICALIZED_PATHS,
	// as every NT client sends them.
	smb1Flags = 0x18
	// Flags2: SMB_FLAGS2_UNICODE | SMB_FLAGS2_NT_STATUS |
	// SMB_FLAGS2_LONG_NAMES. Extended security is not asked for, so the
	// response carries the domain and server names instead of a GSS token.
	smb1Flags2         = 0xc001
	smb1Flags2Unicode  = 0x8000
	capExtendedSecurit = 0x80000000 // CAP_EXTENDED_SECURITY ([MS-SMB] 2.2.4.5.2)
	noDialect          = 0xffff     // DialectIndex when no dialect fits (2.2.4.52.2)
)

var smb1Magic = [4]byte{0xff, 'S', 'M', 'B'}

// NTLM012 is the NT LAN Manager dialect, the last SMB1 dialect.
const NTLM012 = "NT LM 0.12"

// AppendSMB1Negotiate appends an SMB_COM_NEGOTIATE request ([MS-CIFS]
// 2.2.4.52.1) listing the dialects, each as buffer format 0x02 and a
// NUL-terminated string. Without the transport header.
func AppendSMB1Negotiate(b []byte, dialects ...string) []byte {
	b = append(b, smb1Magic[:]...)
	b = append(b, smb1CmdNegotiate)
	b = binary.LittleEndian.AppendUint32(b, 0) // Status
	b = append(b, smb1Flags)
	b = binary.LittleEndian.AppendUint16(b, smb1Flags2)
	b = binary.LittleEndian.AppendUint16(b, 0)      // PIDHigh
	b = append(b, make([]byte, 8)...)               // SecurityFeatures
	b = binary.LittleEndian.AppendUint16(b, 0)      // Reserved
	b = binary.LittleEndian.AppendUint16(b, 0)      // TID
	b = binary.LittleEndian.AppendUint16(b, 0xfeff) // PIDLow
	b = binary.LittleEndian.AppendUint16(b, 0)      // UID
	b = binary.LittleEndian.AppendUint16(b, 0)      // MID
	b = append(b, 0)                                // WordCount
	n := 0
	for _, d := range dialects {
		n += 2 + len(d)
	}
	b = binary.LittleEndian.AppendUint16(b, uint16(n)) // ByteCount
	for _, d := range dialects {
		b = append(b, 0x02)
		b = append(b, d...)
		b = append(b, 0)
	}
	return b
}

// SMB1NegotiateResponse is a parsed SMB_COM_NEGOTIATE response ([MS-CIFS]
// 2.2.4.52.2, [MS-SMB] 2.2.4.5.2).
type SMB1NegotiateResponse struct {
	Status       uint32 // the header's Status (NTSTATUS with FLAGS2_NT_STATUS)
	DialectIndex uint16 // index into the request's list; 0xFFFF: none fits
	WordCount    byte   // 17 for NT LM 0.12
	SecurityMode byte   // SMB1Signing* bits; 0 unless WordCount is 17
	Capabilities uint32
	SystemTime   time.Time
	Domain       string // without extended security only
	Server       string // [MS-SMB] adds it after the domain
}

// SecurityMode bits of the NT LM 0.12 negotiate response ([MS-CIFS]
// 2.2.4.52.2; [MS-SMB] 2.2.4.5.2 keeps them). They differ from SMB2's
// (SigningEnabled 0x01, SigningRequired 0x02).
const (
	SMB1UserSecurity     = 0x01 // NEGOTIATE_USER_SECURITY
	SMB1EncryptPasswords = 0x02 // NEGOTIATE_ENCRYPT_PASSWORDS
	SMB1SigningEnabled   = 0x04 // NEGOTIATE_SECURITY_SIGNATURES_ENABLED
	SMB1SigningRequired  = 0x08 // NEGOTIATE_SECURITY_SIGNATURES_REQUIRED
)

// isSMB1Reply reports whether b starts with an SMB1 header ([MS-CIFS]
// 2.2.3.1) marked as a reply (SMB_FLAGS_REPLY) and is followed by its
// WordCount and the words and ByteCount it announces.
func isSMB1Reply(b []byte) bool {
	if len(b) < smb1HeaderLen+1 || [4]byte(b[:4]) != smb1Magic || b[9]&smb1FlagReply == 0 {
		return false
	}
	return len(b) >= smb1HeaderLen+1+2*int(b[smb1HeaderLen])+2
}

var (
	errNotSMB1   = errors.New("smb: not an SMB1 negotiate response")
	errShortSMB1 = errors.New("smb: truncated SMB1 negotiate response")
)

// ParseSMB1NegotiateResponse parses the SMB1 message b (without the
// transport header). Responses with an error Status or no fitting dialect
// parse without error: they prove SMB1 but accept no dialect.
func ParseSMB1NegotiateResponse(b []byte) (SMB1NegotiateResponse, error) {
	var r SMB1NegotiateResponse
	if len(b) < smb1HeaderLen+1 || [4]byte(b[:4]) != smb1Magic || b[4] != smb1CmdNegotiate || b[9]&smb1FlagReply == 0 {
		return r, errNotSMB1
	}
	le := binary.LittleEndian
	r.Status = le.Uint32(b[5:])
	flags2 := le.Uint16(b[10:])
	r.WordCount = b[smb1HeaderLen]
	words := b[smb1HeaderLen+1:]
	if len(words) < 2*int(r.WordCount) {
		return r, errShortSMB1
	}
	if r.WordCount == 0 { // an error response carries no words
		return r, nil
	}
	r.DialectIndex = le.Uint16(words)
	if r.WordCount != 17 || len(words) < 34+2 {
		return r, nil // another dialect's or the "none fits" response
	}
	r.SecurityMode = words[2]
	r.Capabilities = le.Uint32(words[19:])
	r.SystemTime = filetime(le.Uint64(words[23:]))
	challengeLen := int(words[33])
	byteCount := int(le.Uint16(words[34:]))
	data := words[36:]
	if byteCount < len(data) {
		data = data[:byteCount]
	}
	if r.Capabilities&capExtendedSecurit != 0 || challengeLen > len(data) {
		return r, nil
	}
	names := data[challengeLen:]
	if flags2&smb1Flags2Unicode != 0 {
		r.Domain, names = cutUTF16(names)
		r.Server, _ = cutUTF16(names)
	} else {
		r.Domain, names = cutOEM(names)
		r.Server, _ = cutOEM(names)
	}
	return r, nil
}

// cutUTF16 splits a NUL-terminated UTF-16LE string off b.
func cutUTF16(b []byte) (string, []byte) {
	var u []uint16
	for len(b) >= 2 {
		c := binary.LittleEndian.Uint16(b)
		b = b[2:]
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	return string(utf16.Decode(u)), b
}

// cutOEM splits a NUL-terminated byte string off b, read as Latin-1.
func cutOEM(b []byte) (string, []byte) {
	var sb strings.Builder
	for len(b) > 0 {
		c := b[0]
		b = b[1:]
		if c == 0 {
			break
		}
		sb.WriteRune(rune(c))
	}
	return sb.String(), b
}

package smb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// SMB2 header ([MS-SMB2] 2.2.1).
const (
	smb2HeaderLen       = 64
	smb2FlagServerToRed = 0x00000001 // SMB2_FLAGS_SERVER_TO_REDIR
	cmdNegotiate        = 0x0000
)

var smb2Magic = [4]byte{0xfe, 'S', 'M', 'B'}

// Dialect revisions ([MS-SMB2] 2.2.3, 2.2.4).
const (
	Dialect202      = 0x0202
	Dialect210      = 0x0210
	Dialect300      = 0x0300
	Dialect302      = 0x0302
	Dialect311      = 0x0311
	DialectWildcard = 0x02ff // answer to an SMB1 negotiate listing "SMB 2.???"
)

// offeredDialects are the dialects the probe offers, oldest first.
var offeredDialects = [...]uint16{Dialect202, Dialect210, Dialect300, Dialect302, Dialect311}

// DialectName renders a dialect revision as people write it: "3.1.1".
func DialectName(d uint16) string {
	switch d {
	case Dialect202:
		return "2.0.2"
	case Dialect210:
		return "2.1"
	case Dialect300:
		return "3.0"
	case Dialect302:
		return "3.0.2"
	case Dialect311:
		return "3.1.1"
	case DialectWildcard:
		return "2.???"
	}
	return fmt.Sprintf("0x%04x", d)
}

// SecurityMode bits ([MS-SMB2] 2.2.3, 2.2.4).
const (
	SigningEnabled  = 0x0001
	SigningRequired = 0x0002
)

// Global capabilities ([MS-SMB2] 2.2.3, 2.2.4).
var capabilityNames = [...]struct {
	bit  uint32
	name string
}{
	{0x01, "dfs"},
	{0x02, "leasing"},
	{0x04, "large-mtu"},
	{0x08, "multi-channel"},
	{0x10, "persistent-handles"},
	{0x20, "directory-leasing"},
	{0x40, "encryption"},
	{0x80, "notifications"},
}

// offeredCapabilities are all capabilities a 3.x client may claim: a
// server may leave out of its answer what the client did not offer
// (3.3.5.4), and the probe wants to learn what the server supports.
const offeredCapabilities = 0x0000007f

// Negotiate context types and algorithms ([MS-SMB2] 2.2.3.1).
const (
	ctxPreauthIntegrity = 0x0001
	ctxEncryption       = 0x0002
	ctxSigning          = 0x0008
	hashSHA512          = 0x0001
	saltLen             = 32
)

var cipherNames = map[uint16]string{
	0x0001: "AES-128-CCM",
	0x0002: "AES-128-GCM",
	0x0003: "AES-256-CCM",
	0x0004: "AES-256-GCM",
}

var signingNames = map[uint16]string{
	0x0000: "HMAC-SHA256",
	0x0001: "AES-CMAC",
	0x0002: "AES-GMAC",
}

// offeredCiphers in the client's order of preference (2.2.3.1.2).
var offeredCiphers = [...]uint16{0x0002, 0x0001, 0x0004, 0x0003}

func align8(b []byte, base int) []byte {
	for (len(b)-base)%8 != 0 {
		b = append(b, 0)
	}
	return b
}

// AppendNegotiateRequest appends an SMB2 NEGOTIATE request ([MS-SMB2]
// 2.2.3) offering 2.0.2 to 3.1.1, with the preauthentication integrity
// (SHA-512 and salt) and encryption contexts that 3.1.1 requires. It is the
// bare SMB2 message, without the transport's 4-byte header.
func AppendNegotiateRequest(b []byte, clientGUID [16]byte, salt [saltLen]byte) []byte {
	base := len(b)
	// Header, 2.2.1.2 (sync).
	b = append(b, smb2Magic[:]...)              // ProtocolId
	b = binary.LittleEndian.AppendUint16(b, 64) // StructureSize
	b = binary.LittleEndian.AppendUint16(b, 0)  // CreditCharge
	b = binary.LittleEndian.AppendUint32(b, 0)  // Status
	b = binary.LittleEndian.AppendUint16(b, cmdNegotiate)
	b = binary.LittleEndian.AppendUint16(b, 1) // CreditRequest
	b = binary.LittleEndian.AppendUint32(b, 0) // Flags
	b = binary.LittleEndian.AppendUint32(b, 0) // NextCommand
	b = binary.LittleEndian.AppendUint64(b, 0) // MessageId
	b = binary.LittleEndian.AppendUint32(b, 0) // Reserved (ProcessId)
	b = binary.LittleEndian.AppendUint32(b, 0) // TreeId
	b = binary.LittleEndian.AppendUint64(b, 0) // SessionId
	b = append(b, make([]byte, 16)...)         // Signature
	// NEGOTIATE body, 2.2.3.
	b = binary.LittleEndian.AppendUint16(b, 36) // StructureSize
	b = binary.LittleEndian.AppendUint16(b, uint16(len(offeredDialects)))
	b = binary.LittleEndian.AppendUint16(b, SigningEnabled) // SecurityMode
	b = binary.LittleEndian.AppendUint16(b, 0)              // Reserved
	b = binary.LittleEndian.AppendUint32(b, offeredCapabilities)
	b = append(b, clientGUID[:]...)
	ctxOffsetAt := len(b)
	b = binary.LittleEndian.AppendUint32(b, 0) // NegotiateContextOffset, set below
	b = binary.LittleEndian.AppendUint16(b, 2) // NegotiateContextCount
	b = binary.LittleEndian.AppendUint16(b, 0) // Reserved2
	for _, d := range offeredDialects {
		b = binary.LittleEndian.AppendUint16(b, d)
	}
	// Negotiate contexts start 8-byte aligned from the header (2.2.3).
	b = align8(b, base)
	binary.LittleEndian.PutUint32(b[ctxOffsetAt:], uint32(len(b)-base))
	// SMB2_PREAUTH_INTEGRITY_CAPABILITIES, 2.2.3.1.1.
	b = binary.LittleEndian.AppendUint16(b, ctxPreauthIntegrity)
	b = binary.LittleEndian.AppendUint16(b, 4+2+saltLen) // DataLength
	b = binary.LittleEndian.AppendUint32(b, 0)           // Reserved
	b = binary.LittleEndian.AppendUint16(b, 1)           // HashAlgorithmCount
	b = binary.LittleEndian.AppendUint16(b, saltLen)
	b = binary.LittleEndian.AppendUint16(b, hashSHA512)
	b = append(b, salt[:]...)
	b = align8(b, base)
	// SMB2_ENCRYPTION_CAPABILITIES, 2.2.3.1.2.
	b = binary.LittleEndian.AppendUint16(b, ctxEncryption)
	b = binary.LittleEndian.AppendUint16(b, uint16(2+2*len(offeredCiphers)))
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(offeredCiphers)))
	for _, c := range offeredCiphers {
		b = binary.LittleEndian.AppendUint16(b, c)
	}
	return b
}

// NegotiateResponse is a parsed SMB2 NEGOTIATE response ([MS-SMB2] 2.2.4),
// or an SMB2 error response to the negotiate (Status not zero).
type NegotiateResponse struct {
	Status          uint32 // the header's NTSTATUS (2.2.1.2)
	SecurityMode    uint16
	Dialect         uint16
	ServerGUID      [16]byte
	Capabilities    uint32
	MaxTransactSize uint32
	MaxReadSize     uint32
	MaxWriteSize    uint32
	SystemTime      time.Time // zero when the server sends 0
	ServerStartTime time.Time
	SecurityBlobLen int    // GSS/SPNEGO token length; 0 means the client picks
	PreauthHash     uint16 // from the 3.1.1 contexts; 0 when absent
	Cipher          uint16 // 0 when absent or when no cipher is shared
	Signing         *uint16
}

var (
	errNotSMB2    = errors.New("smb: not an SMB2 response")
	errShortSMB2  = errors.New("smb: truncated SMB2 negotiate response")
	errNotNegResp = errors.New("smb: not a negotiate response")
	errBadDialect = errors.New("smb: negotiate response with a dialect not offered")
	errBadOffsets = errors.New("smb: negotiate response with a buffer or context outside the message")
)

// filetimeEpoch is 1601-01-01 in Unix seconds: FILETIME counts 100 ns
// intervals from there ([MS-DTYP] 2.3.3).
const filetimeEpoch = -11644473600

func filetime(v uint64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.Unix(filetimeEpoch+int64(v/10_000_000), int64(v%10_000_000)*100).UTC()
}

// ParseNegotiateResponse parses the SMB2 message b (without the transport
// header). A header with SMB2_FLAGS_SERVER_TO_REDIR and command NEGOTIATE
// but a non-zero Status is an error response (2.2.2): it is returned with
// only Status set and a nil error, since it proves an SMB2 server.
func ParseNegotiateResponse(b []byte) (NegotiateResponse, error) {
	var r NegotiateResponse
	if len(b) < smb2HeaderLen || [4]byte(b[:4]) != smb2Magic || binary.LittleEndian.Uint16(b[4:]) != smb2HeaderLen {
		return r, errNotSMB2
	}
	le := binary.LittleEndian
	if le.Uint16(b[12:]) != cmdNegotiate || le.Uint32(b[16:])&smb2FlagServerToRed == 0 {
		return r, errNotNegResp
	}
	r.Status = le.Uint32(b[8:])
	body := b[smb2HeaderLen:]
	if r.Status != 0 {
		// ERROR response, 2.2.2: StructureSize 9.
		if len(body) < 8 || le.Uint16(body) != 9 {
			return r, errShortSMB2
		}
		return r, nil
	}
	if len(body) < 64 || le.Uint16(body) != 65 {
		return r, errShortSMB2
	}
	r.SecurityMode = le.Uint16(body[2:])
	r.Dialect = le.Uint16(body[4:])
	ctxCount := int(le.Uint16(body[6:]))
	r.ServerGUID = [16]byte(body[8:24])
	r.Capabilities = le.Uint32(body[24:])
	r.MaxTransactSize = le.Uint32(body[28:])
	r.MaxReadSize = le.Uint32(body[32:])
	r.MaxWriteSize = le.Uint32(body[36:])
	r.SystemTime = filetime(le.Uint64(body[40:]))
	r.ServerStartTime = filetime(le.Uint64(body[48:]))
	// A client must drop a response whose dialect it did not offer
	// (3.2.5.2); nothing else identifies the server.
	if !slices.Contains(offeredDialects[:], r.Dialect) {
		return r, errBadDialect
	}
	// SecurityBufferOffset counts from the header; the buffer follows the
	// 64-byte body and lies inside the message.
	blobOff := int(le.Uint16(body[56:]))
	r.SecurityBlobLen = int(le.Uint16(body[58:]))
	if r.SecurityBlobLen > 0 && (blobOff < smb2HeaderLen+64 || blobOff+r.SecurityBlobLen > len(b)) {
		return r, errBadOffsets
	}
	if r.Dialect == Dialect311 {
		// 3.1.1 responses carry at least the preauth integrity context.
		if err := parseContexts(&r, b, int(le.Uint32(body[60:])), ctxCount); err != nil {
			return r, err
		}
	}
	return r, nil
}

// maxContexts bounds the negotiate contexts read: a server sends one per
// context type the client offered.
const maxContexts = 16

// parseContexts reads the 3.1.1 negotiate contexts (2.2.4, 2.2.3.1) that
// say which algorithms were chosen. A context that lies outside the
// message, or a response without the preauth integrity context the
// dialect requires, is not a 3.1.1 response.
func parseContexts(r *NegotiateResponse, msg []byte, off, count int) error {
	le := binary.LittleEndian
	if count < 1 || count > maxContexts || off < smb2HeaderLen+64 || off%8 != 0 {
		return errBadOffsets
	}
	for range count {
		if off+8 > len(msg) {
			return errBadOffsets
		}
		typ, n := le.Uint16(msg[off:]), int(le.Uint16(msg[off+2:]))
		data := msg[off+8:]
		if n > len(data) {
			return errBadOffsets
		}
		data = data[:n]
		switch typ {
		case ctxPreauthIntegrity: // HashAlgorithmCount, SaltLength, HashAlgorithms
			if len(data) >= 6 && le.Uint16(data) >= 1 {
				r.PreauthHash = le.Uint16(data[4:])
			}
		case ctxEncryption: // CipherCount (1 in a response), Ciphers
			if len(data) >= 4 && le.Uint16(data) >= 1 {
				r.Cipher = le.Uint16(data[2:])
			}
		case ctxSigning: // SigningAlgorithmCount, SigningAlgorithms
			if len(data) >= 4 && le.Uint16(data) >= 1 {
				alg := le.Uint16(data[2:])
				r.Signing = &alg
			}
		}
		off += (8 + n + 7) &^ 7 // the next context is 8-byte aligned
	}
	if r.PreauthHash == 0 {
		return errBadOffsets
	}
	return nil
}

// GUIDString renders a GUID in its registry form ([MS-DTYP] 2.3.4.3): the
// first three fields are little-endian on the wire.
func GUIDString(g [16]byte) string {
	return fmt.Sprintf("%08x-%04x-%04x-%x-%x",
		binary.LittleEndian.Uint32(g[0:]), binary.LittleEndian.Uint16(g[4:]),
		binary.LittleEndian.Uint16(g[6:]), g[8:10], g[10:])
}

// CapabilityNames lists the set capability bits by name.
func CapabilityNames(c uint32) []string {
	var names []string
	for _, n := range capabilityNames {
		if c&n.bit != 0 {
			names = append(names, n.name)
			c &^= n.bit
		}
	}
	if c != 0 {
		names = append(names, fmt.Sprintf("0x%x", c))
	}
	return names
}

// signingPolicy renders SecurityMode for the summary.
func signingPolicy(mode uint16) string {
	switch {
	case mode&SigningRequired != 0:
		return "signing required"
	case mode&SigningEnabled != 0:
		return "signing enabled"
	}
	return "signing off"
}

func algorithmName(names map[uint16]string, v uint16) string {
	if n, ok := names[v]; ok {
		return n
	}
	return fmt.Sprintf("0x%04x", v)
}

// ntStatusName names the NTSTATUS codes a negotiate can draw.
func ntStatusName(s uint32) string {
	switch s {
	case 0xc0000022:
		return "STATUS_ACCESS_DENIED"
	case 0xc00000bb:
		return "STATUS_NOT_SUPPORTED"
	case 0xc000000d:
		return "STATUS_INVALID_PARAMETER"
	case 0xc0000002:
		return "STATUS_NOT_IMPLEMENTED"
	case 0xc0000010:
		return "STATUS_INVALID_DEVICE_REQUEST"
	case 0xc0000205:
		return "STATUS_INSUFF_SERVER_RESOURCES"
	}
	return fmt.Sprintf("0x%08x", s)
}

func joinNonEmpty(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ", ")
}

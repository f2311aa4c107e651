package tds

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Packet types ([MS-TDS] 2.2.3.1.1).
const (
	TypeTabularResult = 0x04 // a server's answer, including to PRELOGIN
	TypePrelogin      = 0x12
)

// statusEOM marks the last packet of a message ([MS-TDS] 2.2.3.1.2).
const statusEOM = 0x01

// headerLen is the packet header's length ([MS-TDS] 2.2.3.1).
const headerLen = 8

// PRELOGIN option tokens ([MS-TDS] 2.2.6.5, PL_OPTION_TOKEN).
const (
	optVersion         = 0x00
	optEncryption      = 0x01
	optInstOpt         = 0x02
	optThreadID        = 0x03
	optMARS            = 0x04
	optTraceID         = 0x05
	optFedAuthRequired = 0x06
	optNonce           = 0x07
	optTerminator      = 0xff
)

// Encryption values of B_FENCRYPTION ([MS-TDS] 2.2.6.5).
const (
	EncryptOff    = 0x00 // encrypt the login packet only
	EncryptOn     = 0x01 // encryption available and on
	EncryptNotSup = 0x02 // no encryption
	EncryptReq    = 0x03 // encryption required
	// EncryptClientCert is a flag over the four values: the client
	// authenticates with a certificate (TDS 7.x, [MS-TDS] 2.2.6.5).
	EncryptClientCert = 0x80
)

// EncryptionName names a B_FENCRYPTION value.
func EncryptionName(e uint8) string {
	var s string
	switch e &^ EncryptClientCert {
	case EncryptOff:
		s = "ENCRYPT_OFF"
	case EncryptOn:
		s = "ENCRYPT_ON"
	case EncryptNotSup:
		s = "ENCRYPT_NOT_SUP"
	case EncryptReq:
		s = "ENCRYPT_REQ"
	default:
		return fmt.Sprintf("encryption %#02x", e)
	}
	if e&EncryptClientCert != 0 {
		s += "|ENCRYPT_CLIENT_CERT"
	}
	return s
}

// Version is the VERSION option: UL_VERSION (major, minor, then the build
// as a big-endian 16-bit number, as in the [MS-TDS] 4.1 example) and
// US_SUBBUILD ([MS-TDS] 2.2.6.5).
type Version struct {
	Major, Minor uint8
	Build        uint16
	SubBuild     uint16
}

func (v Version) String() string {
	return fmt.Sprintf("%d.%d.%d.%d", v.Major, v.Minor, v.Build, v.SubBuild)
}

// Product names the SQL Server release of a server's version (KB 321185,
// "How to determine the version, edition, and update level of SQL Server"),
// or "" for a major version this package does not know.
func (v Version) Product() string {
	switch v.Major {
	case 7:
		return "SQL Server 7.0"
	case 8:
		return "SQL Server 2000"
	case 9:
		return "SQL Server 2005"
	case 10:
		if v.Minor >= 50 {
			return "SQL Server 2008 R2"
		}
		return "SQL Server 2008"
	case 11:
		return "SQL Server 2012"
	case 12:
		return "SQL Server 2014"
	case 13:
		return "SQL Server 2016"
	case 14:
		return "SQL Server 2017"
	case 15:
		return "SQL Server 2019"
	case 16:
		return "SQL Server 2022"
	case 17:
		return "SQL Server 2025"
	}
	return ""
}

// Prelogin is the PRELOGIN structure's options this package reads and
// writes ([MS-TDS] 2.2.6.5).
type Prelogin struct {
	Version    Version // VERSION: the sender's version
	Encryption uint8   // ENCRYPTION: B_FENCRYPTION
	// Instance is INSTOPT in a request: the instance name the client
	// asks for ("" sends the single 0x00 that means the default).
	Instance string
	// InstOpt is INSTOPT as received: in a server's answer a single octet,
	// 0x00 when the instance asked for is this one, 0x01 when not.
	InstOpt  []byte
	ThreadID uint32 // THREADID, client only, little-endian as in the 4.1 example
	MARS     bool   // MARS: B_MARS
	// Present records which options the message carried, so a reader can
	// tell an absent option from a zero one.
	Present map[uint8]bool `json:"-"`
	// FedAuthRequired is the FEDAUTHREQUIRED byte when present.
	FedAuthRequired *uint8
}

// appendHeader appends a packet header for a single-packet message
// ([MS-TDS] 2.2.3.1): type, status EOM, length including the header,
// SPID 0, packet ID 1, window 0.
func appendHeader(b []byte, typ uint8, payloadLen int) []byte {
	b = append(b, typ, statusEOM)
	b = binary.BigEndian.AppendUint16(b, uint16(headerLen+payloadLen))
	return append(b, 0, 0, 1, 0)
}

// AppendPrelogin appends a PRELOGIN packet ([MS-TDS] 2.2.6.5) with the
// options VERSION, ENCRYPTION, INSTOPT, THREADID and MARS, then the
// TERMINATOR; offsets count from the start of the packet data.
func AppendPrelogin(b []byte, p Prelogin) []byte {
	var ver [6]byte
	ver[0], ver[1] = p.Version.Major, p.Version.Minor
	binary.BigEndian.PutUint16(ver[2:], p.Version.Build)
	binary.BigEndian.PutUint16(ver[4:], p.Version.SubBuild)
	mars := byte(0)
	if p.MARS {
		mars = 1
	}
	options := []struct {
		token uint8
		data  []byte
	}{
		{optVersion, ver[:]},
		{optEncryption, []byte{p.Encryption}},
		{optInstOpt, append([]byte(p.Instance), 0)}, // B_INSTVALIDITY: the name, NUL-terminated
		{optThreadID, binary.LittleEndian.AppendUint32(nil, p.ThreadID)},
		{optMARS, []byte{mars}},
	}
	offset := len(options)*5 + 1 // option tokens, 5 octets each, and the terminator
	var head, data []byte
	for _, o := range options {
		head = append(head, o.token)
		head = binary.BigEndian.AppendUint16(head, uint16(offset+len(data)))
		head = binary.BigEndian.AppendUint16(head, uint16(len(o.data)))
		data = append(data, o.data...)
	}
	head = append(head, optTerminator)
	b = appendHeader(b, TypePrelogin, len(head)+len(data))
	return append(append(b, head...), data...)
}

// ErrNotTDS is returned when the first octets are not the TDS packet
// header expected.
var ErrNotTDS = errors.New("tds: not the TDS packet expected")

// maxPacket bounds a PRELOGIN answer: TDS packets are at most 32767 octets
// and a PRELOGIN answer is a few dozen.
const maxPacket = 4096

// ReadPacket reads one packet of type typ from r ([MS-TDS] 2.2.3.1):
// the header, which must be of that type and a sane length, then the
// rest. On ErrNotTDS the octets read so far are returned for quoting.
func ReadPacket(r io.Reader, typ uint8) ([]byte, error) {
	var h [headerLen]byte
	if n, err := io.ReadFull(r, h[:]); err != nil {
		if n > 0 && h[0] != typ {
			return h[:n], ErrNotTDS
		}
		return h[:n], err
	}
	n := int(binary.BigEndian.Uint16(h[2:]))
	if h[0] != typ || n < headerLen || n > maxPacket {
		return h[:], ErrNotTDS
	}
	pkt := make([]byte, n)
	copy(pkt, h[:])
	if m, err := io.ReadFull(r, pkt[headerLen:]); err != nil {
		return pkt[:headerLen+m], err
	}
	return pkt, nil
}

// ParsePrelogin reads a PRELOGIN message: a packet ([MS-TDS] 2.2.3.1) of
// type PRELOGIN (a request) or tabular result (a server's answer) whose
// data is a PRELOGIN structure (2.2.6.5). It insists on a VERSION option
// first, as [MS-TDS] 3.3.5.1 has servers insist on it in a request.
func ParsePrelogin(pkt []byte) (Prelogin, error) {
	p := Prelogin{Present: map[uint8]bool{}}
	if len(pkt) < headerLen || (pkt[0] != TypeTabularResult && pkt[0] != TypePrelogin) {
		return p, ErrNotTDS
	}
	if n := int(binary.BigEndian.Uint16(pkt[2:])); n != len(pkt) {
		return p, fmt.Errorf("tds: packet length %d, have %d octets", n, len(pkt))
	}
	data := pkt[headerLen:]
	for i := 0; ; i++ {
		off := i * 5
		if off >= len(data) {
			return p, errors.New("tds: PRELOGIN without a terminator")
		}
		token := data[off]
		if token == optTerminator {
			break
		}
		if off+5 > len(data) {
			return p, errors.New("tds: truncated PRELOGIN option token")
		}
		at := int(binary.BigEndian.Uint16(data[off+1:]))
		n := int(binary.BigEndian.Uint16(data[off+3:]))
		if at+n > len(data) {
			return p, fmt.Errorf("tds: option %#02x at %d+%d beyond the %d octets", token, at, n, len(data))
		}
		if i == 0 && token != optVersion {
			return p, fmt.Errorf("tds: first PRELOGIN option %#02x, want VERSION", token)
		}
		if p.Present[token] {
			return p, fmt.Errorf("tds: option %#02x twice", token)
		}
		p.Present[token] = true
		v := data[at : at+n]
		switch token {
		case optVersion:
			if n < 6 {
				return p, fmt.Errorf("tds: VERSION of %d octets", n)
			}
			p.Version = Version{Major: v[0], Minor: v[1], Build: binary.BigEndian.Uint16(v[2:]), SubBuild: binary.BigEndian.Uint16(v[4:])}
		case optEncryption:
			if n != 1 {
				return p, fmt.Errorf("tds: ENCRYPTION of %d octets", n)
			}
			p.Encryption = v[0]
		case optInstOpt:
			p.InstOpt, p.Instance = v, cString(v)
		case optThreadID:
			if n == 4 {
				p.ThreadID = binary.LittleEndian.Uint32(v)
			}
		case optMARS:
			p.MARS = n >= 1 && v[0] != 0
		case optFedAuthRequired:
			if n >= 1 {
				f := v[0]
				p.FedAuthRequired = &f
			}
		}
	}
	if !p.Present[optVersion] {
		return p, errors.New("tds: PRELOGIN without VERSION")
	}
	return p, nil
}

// cString reads a NUL-terminated string, keeping printable text only.
func cString(b []byte) string {
	if i := strings.IndexByte(string(b), 0); i >= 0 {
		b = b[:i]
	}
	if !utf8.Valid(b) {
		return fmt.Sprintf("%x", b)
	}
	return string(b)
}

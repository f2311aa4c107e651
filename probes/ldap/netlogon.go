package ldap

import (
	"github.com/winreach/winreach/probes"

	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// Opcodes of the NETLOGON_SAM_LOGON_RESPONSE_EX family ([MS-ADTS] 6.3.1.9,
// 6.3.1.4).
const (
	opcodeSamLogonResponseEx   = 23 // LOGON_SAM_LOGON_RESPONSE_EX
	opcodeSamPauseResponseEx   = 24 // LOGON_SAM_PAUSE_RESPONSE_EX: the DC's Netlogon is paused
	opcodeSamUserUnknownEx     = 25 // LOGON_SAM_USER_UNKNOWN_EX: the User in the filter is unknown
	netlogonNtVersion5EX       = 0x00000004
	netlogonNtVersion5         = 0x00000002
	netlogonNtVersion5EXWithIP = 0x00000008
)

// dsFlagNames names the DS_FLAG bits of the Flags field ([MS-ADTS]
// 6.3.1.2), lowest bit first.
func dsFlagNames() []struct {
	bit  uint32
	name string
} {
	return []struct {
		bit  uint32
		name string
	}{
		{0x00000001, "PDC"},
		{0x00000004, "GC"},
		{0x00000008, "LDAP"},
		{0x00000010, "DS"},
		{0x00000020, "KDC"},
		{0x00000040, "TIMESERV"},
		{0x00000080, "CLOSEST"},
		{0x00000100, "WRITABLE"},
		{0x00000200, "GOOD_TIMESERV"},
		{0x00000400, "NDNC"},
		{0x00000800, "SELECT_SECRET_DOMAIN_6"},
		{0x00001000, "FULL_SECRET_DOMAIN_6"},
		{0x00002000, "WS"},
		{0x00004000, "DS_8"},
		{0x00008000, "DS_9"},
		{0x00010000, "DS_10"},
		{0x00020000, "KEY_LIST"},
		{0x20000000, "DNS_CONTROLLER"},
		{0x40000000, "DNS_DOMAIN"},
		{0x80000000, "DNS_FOREST"},
	}
}

// NetlogonResponse is a NETLOGON_SAM_LOGON_RESPONSE_EX ([MS-ADTS] 6.3.1.9).
type NetlogonResponse struct {
	Opcode uint16 `json:"opcode"`
	// Flags are the DS_FLAG bits (6.3.1.2); FlagNames spells them.
	Flags     uint32   `json:"flags"`
	FlagNames []string `json:"flag_names,omitempty"`
	// DomainGUID in the registry form, e.g. 3c1f2e0a-....
	DomainGUID          string `json:"domain_guid"`
	DNSForestName       string `json:"dns_forest_name,omitempty"`
	DNSDomainName       string `json:"dns_domain_name,omitempty"`
	DNSHostName         string `json:"dns_host_name,omitempty"`
	NetBIOSDomainName   string `json:"netbios_domain_name,omitempty"`
	NetBIOSComputerName string `json:"netbios_computer_name,omitempty"`
	UserName            string `json:"user_name,omitempty"`
	DCSiteName          string `json:"dc_site_name,omitempty"`
	ClientSiteName      string `json:"client_site_name,omitempty"`
	// DCAddress is DcSockAddr, present when the request's NtVer asked for
	// NETLOGON_NT_VERSION_5EX_WITH_IP.
	DCAddress           netip.AddrPort `json:"dc_address,omitzero"`
	NextClosestSiteName string         `json:"next_closest_site_name,omitempty"`
	NtVersion           uint32         `json:"nt_version"`
}

var errNetlogon = errors.New("malformed NETLOGON_SAM_LOGON_RESPONSE_EX")

// ParseNetlogonResponse decodes the value of the Netlogon attribute of an
// LDAP ping reply ([MS-ADTS] 6.3.3.3): NETLOGON_SAM_LOGON_RESPONSE_EX,
// all integers little-endian, the names compressed as RFC 1035 4.1.4 with
// pointers counted from the start of the structure.
func ParseNetlogonResponse(b []byte) (NetlogonResponse, error) {
	// Opcode(2) Sbz(2) Flags(4) DomainGuid(16)
	if len(b) < 24 {
		return NetlogonResponse{}, fmt.Errorf("%w: %d bytes", errNetlogon, len(b))
	}
	r := NetlogonResponse{
		Opcode: binary.LittleEndian.Uint16(b[0:2]),
		Flags:  binary.LittleEndian.Uint32(b[4:8]),
	}
	switch r.Opcode {
	case opcodeSamLogonResponseEx, opcodeSamPauseResponseEx, opcodeSamUserUnknownEx:
	default:
		return NetlogonResponse{}, fmt.Errorf("%w: opcode %d", errNetlogon, r.Opcode)
	}
	r.DomainGUID = formatGUID(b[8:24])
	for _, f := range dsFlagNames() {
		if r.Flags&f.bit != 0 {
			r.FlagNames = append(r.FlagNames, f.name)
		}
	}
	off := 24
	for _, field := range []*string{
		&r.DNSForestName, &r.DNSDomainName, &r.DNSHostName,
		&r.NetBIOSDomainName, &r.NetBIOSComputerName, &r.UserName,
		&r.DCSiteName, &r.ClientSiteName,
	} {
		name, next, err := readCompressedName(b, off)
		if err != nil {
			return NetlogonResponse{}, err
		}
		*field, off = name, next
	}
	// NtVersion(4) LmNtToken(2) Lm20Token(2) close the structure; between
	// the names and them sit the optional DcSockAddrSize/DcSockAddr and
	// NextClosestSiteName, present as the request's NtVer asked.
	if len(b)-off < 8 {
		return NetlogonResponse{}, fmt.Errorf("%w: no NtVersion", errNetlogon)
	}
	tail := len(b) - 8
	r.NtVersion = binary.LittleEndian.Uint32(b[tail:])
	if off < tail {
		size := int(b[off])
		if off+1+size > tail {
			return NetlogonResponse{}, fmt.Errorf("%w: DcSockAddr of %d bytes", errNetlogon, size)
		}
		r.DCAddress = parseSockaddrIn(b[off+1 : off+1+size])
		off += 1 + size
	}
	if off < tail {
		name, next, err := readCompressedName(b, off)
		if err != nil {
			return NetlogonResponse{}, err
		}
		if next > tail {
			return NetlogonResponse{}, fmt.Errorf("%w: NextClosestSiteName runs into NtVersion", errNetlogon)
		}
		r.NextClosestSiteName = name
	}
	return r, nil
}

// parseSockaddrIn reads a SOCKADDR_IN ([MS-ADTS] 6.3.1.9 DcSockAddr):
// family (2, little-endian AF_INET), port and address in network order.
func parseSockaddrIn(b []byte) netip.AddrPort {
	if len(b) < 8 || binary.LittleEndian.Uint16(b) != 2 {
		return netip.AddrPort{}
	}
	addr := netip.AddrFrom4([4]byte(b[4:8]))
	return netip.AddrPortFrom(addr, binary.BigEndian.Uint16(b[2:4]))
}

// Limits of RFC 1035 names (2.3.4): 255 octets in all; and a bound on
// pointer hops, which with the backward-only rule below keeps a hostile
// message from looping.
const (
	maxNameLength  = 255
	maxPointerHops = 32
)

// readCompressedName reads the name at msg[off:] (RFC 1035 4.1.4): labels
// of length < 64, ended by a zero octet or by a pointer (two octets, top
// bits 11) to an earlier offset. It returns the dotted name and the offset
// after the name's own bytes.
func readCompressedName(msg []byte, off int) (string, int, error) {
	var (
		name  strings.Builder
		next  = -1 // offset after the name where it started, fixed at the first pointer
		hops  = 0
		total = 0
	)
	for {
		if off >= len(msg) {
			return "", 0, fmt.Errorf("%w: name runs past the end", errNetlogon)
		}
		c := int(msg[off])
		switch {
		case c == 0:
			if next < 0 {
				next = off + 1
			}
			return name.String(), next, nil
		case c&0xc0 == 0xc0:
			if off+1 >= len(msg) {
				return "", 0, fmt.Errorf("%w: truncated pointer", errNetlogon)
			}
			target := (c&0x3f)<<8 | int(msg[off+1])
			if target >= off {
				return "", 0, fmt.Errorf("%w: pointer does not point back", errNetlogon)
			}
			hops++
			if hops > maxPointerHops {
				return "", 0, fmt.Errorf("%w: too many pointers", errNetlogon)
			}
			if next < 0 {
				next = off + 2
			}
			off = target
		case c&0xc0 != 0:
			return "", 0, fmt.Errorf("%w: label type %#02x", errNetlogon, c&0xc0)
		default:
			if off+1+c > len(msg) {
				return "", 0, fmt.Errorf("%w: label runs past the end", errNetlogon)
			}
			total += c + 1
			if total > maxNameLength {
				return "", 0, fmt.Errorf("%w: name longer than %d", errNetlogon, maxNameLength)
			}
			if name.Len() > 0 {
				name.WriteByte('.')
			}
			name.WriteString(probes.Printable(msg[off+1:off+1+c], 63))
			off += 1 + c
		}
	}
}

// formatGUID renders a GUID in its little-endian wire layout ([MS-DTYP]
// 2.3.4.2: Data1, Data2, Data3 little-endian, Data4 bytes in order).
func formatGUID(b []byte) string {
	return fmt.Sprintf("%08x-%04x-%04x-%x-%x",
		binary.LittleEndian.Uint32(b[0:4]), binary.LittleEndian.Uint16(b[4:6]),
		binary.LittleEndian.Uint16(b[6:8]), b[8:10], b[10:16])
}

// Summary is a table line: "DC1 in LAB (lab.test), site Default-First-Site-Name".
func (r NetlogonResponse) Summary() string {
	s := r.NetBIOSComputerName
	if s == "" {
		s = r.DNSHostName
	}
	if s == "" {
		s = "DC"
	}
	if r.NetBIOSDomainName != "" {
		s += " in " + r.NetBIOSDomainName
		if r.DNSDomainName != "" {
			s += " (" + r.DNSDomainName + ")"
		}
	} else if r.DNSDomainName != "" {
		s += " in " + r.DNSDomainName
	}
	if r.DCSiteName != "" {
		s += ", site " + r.DCSiteName
	}
	switch r.Opcode {
	case opcodeSamPauseResponseEx:
		s += ", netlogon paused"
	case opcodeSamUserUnknownEx:
		s += ", user unknown"
	}
	return s
}

package dhcp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
)

// BOOTP/DHCP fixed fields (RFC 2131 2, Figure 1) and options (RFC 2132).
const (
	opRequest = 1 // BOOTREQUEST
	opReply   = 2 // BOOTREPLY

	htypeEthernet = 1 // RFC 1700 hardware type
	hlenEthernet  = 6

	fixedLen  = 236 // op .. file
	cookieLen = 4
	// MinMessage is the smallest DHCP message a server must accept
	// (RFC 2131 2: the options field is at least 312 octets for a
	// 576-octet datagram, but BOOTP relays expect at least 300).
	MinMessage = 300

	magicCookie = 0x63825363 // RFC 2131 3, RFC 2132 2

	optPad             = 0
	optSubnetMask      = 1
	optRouter          = 3
	optDNS             = 6
	optDomainName      = 15
	optNetBIOSNS       = 44
	optNetBIOSNodeType = 46
	optLeaseTime       = 51
	optOverload        = 52
	optMessageType     = 53
	optServerID        = 54
	optParamRequest    = 55
	optMessage         = 56
	optEnd             = 255
)

// DHCP message types (RFC 2132 9.6).
const (
	TypeDiscover = 1
	TypeOffer    = 2
	TypeRequest  = 3
	TypeDecline  = 4
	TypeAck      = 5
	TypeNak      = 6
	TypeRelease  = 7
	TypeInform   = 8
)

// MessageTypeName names a DHCP message type.
func MessageTypeName(t uint8) string {
	names := [...]string{"", "DHCPDISCOVER", "DHCPOFFER", "DHCPREQUEST", "DHCPDECLINE", "DHCPACK", "DHCPNAK", "DHCPRELEASE", "DHCPINFORM"}
	if int(t) < len(names) && names[t] != "" {
		return names[t]
	}
	return fmt.Sprintf("type %d", t)
}

// InformRequest is the content of a DHCPINFORM.
type InformRequest struct {
	XID          uint32
	ClientAddr   netip.Addr       // ciaddr: the scanner's own IPv4 address
	HardwareAddr net.HardwareAddr // chaddr: 6 octets
	Params       []byte           // option 55, parameter request list
}

// defaultParams asks for what a Windows client asks: subnet mask (1),
// router (3), DNS servers (6), domain name (15), NetBIOS name servers (44)
// and node type (46).
const defaultParams = "\x01\x03\x06\x0f\x2c\x2e"

// AppendInform appends a DHCPINFORM (RFC 2131 4.4.3, Table 5: ciaddr set,
// yiaddr 0, no requested address or lease time), padded to MinMessage.
func AppendInform(b []byte, r InformRequest) []byte {
	start := len(b)
	b = append(b, opRequest, htypeEthernet, hlenEthernet, 0) // op, htype, hlen, hops
	b = binary.BigEndian.AppendUint32(b, r.XID)
	b = append(b, 0, 0, 0, 0) // secs, flags (broadcast bit clear: unicast reply)
	ci := r.ClientAddr.As4()
	b = append(b, ci[:]...)            // ciaddr
	b = append(b, make([]byte, 12)...) // yiaddr, siaddr, giaddr
	var ch [16]byte                    // chaddr
	copy(ch[:], r.HardwareAddr)
	b = append(b, ch[:]...)
	b = append(b, make([]byte, 64+128)...) // sname, file
	b = binary.BigEndian.AppendUint32(b, magicCookie)
	b = append(b, optMessageType, 1, TypeInform)
	if r.Params == nil {
		b = append(b, optParamRequest, byte(len(defaultParams)))
		b = append(b, defaultParams...)
	} else {
		b = append(b, optParamRequest, byte(len(r.Params)))
		b = append(b, r.Params...)
	}
	b = append(b, optEnd)
	for len(b)-start < MinMessage {
		b = append(b, optPad)
	}
	return b
}

// Reply is a parsed BOOTREPLY with the options the probe reports.
type Reply struct {
	XID          uint32
	ClientAddr   netip.Addr // ciaddr
	YourAddr     netip.Addr // yiaddr
	NextServer   netip.Addr // siaddr
	RelayAddr    netip.Addr // giaddr
	HardwareAddr net.HardwareAddr
	ServerName   string // sname, when not overloaded

	MessageType     uint8        // option 53
	ServerID        netip.Addr   // option 54
	SubnetMask      netip.Addr   // option 1
	Routers         []netip.Addr // option 3
	DNS             []netip.Addr // option 6
	DomainName      string       // option 15
	NetBIOSNS       []netip.Addr // option 44
	NetBIOSNodeType uint8        // option 46
	LeaseSeconds    *uint32      // option 51 (a server must not send it for INFORM)
	Message         string       // option 56
}

var (
	errShort  = errors.New("dhcp: shorter than a BOOTP message with cookie")
	errNotRep = errors.New("dhcp: not a BOOTREPLY")
	errCookie = errors.New("dhcp: magic cookie missing")
)

// ParseReply parses a BOOTREPLY carrying DHCP options.
func ParseReply(b []byte) (Reply, error) {
	if len(b) < fixedLen+cookieLen {
		return Reply{}, errShort
	}
	if b[0] != opReply {
		return Reply{}, errNotRep
	}
	if binary.BigEndian.Uint32(b[fixedLen:fixedLen+4]) != magicCookie {
		return Reply{}, errCookie
	}
	r := Reply{
		XID:        binary.BigEndian.Uint32(b[4:8]),
		ClientAddr: addr4(b[12:16]),
		YourAddr:   addr4(b[16:20]),
		NextServer: addr4(b[20:24]),
		RelayAddr:  addr4(b[24:28]),
	}
	if hlen := int(b[2]); hlen > 0 && hlen <= 16 {
		r.HardwareAddr = append(net.HardwareAddr(nil), b[28:28+hlen]...)
	}
	overload, err := r.parseOptions(b[fixedLen+cookieLen:], true)
	if err != nil {
		return Reply{}, err
	}
	// Option 52 (RFC 2132 9.3): 1 file holds options, 2 sname, 3 both.
	if overload&1 != 0 {
		if _, err := r.parseOptions(b[108:236], false); err != nil {
			return Reply{}, err
		}
	}
	if overload&2 != 0 {
		if _, err := r.parseOptions(b[44:108], false); err != nil {
			return Reply{}, err
		}
	} else {
		r.ServerName = cString(b[44:108])
	}
	if r.MessageType == 0 {
		return Reply{}, errors.New("dhcp: BOOTP reply without a DHCP message type")
	}
	return r, nil
}

// parseOptions reads options up to End (RFC 2132 2); main says whether
// this is the options field, the only place option 52 may appear.
func (r *Reply) parseOptions(b []byte, main bool) (overload uint8, err error) {
	for len(b) > 0 {
		code := b[0]
		if code == optEnd {
			return overload, nil
		}
		if code == optPad {
			b = b[1:]
			continue
		}
		if len(b) < 2 || int(b[1]) > len(b)-2 {
			return 0, fmt.Errorf("dhcp: option %d truncated", code)
		}
		v := b[2 : 2+int(b[1])]
		b = b[2+int(b[1]):]
		switch code {
		case optMessageType:
			if len(v) == 1 {
				r.MessageType = v[0]
			}
		case optServerID:
			if len(v) == 4 {
				r.ServerID = addr4(v)
			}
		case optSubnetMask:
			if len(v) == 4 {
				r.SubnetMask = addr4(v)
			}
		case optRouter:
			r.Routers = append(r.Routers, addrList(v)...)
		case optDNS:
			r.DNS = append(r.DNS, addrList(v)...)
		case optNetBIOSNS:
			r.NetBIOSNS = append(r.NetBIOSNS, addrList(v)...)
		case optDomainName:
			r.DomainName += cString(v)
		case optMessage:
			r.Message += cString(v)
		case optNetBIOSNodeType:
			if len(v) == 1 {
				r.NetBIOSNodeType = v[0]
			}
		case optLeaseTime:
			if len(v) == 4 {
				s := binary.BigEndian.Uint32(v)
				r.LeaseSeconds = &s
			}
		case optOverload:
			if main && len(v) == 1 {
				overload = v[0]
			}
		}
	}
	// A missing End is tolerated: some servers stop at the datagram's end.
	return overload, nil
}

func addr4(b []byte) netip.Addr { return netip.AddrFrom4([4]byte(b[:4])) }

// addrList splits a list of IPv4 addresses (RFC 2132 3.5, 3.8, 8.9).
func addrList(v []byte) []netip.Addr {
	var as []netip.Addr
	for ; len(v) >= 4; v = v[4:] {
		as = append(as, addr4(v))
	}
	return as
}

// cString returns the text up to the first NUL (RFC 2132 allows none).
func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

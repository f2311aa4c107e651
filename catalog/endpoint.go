package catalog

import (
	"fmt"
	"strconv"
	"strings"
)

// Transport is how an endpoint is reached.
type Transport uint8

const (
	TCP Transport = iota + 1
	UDP
	// IP is a raw IP protocol; the endpoint's Port holds the protocol number.
	IP
)

func (t Transport) String() string {
	switch t {
	case TCP:
		return "tcp"
	case UDP:
		return "udp"
	case IP:
		return "ip"
	}
	return "transport(" + strconv.Itoa(int(t)) + ")"
}

// Endpoint is one thing a function needs from the network path: a TCP or
// UDP port, or an IP protocol number.
type Endpoint struct {
	Transport Transport
	Port      uint16 // port, or IP protocol number when Transport is IP
}

// String renders the endpoint as "tcp/139", "udp/137" or "ip/47".
func (e Endpoint) String() string { return e.Transport.String() + "/" + strconv.Itoa(int(e.Port)) }

// Label is the endpoint for people: "TCP 139", "GRE (IP 47)".
func (e Endpoint) Label() string {
	switch e.Transport {
	case IP:
		if n := ProtocolName(e.Port); n != "" {
			return n + " (IP " + strconv.Itoa(int(e.Port)) + ")"
		}
		return "IP protocol " + strconv.Itoa(int(e.Port))
	default:
		return strings.ToUpper(e.Transport.String()) + " " + strconv.Itoa(int(e.Port))
	}
}

// ProtocolName names the IP protocols of the catalog.
func ProtocolName(proto uint16) string {
	switch proto {
	case 46:
		return "RSVP"
	case 47:
		return "GRE"
	case 50:
		return "ESP"
	case 51:
		return "AH"
	}
	return ""
}

// Less orders endpoints by transport, then number.
func (e Endpoint) Less(o Endpoint) bool {
	if e.Transport != o.Transport {
		return e.Transport < o.Transport
	}
	return e.Port < o.Port
}

// ParseEndpoint reads "tcp/139", "udp/137" or "ip/47".
func ParseEndpoint(s string) (Endpoint, error) {
	proto, num, ok := strings.Cut(strings.ToLower(strings.TrimSpace(s)), "/")
	if !ok {
		return Endpoint{}, fmt.Errorf("endpoint %s: want tcp/N, udp/N or ip/N", Quote(s))
	}
	var e Endpoint
	switch proto {
	case "tcp":
		e.Transport = TCP
	case "udp":
		e.Transport = UDP
	case "ip":
		e.Transport = IP
	default:
		return Endpoint{}, fmt.Errorf("endpoint %s: unknown transport %s (want tcp, udp or ip)", Quote(s), Quote(proto))
	}
	n, err := strconv.ParseUint(num, 10, 16)
	if err != nil {
		return Endpoint{}, fmt.Errorf("endpoint %s: bad number %s", Quote(s), Quote(num))
	}
	if e.Transport == IP && n > 255 {
		return Endpoint{}, fmt.Errorf("endpoint %s: IP protocol numbers stop at 255", Quote(s))
	}
	if e.Transport != IP && n == 0 {
		return Endpoint{}, fmt.Errorf("endpoint %s: port 0 cannot be probed", Quote(s))
	}
	e.Port = uint16(n)
	return e, nil
}

// ParseEndpoints reads a comma- or space-separated list of endpoints.
func ParseEndpoints(s string) ([]Endpoint, error) {
	var out []Endpoint
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		e, err := ParseEndpoint(f)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

func (e Endpoint) MarshalText() ([]byte, error) { return []byte(e.String()), nil }

func (e *Endpoint) UnmarshalText(b []byte) error {
	v, err := ParseEndpoint(string(b))
	*e = v
	return err
}

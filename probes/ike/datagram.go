package ike

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/winreach/winreach/probes"
)

// Initiator is the UDP 500 Datagram: attempts 0 and 1 send IKEv2
// IKE_SA_INIT, later attempts IKEv1 Main Mode, so that a responder that
// ignores one version still answers the other. Every attempt has a fresh
// random SPI (cookie).
type Initiator struct{}

// Request builds the datagram for one attempt.
func (Initiator) Request(t probes.Target, attempt int) []byte {
	if attempt >= 2 {
		return NewMainMode()
	}
	return NewIKESAInit()
}

// Parse judges a reply to req.
func (Initiator) Parse(req, reply []byte) (*probes.Service, error) { return Parse(req, reply) }

// MainMode is a Datagram that sends only IKEv1 Main Mode.
type MainMode struct{}

// Request builds a Main Mode first message with a fresh cookie.
func (MainMode) Request(t probes.Target, attempt int) []byte { return NewMainMode() }

// Parse judges a reply to req.
func (MainMode) Parse(req, reply []byte) (*probes.Service, error) { return Parse(req, reply) }

// NewIKESAInit returns an IKE_SA_INIT request with a random SPI, nonce
// and key-exchange value. The KE value is random below the group 14
// prime (whose top 64 bits are all ones), so a responder accepts it; the
// probe never completes the exchange, so it needs no private key.
func NewIKESAInit() []byte {
	var spi [8]byte
	rand.Read(spi[:])
	ke := make([]byte, KELength)
	rand.Read(ke)
	ke[0] = 0x01 | ke[0]&0x7f // 1 <= first octet <= 0x7f: 1 < y < p-1
	nonce := make([]byte, NonceLength)
	rand.Read(nonce)
	return AppendIKESAInit(nil, spi, ke, nonce)
}

// NewMainMode returns a Main Mode first message with a random cookie.
func NewMainMode() []byte {
	var cookie [8]byte
	rand.Read(cookie[:])
	return AppendMainMode(nil, cookie)
}

// VendorID is one Vendor ID payload.
type VendorID struct {
	Hex  string `json:"hex"`
	Name string `json:"name,omitempty"`
}

// Details is what a responder's reply said.
type Details struct {
	Version      string      `json:"version"` // "2.0" or "1.0"
	Exchange     string      `json:"exchange"`
	ExchangeType uint8       `json:"exchange_type"`
	ResponderSPI string      `json:"responder_spi,omitempty"` // hex; zero in a bare error reply
	Payloads     []string    `json:"payloads,omitempty"`
	Notifies     []Notify    `json:"notifies,omitempty"`
	Selected     []Transform `json:"selected,omitempty"` // the responder's chosen proposal
	KEGroup      string      `json:"ke_group,omitempty"`
	NonceLength  int         `json:"nonce_length,omitempty"`
	VendorIDs    []VendorID  `json:"vendor_ids,omitempty"`
}

var errNotReply = errors.New("ike: not a reply")

// Parse judges reply against the request req: ErrNotForUs for a
// well-formed IKE message with another initiator SPI, an error for
// anything that is not an IKE reply, a Service otherwise.
func Parse(req, reply []byte) (*probes.Service, error) {
	if len(req) < HeaderLen {
		return nil, errors.New("ike: request too short")
	}
	h, err := ParseHeader(reply)
	if err != nil {
		return nil, err
	}
	if string(h.InitiatorSPI[:]) != string(req[:8]) {
		return nil, probes.ErrNotForUs
	}
	if string(reply) == string(req) {
		return nil, fmt.Errorf("%w: the request came back unchanged", errNotReply)
	}
	d := Details{
		Version:      fmt.Sprintf("%d.%d", h.Version>>4, h.Version&0x0f),
		Exchange:     ExchangeName(h.Exchange),
		ExchangeType: h.Exchange,
	}
	if h.ResponderSPI != [8]byte{} {
		d.ResponderSPI = hex.EncodeToString(h.ResponderSPI[:])
	}
	v2 := h.Version&0xF0 == Version2
	switch {
	case v2 && h.Exchange != exchangeIKESAInit && h.Exchange != exchangeInformationalV2:
		return nil, fmt.Errorf("%w: IKEv2 exchange %d", errNotReply, h.Exchange)
	case v2 && h.Flags&flagResponse == 0:
		return nil, fmt.Errorf("%w: IKEv2 message without the response flag", errNotReply)
	case !v2 && h.Exchange != exchangeMainMode && h.Exchange != exchangeAggressive && h.Exchange != exchangeInformational:
		return nil, fmt.Errorf("%w: IKEv1 exchange %d", errNotReply, h.Exchange)
	}
	ps, err := walkPayloads(h.NextPayload, reply[HeaderLen:])
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if v2 {
			err = d.addV2(p)
		} else {
			err = d.addV1(p)
		}
		if err != nil {
			return nil, err
		}
	}
	return &probes.Service{Protocol: "ike", Summary: d.summary(), Details: d}, nil
}

func (d *Details) addV2(p payload) error {
	d.Payloads = append(d.Payloads, payloadNameV2(p.Type))
	switch p.Type {
	case payloadSA:
		ts, err := parseSAV2(p.Body)
		if err != nil {
			return err
		}
		d.Selected = ts
	case payloadKE:
		g, err := parseKE(p.Body)
		if err != nil {
			return err
		}
		d.KEGroup = dhGroupName(g)
	case payloadNonce:
		d.NonceLength = len(p.Body)
	case payloadNotify:
		n, data, err := parseNotifyV2(p.Body)
		if err != nil {
			return err
		}
		n.Data = hexPrefix(data)
		d.Notifies = append(d.Notifies, n)
	case payloadVendorID:
		d.VendorIDs = append(d.VendorIDs, VendorID{Hex: hex.EncodeToString(p.Body), Name: VendorIDName(p.Body)})
	}
	return nil
}

func (d *Details) addV1(p payload) error {
	d.Payloads = append(d.Payloads, payloadNameV1(p.Type))
	switch p.Type {
	case payloadV1SA:
		ts, err := parseSAV1(p.Body)
		if err != nil {
			return err
		}
		d.Selected = ts
	case payloadV1Nonce:
		d.NonceLength = len(p.Body)
	case payloadV1Notify:
		n, data, err := parseNotifyV1(p.Body)
		if err != nil {
			return err
		}
		n.Data = hexPrefix(data)
		d.Notifies = append(d.Notifies, n)
	case payloadV1VendorID:
		d.VendorIDs = append(d.VendorIDs, VendorID{Hex: hex.EncodeToString(p.Body), Name: VendorIDName(p.Body)})
	}
	return nil
}

// hexPrefix renders at most 64 octets of notification data.
func hexPrefix(b []byte) string {
	return hex.EncodeToString(b[:min(len(b), 64)])
}

// summary is the table line: the first error notify, else COOKIE, else
// the accepted proposal.
func (d Details) summary() string {
	s := "IKEv" + d.Version[:1]
	for _, n := range d.Notifies {
		if n.Error() {
			s += " " + n.Name
			if n.Group != "" {
				s += " (wants " + n.Group + ")"
			}
			return s + d.vendorSuffix()
		}
	}
	for _, n := range d.Notifies {
		if n.Name == "COOKIE" {
			return s + " COOKIE requested" + d.vendorSuffix()
		}
	}
	if len(d.Selected) > 0 {
		names := make([]string, len(d.Selected))
		for i, t := range d.Selected {
			names[i] = t.Name
		}
		if d.Version[:1] == "1" {
			s += " " + d.Exchange
		}
		return s + " SA accepted (" + strings.Join(names, ", ") + ")" + d.vendorSuffix()
	}
	return s + " " + d.Exchange + " reply" + d.vendorSuffix()
}

// vendorSuffix names the first recognised vendor, e.g. ", strongSwan".
func (d Details) vendorSuffix() string {
	for _, v := range d.VendorIDs {
		if v.Name != "" && v.Name != "XAuth" && v.Name != "DPD" && !strings.HasPrefix(v.Name, "NAT-T") &&
			!strings.HasPrefix(v.Name, "draft-") && v.Name != "FRAGMENTATION" {
			return ", " + v.Name
		}
	}
	return ""
}

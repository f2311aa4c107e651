package ike

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Header layout, identical in IKEv1 (RFC 2408 3.1) and IKEv2 (RFC 7296
// 3.1): initiator SPI (cookie) 8, responder SPI 8, next payload 1,
// version 1, exchange type 1, flags 1, message ID 4, length 4.
const HeaderLen = 28

// Versions as the header's version octet carries them (major << 4 | minor).
const (
	Version1 = 0x10
	Version2 = 0x20
)

// Exchange types used by the probe.
const (
	exchangeMainMode        = 2  // RFC 2408 4.5 (Identity Protection)
	exchangeAggressive      = 4  // RFC 2408 4.7
	exchangeInformational   = 5  // RFC 2408 4.8
	exchangeIKESAInit       = 34 // RFC 7296 1.2
	exchangeInformationalV2 = 37
)

// IKEv2 header flags (RFC 7296 3.1).
const (
	flagInitiator = 0x08
	flagVersion   = 0x10
	flagResponse  = 0x20
)

// Payload types used by the probe.
const (
	payloadNone = 0
	// IKEv2 (RFC 7296 3.2)
	payloadSA       = 33
	payloadKE       = 34
	payloadNonce    = 40
	payloadNotify   = 41
	payloadVendorID = 43
	// IKEv1 (RFC 2408 3.1)
	payloadV1SA        = 1
	payloadV1Proposal  = 2
	payloadV1Transform = 3
	payloadV1KE        = 4
	payloadV1Nonce     = 10
	payloadV1Notify    = 11
	payloadV1VendorID  = 13
)

// Header is the fixed part of an IKE message.
type Header struct {
	InitiatorSPI [8]byte
	ResponderSPI [8]byte
	NextPayload  uint8
	Version      uint8
	Exchange     uint8
	Flags        uint8
	MessageID    uint32
	Length       uint32
}

var (
	errShort   = errors.New("ike: shorter than a header")
	errVersion = errors.New("ike: version is neither 1.0 nor 2.0")
)

// ParseHeader parses the fixed header and checks what every IKE message
// satisfies: a known major version and a length field equal to the
// datagram's length.
func ParseHeader(b []byte) (Header, error) {
	if len(b) < HeaderLen {
		return Header{}, errShort
	}
	var h Header
	copy(h.InitiatorSPI[:], b[0:8])
	copy(h.ResponderSPI[:], b[8:16])
	h.NextPayload, h.Version, h.Exchange, h.Flags = b[16], b[17], b[18], b[19]
	h.MessageID = binary.BigEndian.Uint32(b[20:24])
	h.Length = binary.BigEndian.Uint32(b[24:28])
	// Minor versions are ignored by receivers (RFC 7296 3.1, RFC 2408 3.1).
	if h.Version&0xF0 != Version1 && h.Version&0xF0 != Version2 {
		return Header{}, errVersion
	}
	if h.Length != uint32(len(b)) {
		return Header{}, fmt.Errorf("ike: length field %d, datagram %d", h.Length, len(b))
	}
	return h, nil
}

// appendHeader appends a header whose length field is patched by finish.
func appendHeader(b []byte, h Header) []byte {
	b = append(b, h.InitiatorSPI[:]...)
	b = append(b, h.ResponderSPI[:]...)
	b = append(b, h.NextPayload, h.Version, h.Exchange, h.Flags)
	b = binary.BigEndian.AppendUint32(b, h.MessageID)
	return binary.BigEndian.AppendUint32(b, 0)
}

// finish patches the header's length field of the message starting at
// start.
func finish(b []byte, start int) []byte {
	binary.BigEndian.PutUint32(b[start+24:start+28], uint32(len(b)-start))
	return b
}

// appendPayload appends a generic payload header (RFC 7296 3.2, RFC 2408
// 3.2: next payload, a reserved/critical octet, length) and body.
func appendPayload(b []byte, next uint8, body []byte) []byte {
	b = append(b, next, 0)
	b = binary.BigEndian.AppendUint16(b, uint16(4+len(body)))
	return append(b, body...)
}

// payload is one payload of a parsed message.
type payload struct {
	Type uint8
	Body []byte // without the generic header
}

// maxPayloads bounds the walk of one message.
const maxPayloads = 64

// walkPayloads splits the payload chain that begins with type first.
func walkPayloads(first uint8, b []byte) ([]payload, error) {
	var ps []payload
	next := first
	for next != payloadNone {
		if len(ps) == maxPayloads {
			return ps, errors.New("ike: too many payloads")
		}
		if len(b) < 4 {
			return ps, fmt.Errorf("ike: payload %d truncated", next)
		}
		n := int(binary.BigEndian.Uint16(b[2:4]))
		if n < 4 || n > len(b) {
			return ps, fmt.Errorf("ike: payload %d length %d out of range", next, n)
		}
		ps = append(ps, payload{Type: next, Body: b[4:n]})
		next, b = b[0], b[n:]
	}
	return ps, nil
}

package ike

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// The proposal the IKEv2 probe offers (RFC 7296 3.3.2 transform IDs).
const (
	transformENCR  = 1
	transformPRF   = 2
	transformINTEG = 3
	transformDH    = 4

	encrAESCBC          = 12
	prfHMACSHA2256      = 5
	integHMACSHA2256128 = 12
	dhMODP2048          = 14 // RFC 3526 group 14

	attrKeyLength = 14     // RFC 7296 3.3.5
	attrTV        = 0x8000 // AF bit: type/value format

	protocolIKE = 1 // Protocol ID of an IKE SA proposal (3.3.1)

	// KELength is the size of a group 14 public value (2048 bits).
	KELength = 256
	// NonceLength is the nonce the probe sends (3.9: 16 to 256 octets,
	// at least half the PRF's key size).
	NonceLength = 32
)

// AppendIKESAInit appends an IKE_SA_INIT request (RFC 7296 1.2):
// HDR, SAi1, KEi, Ni. ke must be KELength octets of a group 14 public
// value and nonce NonceLength octets.
func AppendIKESAInit(b []byte, spi [8]byte, ke, nonce []byte) []byte {
	start := len(b)
	b = appendHeader(b, Header{InitiatorSPI: spi, NextPayload: payloadSA, Version: Version2,
		Exchange: exchangeIKESAInit, Flags: flagInitiator})

	// SA payload (3.3): one proposal (3.3.1) with four transforms (3.3.2).
	var prop []byte
	prop = appendTransformV2(prop, true, transformENCR, encrAESCBC, 256)
	prop = appendTransformV2(prop, true, transformPRF, prfHMACSHA2256, 0)
	prop = appendTransformV2(prop, true, transformINTEG, integHMACSHA2256128, 0)
	prop = appendTransformV2(prop, false, transformDH, dhMODP2048, 0)
	var sa []byte
	sa = append(sa, 0, 0) // last proposal, reserved
	sa = binary.BigEndian.AppendUint16(sa, uint16(8+len(prop)))
	sa = append(sa, 1, protocolIKE, 0, 4) // proposal 1, IKE, no SPI, 4 transforms
	sa = append(sa, prop...)
	b = appendPayload(b, payloadKE, sa)

	// KE payload (3.4): DH group, reserved, public value.
	kb := binary.BigEndian.AppendUint16(nil, dhMODP2048)
	kb = append(kb, 0, 0)
	kb = append(kb, ke...)
	b = appendPayload(b, payloadNonce, kb)

	// Nonce payload (3.9).
	b = appendPayload(b, payloadNone, nonce)
	return finish(b, start)
}

// appendTransformV2 appends a transform substructure (3.3.2), with a Key
// Length attribute (3.3.5) when keyBits > 0.
func appendTransformV2(b []byte, more bool, typ uint8, id uint16, keyBits uint16) []byte {
	last := uint8(0)
	if more {
		last = 3
	}
	n := 8
	if keyBits > 0 {
		n += 4
	}
	b = append(b, last, 0)
	b = binary.BigEndian.AppendUint16(b, uint16(n))
	b = append(b, typ, 0)
	b = binary.BigEndian.AppendUint16(b, id)
	if keyBits > 0 {
		b = binary.BigEndian.AppendUint16(b, attrTV|attrKeyLength)
		b = binary.BigEndian.AppendUint16(b, keyBits)
	}
	return b
}

// Transform is one transform of a proposal the responder chose.
type Transform struct {
	Type    string `json:"type"` // ENCR, PRF, INTEG, DH, ESN (IKEv1: attribute class)
	ID      uint16 `json:"id"`
	Name    string `json:"name"`
	KeyBits int    `json:"key_bits,omitempty"`
}

// parseSAV2 returns the transforms of the first proposal of an IKEv2 SA
// payload body (3.3); a responder returns exactly one.
func parseSAV2(b []byte) ([]Transform, error) {
	if len(b) < 8 {
		return nil, errors.New("ike: SA proposal truncated")
	}
	n := int(binary.BigEndian.Uint16(b[2:4]))
	spiSize, count := int(b[6]), int(b[7])
	if n < 8+spiSize || n > len(b) {
		return nil, errors.New("ike: SA proposal length out of range")
	}
	t := b[8+spiSize : n]
	var ts []Transform
	for i := 0; i < count; i++ {
		if len(t) < 8 {
			return ts, errors.New("ike: transform truncated")
		}
		tl := int(binary.BigEndian.Uint16(t[2:4]))
		if tl < 8 || tl > len(t) {
			return ts, errors.New("ike: transform length out of range")
		}
		typ, id := t[4], binary.BigEndian.Uint16(t[6:8])
		keyBits := keyLengthAttr(t[8:tl])
		ts = append(ts, Transform{Type: transformTypeName(typ), ID: id, Name: transformNameV2(typ, id, keyBits), KeyBits: keyBits})
		t = t[tl:]
	}
	return ts, nil
}

// keyLengthAttr finds the Key Length attribute (TV, type 14) in a
// transform's attributes; 0 when absent or malformed.
func keyLengthAttr(b []byte) int {
	for len(b) >= 4 {
		typ := binary.BigEndian.Uint16(b[0:2])
		if typ&attrTV != 0 {
			if typ&^attrTV == attrKeyLength {
				return int(binary.BigEndian.Uint16(b[2:4]))
			}
			b = b[4:]
			continue
		}
		n := int(binary.BigEndian.Uint16(b[2:4]))
		if 4+n > len(b) {
			return 0
		}
		b = b[4+n:]
	}
	return 0
}

// Notify is a Notify payload (RFC 7296 3.10, RFC 2408 3.14).
type Notify struct {
	Type uint16 `json:"type"`
	Name string `json:"name"`
	// Data is the notification data in hex (COOKIE: the cookie;
	// INVALID_KE_PAYLOAD: the group the responder wants).
	Data string `json:"data,omitempty"`
	// Group is INVALID_KE_PAYLOAD's accepted DH group.
	Group string `json:"group,omitempty"`
}

// Error reports whether the notify is an error type (RFC 7296 3.10.1:
// types below 16384; RFC 2408 3.14.1: 1-8191).
func (n Notify) Error() bool { return n.Type < 16384 }

// parseNotifyV2 parses an IKEv2 Notify payload body (3.10): protocol ID,
// SPI size, type, SPI, data.
func parseNotifyV2(b []byte) (Notify, []byte, error) {
	if len(b) < 4 || len(b) < 4+int(b[1]) {
		return Notify{}, nil, errors.New("ike: notify truncated")
	}
	t := binary.BigEndian.Uint16(b[2:4])
	data := b[4+int(b[1]):]
	n := Notify{Type: t, Name: NotifyNameV2(t)}
	if t == 17 && len(data) == 2 { // INVALID_KE_PAYLOAD (1.2): the accepted group
		n.Group = dhGroupName(binary.BigEndian.Uint16(data))
	}
	return n, data, nil
}

// parseKE returns the DH group of a KE payload body (3.4, RFC 2409 5 has
// no group field: IKEv1 callers skip this).
func parseKE(b []byte) (uint16, error) {
	if len(b) < 4 {
		return 0, fmt.Errorf("ike: KE truncated")
	}
	return binary.BigEndian.Uint16(b[0:2]), nil
}

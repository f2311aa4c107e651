package ike

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// IKEv1 constants (RFC 2407 4.2, 4.4.1, 4.4.2; RFC 2409 Appendix A).
const (
	doiIPsec         = 1
	sitIdentityOnly  = 1
	protoISAKMP      = 1
	transformKeyIKE  = 1
	lifetimeSeconds  = 28800 // 8 hours, what Windows and strongSwan propose
	attrEncryption   = 1
	attrHash         = 2
	attrAuthMethod   = 3
	attrGroup        = 4
	attrLifeType     = 11
	attrLifeDuration = 12
	attrKeyLengthV1  = 14
	lifeTypeSeconds  = 1
	encr3DES         = 5
	encrAESCBCv1     = 7
	hashSHA1         = 2
	hashSHA2256      = 4
	authPSK          = 1
	authRSASig       = 3
	groupMODP1024    = 2
	groupMODP2048    = 14
)

// mainModeTransform is one IKEv1 transform the probe offers.
type mainModeTransform struct {
	encr, keyBits, hash, auth, group uint16
}

// mainModeOffer spans what Windows (2000 to 2019) and common gateways
// accept for Main Mode: modern AES/SHA2, then the 3DES/SHA1 suites of
// L2TP/IPsec clients, with pre-shared key and certificate authentication.
var mainModeOffer = [...]mainModeTransform{
	{encrAESCBCv1, 256, hashSHA2256, authPSK, groupMODP2048},
	{encrAESCBCv1, 128, hashSHA1, authPSK, groupMODP2048},
	{encr3DES, 0, hashSHA1, authPSK, groupMODP1024},
	{encr3DES, 0, hashSHA1, authRSASig, groupMODP1024},
}

// AppendMainMode appends the first Main Mode message (RFC 2409 5,
// RFC 2408 4.5): HDR, SA with one ISAKMP proposal of a few transforms.
func AppendMainMode(b []byte, cookie [8]byte) []byte {
	start := len(b)
	b = appendHeader(b, Header{InitiatorSPI: cookie, NextPayload: payloadV1SA, Version: Version1,
		Exchange: exchangeMainMode})

	// Transform payloads (RFC 2408 3.6), chained inside the proposal.
	var ts []byte
	for i, t := range mainModeOffer {
		next := uint8(payloadV1Transform)
		if i == len(mainModeOffer)-1 {
			next = payloadNone
		}
		body := []byte{byte(i + 1), transformKeyIKE, 0, 0}
		body = appendAttrTV(body, attrEncryption, t.encr)
		if t.keyBits > 0 {
			body = appendAttrTV(body, attrKeyLengthV1, t.keyBits)
		}
		body = appendAttrTV(body, attrHash, t.hash)
		body = appendAttrTV(body, attrAuthMethod, t.auth)
		body = appendAttrTV(body, attrGroup, t.group)
		body = appendAttrTV(body, attrLifeType, lifeTypeSeconds)
		body = appendAttrTV(body, attrLifeDuration, lifetimeSeconds)
		ts = appendPayload(ts, next, body)
	}
	// Proposal payload (3.5): number 1, PROTO_ISAKMP, no SPI.
	prop := appendPayload(nil, payloadNone, append([]byte{1, protoISAKMP, 0, byte(len(mainModeOffer))}, ts...))
	// SA payload (3.4, RFC 2407 4.6.1): DOI, situation, proposals.
	sa := binary.BigEndian.AppendUint32(nil, doiIPsec)
	sa = binary.BigEndian.AppendUint32(sa, sitIdentityOnly)
	sa = append(sa, prop...)
	b = appendPayload(b, payloadNone, sa)
	return finish(b, start)
}

// appendAttrTV appends a data attribute in type/value form (RFC 2408 3.3).
func appendAttrTV(b []byte, typ, v uint16) []byte {
	b = binary.BigEndian.AppendUint16(b, attrTV|typ)
	return binary.BigEndian.AppendUint16(b, v)
}

// parseSAV1 returns the attributes of the first transform of the first
// proposal of an ISAKMP SA payload body (RFC 2408 3.4-3.6); a responder
// returns the one it chose.
func parseSAV1(b []byte) ([]Transform, error) {
	if len(b) < 8 {
		return nil, errors.New("ike: SA truncated")
	}
	props, err := walkPayloads(payloadV1Proposal, b[8:])
	if err != nil || len(props) == 0 {
		return nil, fmt.Errorf("ike: SA proposals: %v", err)
	}
	p := props[0].Body
	if len(p) < 4 || len(p) < 4+int(p[2]) {
		return nil, errors.New("ike: proposal truncated")
	}
	trans, err := walkPayloads(payloadV1Transform, p[4+int(p[2]):])
	if err != nil || len(trans) == 0 {
		return nil, fmt.Errorf("ike: transforms: %v", err)
	}
	t := trans[0].Body
	if len(t) < 4 {
		return nil, errors.New("ike: transform truncated")
	}
	return parseAttributesV1(t[4:]), nil
}

// parseAttributesV1 names the Phase 1 attributes (RFC 2409 Appendix A).
func parseAttributesV1(b []byte) []Transform {
	var ts []Transform
	var keyBits int
	for len(b) >= 4 {
		typ := binary.BigEndian.Uint16(b[0:2])
		var v uint32
		if typ&attrTV != 0 {
			v = uint32(binary.BigEndian.Uint16(b[2:4]))
			b = b[4:]
		} else { // TLV: only Life Duration may be long; read up to 4 octets
			n := int(binary.BigEndian.Uint16(b[2:4]))
			if 4+n > len(b) {
				break
			}
			for _, c := range b[4 : 4+min(n, 4)] {
				v = v<<8 | uint32(c)
			}
			b = b[4+n:]
		}
		typ &^= attrTV
		switch typ {
		case attrEncryption:
			ts = append(ts, Transform{Type: "ENCR", ID: uint16(v), Name: encrNameV1(uint16(v))})
		case attrHash:
			ts = append(ts, Transform{Type: "HASH", ID: uint16(v), Name: hashNameV1(uint16(v))})
		case attrAuthMethod:
			ts = append(ts, Transform{Type: "AUTH", ID: uint16(v), Name: authNameV1(uint16(v))})
		case attrGroup:
			ts = append(ts, Transform{Type: "DH", ID: uint16(v), Name: dhGroupName(uint16(v))})
		case attrKeyLengthV1:
			keyBits = int(v)
		}
	}
	if keyBits > 0 {
		for i := range ts {
			if ts[i].Type == "ENCR" {
				ts[i].KeyBits = keyBits
				ts[i].Name = fmt.Sprintf("%s-%d", ts[i].Name, keyBits)
			}
		}
	}
	return ts
}

func encrNameV1(v uint16) string {
	switch v {
	case 1:
		return "DES-CBC"
	case 5:
		return "3DES-CBC"
	case 7:
		return "AES-CBC"
	}
	return fmt.Sprintf("encryption %d", v)
}

func hashNameV1(v uint16) string {
	switch v {
	case 1:
		return "MD5"
	case 2:
		return "SHA1"
	case 4:
		return "SHA2-256"
	case 5:
		return "SHA2-384"
	case 6:
		return "SHA2-512"
	}
	return fmt.Sprintf("hash %d", v)
}

func authNameV1(v uint16) string {
	switch v {
	case 1:
		return "PSK"
	case 2:
		return "DSS"
	case 3:
		return "RSA-SIG"
	case 4:
		return "RSA-ENC"
	case 5:
		return "RSA-ENC-REV"
	case 65001:
		return "XAUTH-PSK"
	case 65005:
		return "XAUTH-RSA-SIG"
	}
	return fmt.Sprintf("auth %d", v)
}

// parseNotifyV1 parses an ISAKMP Notification payload body (RFC 2408
// 3.14): DOI, protocol ID, SPI size, type, SPI, data.
func parseNotifyV1(b []byte) (Notify, []byte, error) {
	if len(b) < 8 || len(b) < 8+int(b[5]) {
		return Notify{}, nil, errors.New("ike: notification truncated")
	}
	t := binary.BigEndian.Uint16(b[6:8])
	return Notify{Type: t, Name: NotifyNameV1(t)}, b[8+int(b[5]):], nil
}

package quic

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
)

// Version1 is QUIC version 1 (RFC 9000 15).
const Version1 = 0x00000001

// Long header packet types of version 1 (RFC 9000 17.2, Table 5).
const (
	TypeInitial   = 0x0
	Type0RTT      = 0x1
	TypeHandshake = 0x2
	TypeRetry     = 0x3
)

// initialSalt is the version 1 Initial salt (RFC 9001 5.2).
var initialSalt = []byte{
	0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
	0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a,
}

// MinInitialDatagram is the least size of a datagram carrying a
// client's Initial packet (RFC 9000 14.1).
const MinInitialDatagram = 1200

// AppendVarint appends v as a QUIC variable-length integer (RFC 9000
// 16): the two high bits of the first octet give its length, 1, 2, 4 or
// 8 octets. v must be below 2^62.
func AppendVarint(b []byte, v uint64) []byte {
	switch {
	case v < 1<<6:
		return append(b, byte(v))
	case v < 1<<14:
		return binary.BigEndian.AppendUint16(b, uint16(v)|0x4000)
	case v < 1<<30:
		return binary.BigEndian.AppendUint32(b, uint32(v)|0x80000000)
	}
	return binary.BigEndian.AppendUint64(b, v|0xc000000000000000)
}

var errShort = errors.New("quic: truncated")

// ReadVarint reads a variable-length integer (RFC 9000 16) from the start
// of b and returns it with the number of octets it took.
func ReadVarint(b []byte) (uint64, int, error) {
	if len(b) == 0 {
		return 0, 0, errShort
	}
	n := 1 << (b[0] >> 6)
	if len(b) < n {
		return 0, 0, errShort
	}
	v := uint64(b[0] & 0x3f)
	for _, c := range b[1:n] {
		v = v<<8 | uint64(c)
	}
	return v, n, nil
}

// Keys protect the packets of one direction at one encryption level
// (RFC 9001 5): the AEAD key and IV, and the header protection key.
type Keys struct {
	Key, IV, HP []byte
}

// expandLabel is HKDF-Expand-Label of TLS 1.3 (RFC 8446 7.1) with an
// empty context, over SHA-256.
func expandLabel(secret []byte, label string, n int) []byte {
	info := make([]byte, 0, 4+len(label)+6)
	info = binary.BigEndian.AppendUint16(info, uint16(n))
	info = append(info, byte(6+len(label)))
	info = append(info, "tls13 "...)
	info = append(info, label...)
	info = append(info, 0) // empty context
	out, err := hkdf.Expand(sha256.New, secret, string(info), n)
	if err != nil {
		panic(err) // only for lengths beyond 255*32, which no caller asks for
	}
	return out
}

// InitialSecrets derives the client and server Initial secrets from the
// client's first Destination Connection ID (RFC 9001 5.2).
func InitialSecrets(dcid []byte) (client, server []byte) {
	initial, err := hkdf.Extract(sha256.New, dcid, initialSalt)
	if err != nil {
		panic(err)
	}
	return expandLabel(initial, "client in", 32), expandLabel(initial, "server in", 32)
}

// KeysFromSecret derives AES-128-GCM packet protection keys from a
// secret (RFC 9001 5.1: "quic key", "quic iv", "quic hp").
func KeysFromSecret(secret []byte) Keys {
	return Keys{Key: expandLabel(secret, "quic key", 16), IV: expandLabel(secret, "quic iv", 12), HP: expandLabel(secret, "quic hp", 16)}
}

// InitialKeys returns the Initial keys of both directions for dcid.
func InitialKeys(dcid []byte) (client, server Keys) {
	c, s := InitialSecrets(dcid)
	return KeysFromSecret(c), KeysFromSecret(s)
}

// headerMask is the AES-based header protection mask (RFC 9001 5.4.3):
// AES-ECB of the 16-octet sample under the hp key.
func (k Keys) headerMask(sample []byte) ([]byte, error) {
	block, err := aes.NewCipher(k.HP)
	if err != nil {
		return nil, err
	}
	mask := make([]byte, aes.BlockSize)
	block.Encrypt(mask, sample)
	return mask, nil
}

func (k Keys) aead() (cipher.AEAD, error) {
	block, err := aes.NewCipher(k.Key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// nonce is the IV XORed with the packet number (RFC 9001 5.3).
func (k Keys) nonce(pn uint64) []byte {
	n := append([]byte(nil), k.IV...)
	for i := range 8 {
		n[len(n)-1-i] ^= byte(pn >> (8 * i))
	}
	return n
}

// LongHeader is the header of a long header packet (RFC 9000 17.2).
type LongHeader struct {
	First   byte // the first octet, after header protection is removed
	Version uint32
	DCID    []byte
	SCID    []byte
	// Token is the Initial packet's token (RFC 9000 17.2.2) or the Retry
	// token (17.2.5).
	Token []byte
	// Type is the long packet type (TypeInitial ...).
	Type uint8
}

// InitialPacket is an Initial packet to seal: header fields, the packet
// number and the frames.
type InitialPacket struct {
	DCID, SCID, Token []byte
	PacketNumber      uint32
	// PNLength is the packet number's length on the wire, 1-4 octets
	// (RFC 9000 17.1); 0 means 4.
	PNLength int
	Payload  []byte // frames, padding included
}

// pnLen is the packet number length the probe sends (RFC 9000 17.1:
// any of 1-4).
const pnLen = 4

// SealInitial appends the protected Initial packet (RFC 9000 17.2.2,
// RFC 9001 5.3 and 5.4): long header type Initial, version 1, the
// connection IDs, the token, the Length, the packet number, and the
// payload sealed with AES-128-GCM, then header protection.
func SealInitial(b []byte, p InitialPacket, k Keys) ([]byte, error) {
	aead, err := k.aead()
	if err != nil {
		return nil, err
	}
	pnl := p.PNLength
	if pnl < 1 || pnl > 4 {
		pnl = pnLen
	}
	start := len(b)
	b = append(b, 0xc0|TypeInitial<<4|byte(pnl-1))
	b = binary.BigEndian.AppendUint32(b, Version1)
	b = append(b, byte(len(p.DCID)))
	b = append(b, p.DCID...)
	b = append(b, byte(len(p.SCID)))
	b = append(b, p.SCID...)
	b = AppendVarint(b, uint64(len(p.Token)))
	b = append(b, p.Token...)
	// Length: a 2-octet varint whatever the value (RFC 9000 16 allows
	// the longer encoding), so the header size does not depend on it.
	b = binary.BigEndian.AppendUint16(b, uint16(pnl+len(p.Payload)+aead.Overhead())|0x4000)
	pnAt := len(b)
	for i := pnl - 1; i >= 0; i-- {
		b = append(b, byte(p.PacketNumber>>(8*i)))
	}
	header := b[start:]
	b = aead.Seal(b, k.nonce(uint64(p.PacketNumber)), p.Payload, header)
	return b, protectHeader(b[start:], pnAt-start, pnl, k)
}

// protectHeader applies (or, being an XOR, removes) header protection
// with the packet number length pnl known (RFC 9001 5.4.1): the sample
// starts 4 octets after the packet number's start.
func protectHeader(pkt []byte, pnAt, pnl int, k Keys) error {
	if pnAt+4+16 > len(pkt) {
		return errShort
	}
	mask, err := k.headerMask(pkt[pnAt+4 : pnAt+4+16])
	if err != nil {
		return err
	}
	pkt[0] ^= mask[0] & 0x0f // long header: the low 4 bits
	for i := range pnl {
		pkt[pnAt+i] ^= mask[1+i]
	}
	return nil
}

// ParseLongHeader reads the header of the first packet of a datagram up
// to (not including) the Length field of Initial and Handshake packets
// and returns it with the offset where the rest starts. It does not
// remove header protection: First's low four bits are still protected.
func ParseLongHeader(b []byte) (LongHeader, int, error) {
	var h LongHeader
	if len(b) < 7 {
		return h, 0, errShort
	}
	if b[0]&0x80 == 0 {
		return h, 0, errors.New("quic: a short header packet")
	}
	h.First = b[0]
	h.Version = binary.BigEndian.Uint32(b[1:])
	i := 5
	for _, id := range []*[]byte{&h.DCID, &h.SCID} {
		if i >= len(b) {
			return h, 0, errShort
		}
		n := int(b[i])
		i++
		if n > 20 && h.Version != 0 {
			// RFC 9000 17.2: version 1 connection IDs are at most 20
			// octets (Version Negotiation may carry longer ones).
			return h, 0, fmt.Errorf("quic: connection ID of %d octets", n)
		}
		if i+n > len(b) {
			return h, 0, errShort
		}
		*id = b[i : i+n]
		i += n
	}
	if h.Version == 0 {
		return h, i, nil // Version Negotiation: the rest is the version list
	}
	h.Type = (h.First >> 4) & 0x3
	if h.Type == TypeInitial {
		n, m, err := ReadVarint(b[i:])
		if err != nil {
			return h, 0, err
		}
		i += m
		if uint64(len(b)-i) < n {
			return h, 0, errShort
		}
		h.Token = b[i : i+int(n)]
		i += int(n)
	}
	return h, i, nil
}

// OpenedPacket is one long header packet of a datagram.
type OpenedPacket struct {
	Header LongHeader
	// PacketNumber and Payload are set for Initial packets that were
	// opened (decrypted).
	PacketNumber uint64
	Payload      []byte
}

// OpenInitial removes header protection from the Initial packet at the
// start of b and decrypts it with k (RFC 9001 5.3, 5.4). It returns the
// packet and the octets that follow it in the datagram (coalesced
// packets, RFC 9000 12.2). b is modified in place.
func OpenInitial(b []byte, k Keys) (OpenedPacket, []byte, error) {
	var p OpenedPacket
	h, i, err := ParseLongHeader(b)
	if err != nil {
		return p, nil, err
	}
	if h.Version != Version1 || h.Type != TypeInitial {
		return p, nil, fmt.Errorf("quic: not a version 1 Initial packet (version %#x, type %d)", h.Version, h.Type)
	}
	length, m, err := ReadVarint(b[i:])
	if err != nil {
		return p, nil, err
	}
	pnAt := i + m
	if length < 20 || uint64(len(b)-pnAt) < length {
		return p, nil, fmt.Errorf("quic: Length %d with %d octets left", length, len(b)-pnAt)
	}
	end := pnAt + int(length)
	pkt := b[:end]
	if pnAt+4+16 > len(pkt) {
		return p, nil, errShort
	}
	mask, err := k.headerMask(pkt[pnAt+4 : pnAt+4+16])
	if err != nil {
		return p, nil, err
	}
	pkt[0] ^= mask[0] & 0x0f
	if pkt[0]&0x0c != 0 {
		return p, nil, errors.New("quic: reserved bits set (wrong keys, or not our packet)")
	}
	pnl := int(pkt[0]&0x03) + 1
	var pn uint64
	for j := range pnl {
		pkt[pnAt+j] ^= mask[1+j]
		pn = pn<<8 | uint64(pkt[pnAt+j])
	}
	h.First = pkt[0]
	aead, err := k.aead()
	if err != nil {
		return p, nil, err
	}
	payload, err := aead.Open(nil, k.nonce(pn), pkt[pnAt+pnl:], pkt[:pnAt+pnl])
	if err != nil {
		return p, nil, fmt.Errorf("quic: Initial packet does not decrypt: %w", err)
	}
	p.Header, p.PacketNumber, p.Payload = h, pn, payload
	return p, b[end:], nil
}

// SkipPacket returns the octets after the long header packet at the
// start of b (Initial, 0-RTT or Handshake: they carry a Length; a Retry
// or Version Negotiation packet fills the datagram).
func SkipPacket(b []byte) (LongHeader, []byte, error) {
	h, i, err := ParseLongHeader(b)
	if err != nil {
		return h, nil, err
	}
	if h.Version == 0 || h.Type == TypeRetry {
		return h, nil, nil
	}
	length, m, err := ReadVarint(b[i:])
	if err != nil {
		return h, nil, err
	}
	if uint64(len(b)-i-m) < length {
		return h, nil, errShort
	}
	return h, b[i+m+int(length):], nil
}

// Retry integrity (RFC 9001 5.8): AES-128-GCM under a fixed key and
// nonce over the Retry pseudo-packet.
var (
	retryKey   = []byte{0xbe, 0x0c, 0x69, 0x0b, 0x9f, 0x66, 0x57, 0x5a, 0x1d, 0x76, 0x6b, 0x54, 0xe3, 0x68, 0xc8, 0x4e}
	retryNonce = []byte{0x46, 0x15, 0x99, 0xd3, 0x5d, 0x63, 0x2b, 0xf2, 0x23, 0x98, 0x25, 0xbb}
)

// CheckRetry verifies the Retry Integrity Tag of a Retry packet sent in
// answer to a client whose first Destination Connection ID was odcid
// (RFC 9001 5.8).
func CheckRetry(pkt, odcid []byte) error {
	if len(pkt) < 16+7 {
		return errShort
	}
	block, err := aes.NewCipher(retryKey)
	if err != nil {
		return err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return err
	}
	pseudo := append([]byte{byte(len(odcid))}, odcid...)
	pseudo = append(pseudo, pkt[:len(pkt)-16]...)
	if _, err := aead.Open(nil, retryNonce, pkt[len(pkt)-16:], pseudo); err != nil {
		return errors.New("quic: Retry integrity tag does not verify")
	}
	return nil
}

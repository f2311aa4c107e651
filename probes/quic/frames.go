package quic

import (
	"encoding/binary"
	"fmt"
)

// Frame types allowed in Initial packets (RFC 9000 12.4, 19).
const (
	framePadding    = 0x00
	framePing       = 0x01
	frameAck        = 0x02
	frameAckECN     = 0x03
	frameCrypto     = 0x06
	frameClose      = 0x1c // CONNECTION_CLOSE, a QUIC (transport) error
	frameCloseApp   = 0x1d // CONNECTION_CLOSE, an application error
	maxCryptoOffset = 1 << 16
)

// Close is a CONNECTION_CLOSE frame (RFC 9000 19.19).
type Close struct {
	Application bool   // type 0x1d
	Code        uint64 // Error Code
	FrameType   uint64 // the frame that caused it (0x1c only)
	Reason      string // Reason Phrase
}

// Frames is what an Initial packet's payload carried.
type Frames struct {
	// Crypto is the CRYPTO data that starts at offset 0 and runs on
	// without a gap (RFC 9000 19.6); later pieces are not kept.
	Crypto []byte
	// CryptoAt is the lowest CRYPTO offset seen, -1 when none.
	CryptoAt int64
	Close    *Close
	Acks     int
}

// AppendCryptoFrame appends a CRYPTO frame (RFC 9000 19.6).
func AppendCryptoFrame(b []byte, offset uint64, data []byte) []byte {
	b = append(b, frameCrypto)
	b = AppendVarint(b, offset)
	b = AppendVarint(b, uint64(len(data)))
	return append(b, data...)
}

// AppendClose appends a CONNECTION_CLOSE of type 0x1c (RFC 9000 19.19).
func AppendClose(b []byte, code, frameType uint64, reason string) []byte {
	b = append(b, frameClose)
	b = AppendVarint(b, code)
	b = AppendVarint(b, frameType)
	b = AppendVarint(b, uint64(len(reason)))
	return append(b, reason...)
}

// ParseFrames reads the frames of an Initial packet's payload (RFC 9000
// 12.4: PADDING, PING, ACK, CRYPTO, CONNECTION_CLOSE); any other frame
// type is an error there.
func ParseFrames(p []byte) (Frames, error) {
	f := Frames{CryptoAt: -1}
	pieces := map[uint64][]byte{}
	r := frameReader{p}
	for len(r.p) > 0 {
		t, err := r.varint()
		if err != nil {
			return f, err
		}
		switch t {
		case framePadding, framePing:
		case frameAck, frameAckECN:
			// Largest, Delay, Range Count, First Range, then Range Count
			// pairs of Gap and Length, then with 0x03 three ECN counts
			// (RFC 9000 19.3).
			var v [4]uint64
			for i := range v {
				if v[i], err = r.varint(); err != nil {
					return f, err
				}
			}
			extra := 2 * v[2]
			if t == frameAckECN {
				extra += 3
			}
			if extra > uint64(len(r.p)) {
				return f, errShort
			}
			for range extra {
				if _, err = r.varint(); err != nil {
					return f, err
				}
			}
			f.Acks++
		case frameCrypto:
			off, err := r.varint()
			if err != nil {
				return f, err
			}
			length, err := r.varint()
			if err != nil {
				return f, err
			}
			if length > uint64(len(r.p)) || off > maxCryptoOffset {
				return f, fmt.Errorf("quic: CRYPTO frame of %d octets at %d, %d left", length, off, len(r.p))
			}
			pieces[off] = r.take(length)
			if f.CryptoAt < 0 || int64(off) < f.CryptoAt {
				f.CryptoAt = int64(off)
			}
		case frameClose, frameCloseApp:
			c := &Close{Application: t == frameCloseApp}
			if c.Code, err = r.varint(); err != nil {
				return f, err
			}
			if t == frameClose {
				if c.FrameType, err = r.varint(); err != nil {
					return f, err
				}
			}
			reason, err := r.field()
			if err != nil {
				return f, err
			}
			c.Reason = string(reason)
			f.Close = c
		default:
			return f, fmt.Errorf("quic: frame type %#x in an Initial packet", t)
		}
	}
	// Join the pieces that run on from offset 0.
	for {
		piece, ok := pieces[uint64(len(f.Crypto))]
		if !ok || len(piece) == 0 {
			break
		}
		f.Crypto = append(f.Crypto, piece...)
	}
	return f, nil
}

// frameReader takes the fields of frames off the front of a payload.
type frameReader struct{ p []byte }

// varint reads one variable-length integer (RFC 9000 16).
func (r *frameReader) varint() (uint64, error) {
	v, n, err := ReadVarint(r.p)
	if err == nil {
		r.p = r.p[n:]
	}
	return v, err
}

// field reads a varint length and that many octets.
func (r *frameReader) field() ([]byte, error) {
	length, err := r.varint()
	if err != nil {
		return nil, err
	}
	if length > uint64(len(r.p)) {
		return nil, errShort
	}
	return r.take(length), nil
}

// take takes n octets, which the caller checked are there.
func (r *frameReader) take(n uint64) []byte {
	b := r.p[:n]
	r.p = r.p[n:]
	return b
}

// Transport error codes (RFC 9000 20.1); 0x0100-0x01ff are CRYPTO_ERROR,
// a TLS alert in the low octet (RFC 9001 4.8).
var transportErrors = map[uint64]string{
	0x00: "NO_ERROR", 0x01: "INTERNAL_ERROR", 0x02: "CONNECTION_REFUSED", 0x03: "FLOW_CONTROL_ERROR",
	0x04: "STREAM_LIMIT_ERROR", 0x05: "STREAM_STATE_ERROR", 0x06: "FINAL_SIZE_ERROR",
	0x07: "FRAME_ENCODING_ERROR", 0x08: "TRANSPORT_PARAMETER_ERROR", 0x09: "CONNECTION_ID_LIMIT_ERROR",
	0x0a: "PROTOCOL_VIOLATION", 0x0b: "INVALID_TOKEN", 0x0c: "APPLICATION_ERROR",
	0x0d: "CRYPTO_BUFFER_EXCEEDED", 0x0e: "KEY_UPDATE_ERROR", 0x0f: "AEAD_LIMIT_REACHED", 0x10: "NO_VIABLE_PATH",
}

// AlertNoApplicationProtocol is the TLS alert a server sends when it
// speaks none of the client's ALPN protocols (RFC 7301 3.2).
const AlertNoApplicationProtocol = 120

// Alert returns the TLS alert of a CRYPTO_ERROR close, ok false for
// any other close.
func (c Close) Alert() (uint8, bool) {
	if c.Application || c.Code < 0x100 || c.Code > 0x1ff {
		return 0, false
	}
	return uint8(c.Code - 0x100), true
}

// CodeName names the close's error code.
func (c Close) CodeName() string {
	if c.Application {
		return fmt.Sprintf("application error %#x", c.Code)
	}
	if a, ok := c.Alert(); ok {
		return "CRYPTO_ERROR " + AlertName(a)
	}
	if n, ok := transportErrors[c.Code]; ok {
		return n
	}
	return fmt.Sprintf("error %#x", c.Code)
}

// AlertName names a TLS alert (RFC 8446 6, RFC 7301 3.2).
func AlertName(a uint8) string {
	switch a {
	case 10:
		return "unexpected_message"
	case 40:
		return "handshake_failure"
	case 42:
		return "bad_certificate"
	case 47:
		return "illegal_parameter"
	case 50:
		return "decode_error"
	case 51:
		return "decrypt_error"
	case 70:
		return "protocol_version"
	case 71:
		return "insufficient_security"
	case 80:
		return "internal_error"
	case 109:
		return "missing_extension"
	case 110:
		return "unsupported_extension"
	case 112:
		return "unrecognized_name"
	case 116:
		return "certificate_required"
	case AlertNoApplicationProtocol:
		return "no_application_protocol"
	}
	return fmt.Sprintf("alert %d", a)
}

// ServerHello is what this package reads of a TLS ServerHello
// (RFC 8446 4.1.3).
type ServerHello struct {
	CipherSuite uint16
	// Version is the supported_versions extension's selection (0x0304
	// for TLS 1.3), or the legacy version without it.
	Version uint16
	// HelloRetry: the random is the HelloRetryRequest value (RFC 8446
	// 4.1.3): the server wants another key share.
	HelloRetry bool
}

// helloRetryRandom is SHA-256("HelloRetryRequest") (RFC 8446 4.1.3).
var helloRetryRandom = [32]byte{
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
}

// ParseServerHello reads a handshake message (RFC 8446 4: type, 24-bit
// length) that must be a ServerHello (type 2).
func ParseServerHello(b []byte) (ServerHello, error) {
	var s ServerHello
	if len(b) < 4 || b[0] != 2 {
		return s, fmt.Errorf("quic: not a ServerHello")
	}
	n := int(b[1])<<16 | int(b[2])<<8 | int(b[3])
	b = b[4:]
	if n > len(b) {
		return s, errShort
	}
	b = b[:n]
	// legacy_version, random, legacy_session_id_echo, cipher_suite,
	// legacy_compression_method, extensions.
	if len(b) < 2+32+1 {
		return s, errShort
	}
	s.Version = binary.BigEndian.Uint16(b)
	s.HelloRetry = [32]byte(b[2:34]) == helloRetryRandom
	b = b[34:]
	sid := int(b[0])
	if len(b) < 1+sid+3 {
		return s, errShort
	}
	b = b[1+sid:]
	s.CipherSuite = binary.BigEndian.Uint16(b)
	b = b[3:]
	if len(b) < 2 {
		return s, nil // no extensions: not TLS 1.3, but a ServerHello
	}
	ext := b[2:]
	if l := int(binary.BigEndian.Uint16(b)); l <= len(ext) {
		ext = ext[:l]
	}
	for len(ext) >= 4 {
		typ, l := binary.BigEndian.Uint16(ext), int(binary.BigEndian.Uint16(ext[2:]))
		if 4+l > len(ext) {
			return s, errShort
		}
		if typ == 43 && l == 2 { // supported_versions (RFC 8446 4.2.1)
			s.Version = binary.BigEndian.Uint16(ext[4:])
		}
		ext = ext[4+l:]
	}
	return s, nil
}

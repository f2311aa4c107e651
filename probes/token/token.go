package token

import (
	"crypto/rand"
	"errors"
)

// Token wire constants (see the package documentation).
const (
	// TokenLen is the size of a token on the wire.
	TokenLen = 24
	// Version is the token version this package writes and reads.
	Version = 1
	// NonceLen is the size of the nonce.
	NonceLen = 16
)

// magic starts every token.
var magic = [4]byte{'w', 'r', 'c', 'h'}

// Kind says which way a token travels.
type Kind uint8

const (
	KindRequest Kind = 1 // scanner to listener
	KindReply   Kind = 2 // listener to scanner
)

// Nonce is the scanner's random number, echoed by the listener.
type Nonce [NonceLen]byte

// NewNonce returns a random nonce.
func NewNonce() Nonce {
	var n Nonce
	rand.Read(n[:]) // crypto/rand.Read never fails (Go 1.24)
	return n
}

// Token is one parsed token.
type Token struct {
	Kind  Kind
	Nonce Nonce
}

// Errors of Parse.
var (
	ErrShort   = errors.New("token: shorter than a token")
	ErrMagic   = errors.New("token: not a winreach token")
	ErrVersion = errors.New("token: unknown token version")
	ErrKind    = errors.New("token: unknown token kind")
)

// AppendToken appends t in the version 1 wire format.
func AppendToken(b []byte, t Token) []byte {
	b = append(b, magic[:]...)
	b = append(b, Version, byte(t.Kind), 0, 0)
	return append(b, t.Nonce[:]...)
}

// ParseToken reads the token at the start of b; bytes after it are
// ignored (the caller decides whether trailing bytes are allowed).
func ParseToken(b []byte) (Token, error) {
	if len(b) < TokenLen {
		return Token{}, ErrShort
	}
	if [4]byte(b[0:4]) != magic {
		return Token{}, ErrMagic
	}
	if b[4] != Version {
		return Token{}, ErrVersion
	}
	if b[6] != 0 || b[7] != 0 {
		return Token{}, ErrMagic // reserved bits set: not ours
	}
	k := Kind(b[5])
	if k != KindRequest && k != KindReply {
		return Token{}, ErrKind
	}
	return Token{Kind: k, Nonce: Nonce(b[8:TokenLen])}, nil
}

// ParseTrailer reads the token in the last TokenLen bytes of b, where a
// raw IP probe carries it.
func ParseTrailer(b []byte) (Token, error) {
	if len(b) < TokenLen {
		return Token{}, ErrShort
	}
	return ParseToken(b[len(b)-TokenLen:])
}

// AppendUDPRequest appends the datagram of a UDP probe: the request token.
func AppendUDPRequest(b []byte, n Nonce) []byte {
	return AppendToken(b, Token{Kind: KindRequest, Nonce: n})
}

// ParseUDPRequest accepts a datagram that is exactly one request token.
// Longer datagrams are refused too: a listener that answered them would
// invite probes stuffed to look like something else.
func ParseUDPRequest(b []byte) (Nonce, error) {
	if len(b) != TokenLen {
		if len(b) < TokenLen {
			return Nonce{}, ErrShort
		}
		return Nonce{}, ErrMagic
	}
	t, err := ParseToken(b)
	if err != nil {
		return Nonce{}, err
	}
	if t.Kind != KindRequest {
		return Nonce{}, ErrKind
	}
	return t.Nonce, nil
}

// AppendReply appends the answer to request, a probe whose token is its
// last TokenLen bytes (a UDP request token or a raw IP probe): a copy of
// the request with the token's kind set to reply. It is exactly as long as
// the request.
func AppendReply(b, request []byte) []byte {
	start := len(b)
	b = append(b, request...)
	if len(request) >= TokenLen {
		b[start+len(request)-TokenLen+5] = byte(KindReply)
	}
	return b
}

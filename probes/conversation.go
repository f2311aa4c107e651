package probes

import (
	"context"
	"encoding/hex"
	"net"
)

// Conversation speaks one application protocol over an established TCP
// connection and reports what the peer said. The connection already has a
// deadline; a Conversation reads at most a bounded number of bytes.
type Conversation interface {
	Converse(ctx context.Context, conn net.Conn, t Target) Answer
}

// Datagram is one UDP request/response protocol: the request to send and
// the parser of what comes back.
type Datagram interface {
	// Request returns the datagram for one attempt. Each attempt gets a
	// fresh transaction ID so late replies to an earlier attempt still match
	// through Parse.
	Request(t Target, attempt int) []byte
	// Parse judges a reply to req. A nil error with a Service confirms the
	// protocol; an error means the bytes are not the protocol's answer.
	Parse(req, reply []byte) (*Service, error)
}

// Answer is what a Conversation learned.
type Answer struct {
	// Service is set when the peer answered in the expected protocol.
	Service *Service
	// Unexpected holds the first bytes of a reply that is not the protocol
	// (at most 64 are kept for the report).
	Unexpected []byte
	// Err is set when nothing usable arrived: a read timeout, EOF, a reset.
	Err error
}

// maxUnexpected bounds how many bytes of a wrong reply a result quotes.
const maxUnexpected = 64

// UnexpectedNote renders the first bytes of a wrong reply for a Result.
func UnexpectedNote(b []byte) string {
	if len(b) > maxUnexpected {
		b = b[:maxUnexpected]
	}
	return "first bytes: " + hex.EncodeToString(b)
}

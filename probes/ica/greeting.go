package ica

import (
	"context"
	"errors"
	"net"
	"strings"

	"github.com/winreach/winreach/probes"
)

// Magic is the ICA detection string the server sends on connect.
const Magic = "\x7f\x7fICA\x00"

// maxGreeting bounds the read: a few repetitions of the magic.
const maxGreeting = 64

var errNotICA = errors.New("ica: not the ICA detection string")

// GreetingInfo is what the bytes a server sent first say.
type GreetingInfo struct {
	// Repeats is how many whole copies of Magic open the bytes read.
	Repeats int
}

// ParseGreeting judges the first bytes a server sent: they must begin
// with Magic. Trailing bytes that are a prefix of another copy are fine
// (the repetitions arrive on the server's schedule, not ours).
func ParseGreeting(b []byte) (GreetingInfo, error) {
	if !strings.HasPrefix(string(b), Magic) {
		return GreetingInfo{}, errNotICA
	}
	var g GreetingInfo
	for strings.HasPrefix(string(b), Magic) {
		g.Repeats++
		b = b[len(Magic):]
	}
	return g, nil
}

// Greeting is the TCP 1494 Conversation: it sends nothing and reads the
// server's first bytes.
type Greeting struct{}

// Details of a recognised ICA greeting.
type Details struct {
	Repeats int `json:"repeats"` // copies of the detection string read
}

// Converse reads until it holds one copy of Magic, or bytes that cannot
// become one.
func (Greeting) Converse(ctx context.Context, conn net.Conn, t probes.Target) probes.Answer {
	buf := make([]byte, maxGreeting)
	n := 0
	for n < len(Magic) {
		m, err := conn.Read(buf[n:])
		n += m
		if !strings.HasPrefix(Magic, string(buf[:min(n, len(Magic))])) {
			return probes.Answer{Unexpected: buf[:n]}
		}
		if err != nil {
			return probes.Answer{Err: err}
		}
	}
	g, err := ParseGreeting(buf[:n])
	if err != nil {
		return probes.Answer{Unexpected: buf[:n]}
	}
	return probes.Answer{Service: &probes.Service{
		Protocol: "citrix-ica",
		Summary:  "Citrix ICA detection string",
		Details:  Details(g),
	}}
}

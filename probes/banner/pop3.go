package banner

import (
	"github.com/winreach/winreach/probes"

	"bytes"
	"errors"
	"fmt"
)

// POP3Greeting is a POP3 server's greeting (RFC 1939 4).
type POP3Greeting struct {
	// OK is true for "+OK"; a server refusing service says "-ERR".
	OK   bool   `json:"ok"`
	Text string `json:"text,omitempty"`
	// APOP is set when the greeting carries the timestamp that the APOP
	// command needs (RFC 1939 7: a msg-id "<...@...>").
	APOP    bool   `json:"apop,omitempty"`
	Product string `json:"product,omitempty"`
}

var errNotPOP3 = errors.New("not a POP3 greeting")

func pop3Plausible(b []byte) bool { return hasPrefixOf(b, "+OK") || hasPrefixOf(b, "-ERR") }

// ParsePOP3Greeting parses the greeting line, CRLF included.
func ParsePOP3Greeting(b []byte) (POP3Greeting, error) {
	lines := splitLines(b)
	if len(lines) == 0 {
		return POP3Greeting{}, fmt.Errorf("%w: no complete line", errNotPOP3)
	}
	line := lines[0]
	var g POP3Greeting
	var text []byte
	switch {
	case bytes.HasPrefix(line, []byte("+OK")):
		g.OK, text = true, line[3:]
	case bytes.HasPrefix(line, []byte("-ERR")):
		text = line[4:]
	default:
		return POP3Greeting{}, errNotPOP3
	}
	if len(text) > 0 && text[0] != ' ' {
		return POP3Greeting{}, fmt.Errorf("%w: status indicator not followed by a space", errNotPOP3)
	}
	text = bytes.TrimPrefix(text, []byte(" "))
	g.Text = probes.Printable(text, 512)
	if i := bytes.IndexByte(text, '<'); i >= 0 {
		if j := bytes.IndexByte(text[i:], '>'); j > 0 && bytes.IndexByte(text[i:i+j], '@') > 0 {
			g.APOP = true
		}
	}
	g.Product = Product(g.Text)
	return g, nil
}

// Summary is a table line: "+OK Dovecot (Debian) ready.".
func (g POP3Greeting) Summary() string {
	status := "-ERR"
	if g.OK {
		status = "+OK"
	}
	if g.Text == "" {
		return status
	}
	return status + " " + probes.Printable([]byte(g.Text), maxSummaryText)
}

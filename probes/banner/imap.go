package banner

import (
	"github.com/winreach/winreach/probes"

	"bytes"
	"errors"
	"fmt"
	"strings"
)

// IMAPGreeting is an IMAP server's greeting (RFC 9051 7.1, RFC 3501 7.1):
// greeting = "*" SP (resp-cond-auth / resp-cond-bye) CRLF.
type IMAPGreeting struct {
	// Status is "OK" (log in next), "PREAUTH" (already authenticated) or
	// "BYE" (the server refuses the connection).
	Status string `json:"status"`
	// Code is the response code in brackets, e.g. "CAPABILITY" (7.1).
	Code string `json:"code,omitempty"`
	// Capabilities is the list of a [CAPABILITY ...] code (RFC 9051 7.2.2).
	Capabilities []string `json:"capabilities,omitempty"`
	// Text is the human text after the response code.
	Text    string `json:"text,omitempty"`
	Product string `json:"product,omitempty"`
}

var errNotIMAP = errors.New("not an IMAP greeting")

func imapPlausible(b []byte) bool { return hasPrefixOf(b, "* ") }

// ParseIMAPGreeting parses the greeting line, CRLF included.
func ParseIMAPGreeting(b []byte) (IMAPGreeting, error) {
	lines := splitLines(b)
	if len(lines) == 0 {
		return IMAPGreeting{}, fmt.Errorf("%w: no complete line", errNotIMAP)
	}
	line := lines[0]
	if !bytes.HasPrefix(line, []byte("* ")) {
		return IMAPGreeting{}, fmt.Errorf("%w: not an untagged response", errNotIMAP)
	}
	rest := line[2:]
	status, text, _ := bytes.Cut(rest, []byte(" "))
	var g IMAPGreeting
	switch s := strings.ToUpper(string(status)); s {
	case "OK", "PREAUTH", "BYE":
		g.Status = s
	default:
		return IMAPGreeting{}, fmt.Errorf("%w: status %q", errNotIMAP, probes.Printable(status, 16))
	}
	// resp-text = ["[" resp-text-code "]" SP] [text]
	if bytes.HasPrefix(text, []byte("[")) {
		end := bytes.IndexByte(text, ']')
		if end < 0 {
			return IMAPGreeting{}, fmt.Errorf("%w: unterminated response code", errNotIMAP)
		}
		code := text[1:end]
		text = bytes.TrimPrefix(text[end+1:], []byte(" "))
		name, args, _ := bytes.Cut(code, []byte(" "))
		g.Code = strings.ToUpper(probes.Printable(name, 32))
		if g.Code == "CAPABILITY" {
			for _, c := range bytes.Fields(args) {
				if len(g.Capabilities) == 64 {
					break
				}
				g.Capabilities = append(g.Capabilities, probes.Printable(c, 64))
			}
		}
	}
	g.Text = probes.Printable(text, 512)
	g.Product = Product(g.Text)
	return g, nil
}

// Summary is a table line: "* OK Dovecot (Debian) ready." (the response
// code is left out; the capabilities are in the details).
func (g IMAPGreeting) Summary() string {
	s := "* " + g.Status
	if g.Text != "" {
		s += " " + probes.Printable([]byte(g.Text), maxSummaryText)
	}
	return s
}

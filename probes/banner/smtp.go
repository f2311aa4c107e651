package banner

import (
	"github.com/winreach/winreach/probes"

	"bytes"
	"errors"
	"fmt"
	"strconv"
)

// SMTPGreeting is an SMTP server's opening reply (RFC 5321 3.1, 4.2).
type SMTPGreeting struct {
	// Code is the reply code: 220 ready, 554 no service here (3.1),
	// 421 service not available (4.2.3).
	Code int `json:"code"`
	// Domain is the server's name, the first word of the text
	// (4.3.1: Greeting = "220 " (Domain / address-literal) [SP textstring]).
	Domain string `json:"domain,omitempty"`
	// ESMTP is set when the greeting advertises the service extensions
	// (by convention, the word "ESMTP" in the text; 4.2).
	ESMTP bool `json:"esmtp,omitempty"`
	// Lines are the texts of each reply line, without code and separator.
	Lines   []string `json:"lines"`
	Product string   `json:"product,omitempty"`
	// Incomplete is set when the greeting's last line did not arrive in
	// time (Postfix's postscreen delays it on purpose).
	Incomplete bool `json:"incomplete,omitempty"`
}

// errNotSMTP marks bytes that are not an SMTP greeting.
var errNotSMTP = errors.New("not an SMTP greeting")

// smtpPlausible: a reply line starts with three digits and a "-" (more
// lines follow) or a space or the end of line (the last line), RFC 5321 4.2.
func smtpPlausible(b []byte) bool {
	n := min(len(b), 3)
	if !isDigits(b[:n]) {
		return false
	}
	return len(b) < 4 || b[3] == ' ' || b[3] == '-' || b[3] == '\r' || b[3] == '\n'
}

func smtpLast(line []byte) bool { return len(line) < 4 || line[3] != '-' }

// ParseSMTPGreeting parses a complete greeting, CRLF line endings
// included (bare LF is tolerated).
func ParseSMTPGreeting(b []byte) (SMTPGreeting, error) { return parseSMTPGreeting(b, false) }

// parseSMTPGreeting with partial set accepts a greeting whose last line
// has not arrived: every complete line must then announce a continuation.
func parseSMTPGreeting(b []byte, partial bool) (SMTPGreeting, error) {
	lines := splitLines(b)
	if len(lines) == 0 {
		return SMTPGreeting{}, fmt.Errorf("%w: no complete line", errNotSMTP)
	}
	var g SMTPGreeting
	for i, line := range lines {
		if len(line) < 3 || !isDigits(line[:3]) {
			return SMTPGreeting{}, fmt.Errorf("%w: line %d has no reply code", errNotSMTP, i+1)
		}
		code, _ := strconv.Atoi(string(line[:3]))
		if i == 0 {
			g.Code = code
		} else if code != g.Code {
			// 4.2.1: every line of a multi-line reply has the same code.
			return SMTPGreeting{}, fmt.Errorf("%w: reply codes %d and %d in one reply", errNotSMTP, g.Code, code)
		}
		more := len(line) > 3 && line[3] == '-'
		if len(line) > 3 && line[3] != '-' && line[3] != ' ' {
			return SMTPGreeting{}, fmt.Errorf("%w: line %d: code not followed by space or hyphen", errNotSMTP, i+1)
		}
		if more == (i == len(lines)-1 && !partial) {
			return SMTPGreeting{}, fmt.Errorf("%w: continuation marks do not end on the last line", errNotSMTP)
		}
		var text []byte
		if len(line) > 4 {
			text = line[4:]
		}
		g.Lines = append(g.Lines, probes.Printable(text, 512))
	}
	g.Incomplete = partial
	switch g.Code {
	case 220, 421, 554:
	default:
		return SMTPGreeting{}, fmt.Errorf("%w: reply code %d", errNotSMTP, g.Code)
	}
	first := lines[0]
	if len(first) > 4 {
		text := first[4:]
		if i := bytes.IndexByte(text, ' '); i >= 0 {
			text = text[:i]
		}
		g.Domain = probes.Printable(text, 255)
	}
	for _, l := range g.Lines {
		if bytes.Contains([]byte(l), []byte("ESMTP")) {
			g.ESMTP = true
		}
		if g.Product == "" {
			g.Product = Product(l)
		}
	}
	return g, nil
}

// Summary is a table line: "220 mail.lab.test ESMTP Postfix (Debian/GNU)".
func (g SMTPGreeting) Summary() string {
	return strconv.Itoa(g.Code) + " " + probes.Printable([]byte(g.Lines[0]), maxSummaryText)
}

package banner

import (
	"github.com/winreach/winreach/probes"

	"errors"
	"fmt"
	"strconv"
)

// NNTPGreeting is an NNTP server's initial response (RFC 3977 5.1.1).
type NNTPGreeting struct {
	// Code: 200 posting allowed, 201 posting prohibited, 400 service
	// temporarily unavailable, 502 service permanently unavailable.
	Code    int    `json:"code"`
	Posting bool   `json:"posting,omitempty"`
	Text    string `json:"text,omitempty"`
	Product string `json:"product,omitempty"`
}

var errNotNNTP = errors.New("not an NNTP greeting")

// nntpPlausible: one line, a three-digit code then a space or the end
// (RFC 3977 3.2).
func nntpPlausible(b []byte) bool {
	n := min(len(b), 3)
	if !isDigits(b[:n]) {
		return false
	}
	return len(b) < 4 || b[3] == ' ' || b[3] == '\r' || b[3] == '\n'
}

// ParseNNTPGreeting parses the greeting line, CRLF included.
func ParseNNTPGreeting(b []byte) (NNTPGreeting, error) {
	lines := splitLines(b)
	if len(lines) == 0 {
		return NNTPGreeting{}, fmt.Errorf("%w: no complete line", errNotNNTP)
	}
	line := lines[0]
	if len(line) < 3 || !isDigits(line[:3]) || (len(line) > 3 && line[3] != ' ') {
		return NNTPGreeting{}, fmt.Errorf("%w: no response code", errNotNNTP)
	}
	code, _ := strconv.Atoi(string(line[:3]))
	switch code {
	case 200, 201, 400, 502:
	default:
		return NNTPGreeting{}, fmt.Errorf("%w: response code %d", errNotNNTP, code)
	}
	g := NNTPGreeting{Code: code, Posting: code == 200}
	if len(line) > 4 {
		g.Text = probes.Printable(line[4:], 512)
	}
	g.Product = Product(g.Text)
	return g, nil
}

// Summary is a table line: "200 news.lab.test InterNetNews NNRP server INN 2.7.1 ready (posting ok)".
func (g NNTPGreeting) Summary() string {
	s := strconv.Itoa(g.Code)
	if g.Text != "" {
		s += " " + probes.Printable([]byte(g.Text), maxSummaryText)
	}
	return s
}

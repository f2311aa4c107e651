package nmf

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"strconv"

	"github.com/winreach/winreach/probes"
)

// DefaultPath is the AD Web Services endpoint the probe names in its Via:
// the enumeration endpoint with Windows authentication.
const DefaultPath = "/ActiveDirectoryWebServices/Windows/Enumeration"

// Preamble is the probes.Conversation for TCP 9389: a duplex session
// preamble naming net.tcp://HOST:PORT/Path, and the server's first
// record.
type Preamble struct {
	// Path is the Via's path; DefaultPath when empty.
	Path string
}

// Details is the server's answer.
type Details struct {
	Via string `json:"via"`
	// Answer is "preamble-ack", "upgrade-response" or "fault".
	Answer string `json:"answer"`
	Fault  string `json:"fault,omitempty"`
}

// Via returns the URI the probe sends for target t: the host name when
// the target has one, else the address.
func (p Preamble) Via(t probes.Target) string {
	path := p.Path
	if path == "" {
		path = DefaultPath
	}
	host := t.Name
	if host == "" {
		host = t.Addr.String()
	}
	return "net.tcp://" + net.JoinHostPort(host, strconv.Itoa(int(t.Port))) + path
}

// Converse sends the preamble and reads the first record of the answer.
func (p Preamble) Converse(_ context.Context, conn net.Conn, t probes.Target) probes.Answer {
	via := p.Via(t)
	if _, err := conn.Write(AppendPreamble(nil, via)); err != nil {
		return probes.Answer{Err: err}
	}
	rec := &recorder{r: bufio.NewReaderSize(io.LimitReader(conn, maxFault+16), 512)}
	a, err := ReadAnswer(rec)
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || isNetErr(err) {
			if len(rec.seen) > 0 && rec.seen[0] != RecFault {
				return probes.Answer{Unexpected: rec.seen}
			}
			return probes.Answer{Err: err}
		}
		return probes.Answer{Unexpected: rec.seen}
	}
	return probes.Answer{Service: ServiceOf(via, a)}
}

func isNetErr(err error) bool {
	var ne net.Error
	return errors.As(err, &ne)
}

// ServiceOf describes an answer.
func ServiceOf(via string, a Answer) *probes.Service {
	d := Details{Via: via}
	var summary string
	switch a.Record {
	case RecPreambleAck:
		d.Answer, summary = "preamble-ack", ".NET Message Framing: preamble acknowledged"
	case RecUpgradeResponse:
		d.Answer, summary = "upgrade-response", ".NET Message Framing: upgrade response"
	default:
		d.Answer, d.Fault = "fault", a.Fault
		summary = ".NET Message Framing fault " + FaultName(a.Fault)
	}
	return &probes.Service{Protocol: "nmf", Summary: summary, Details: d}
}

// recorder keeps the octets read, for quoting a wrong answer.
type recorder struct {
	r    io.ByteReader
	seen []byte
}

func (r *recorder) ReadByte() (byte, error) {
	c, err := r.r.ReadByte()
	if err == nil && len(r.seen) < 64 {
		r.seen = append(r.seen, c)
	}
	return c, err
}

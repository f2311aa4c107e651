package dns

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/winreach/winreach/probes"
)

// AppendStubQuery appends the query a stub resolver sends (RFC 1035
// 4.1.1): AppendQuery's message with RD set, so that a recursive server
// looks the name up for us, as it does for a Windows client.
func AppendStubQuery(b []byte, id uint16, name string, qtype uint16) []byte {
	start := len(b)
	b = AppendQuery(b, id, name, qtype, ClassIN)
	b[start+2] |= flagRD >> 8
	return b
}

// Client asks one DNS server directly: UDP first, TCP when the answer is
// truncated (RFC 1035 4.2.1, RFC 7766 5). Reads are bounded by Timeout
// per attempt and by the 16-bit TCP length prefix.
type Client struct {
	Server  netip.AddrPort
	Dialer  probes.Dialer // nil: a net.Dialer
	Timeout time.Duration // per attempt; 2 s when zero
	Retries int           // extra UDP attempts after silence
}

// ErrTimeout is a server that did not answer in time.
var ErrTimeout = errors.New("no answer")

// Exchange is one question and its answer.
type Exchange struct {
	Server string  // the address asked, e.g. 198.18.1.10:53
	TCP    bool    // the answer came over TCP after a truncated UDP one
	Reply  Message // valid when the error is nil
}

// Query asks the server for name and type with RD set.
func (c Client) Query(ctx context.Context, name string, qtype uint16) (Exchange, error) {
	ex := Exchange{Server: c.Server.String()}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	dialer := c.Dialer
	if dialer == nil {
		dialer = &net.Dialer{}
	}
	id := uint16(rand.Uint32())
	req := AppendStubQuery(nil, id, name, qtype)
	var err error
	for range 1 + max(c.Retries, 0) {
		ex.Reply, err = c.udp(ctx, dialer, req, timeout)
		if !errors.Is(err, ErrTimeout) || ctx.Err() != nil {
			break
		}
	}
	if err != nil || !ex.Reply.Truncated {
		return ex, err
	}
	ex.TCP = true
	ex.Reply, err = c.tcp(ctx, dialer, req, timeout)
	return ex, err
}

func (c Client) udp(ctx context.Context, d probes.Dialer, req []byte, timeout time.Duration) (Message, error) {
	conn, err := d.DialContext(ctx, "udp", c.Server.String())
	if err != nil {
		return Message{}, err
	}
	defer conn.Close()
	deadline := time.Now().Add(timeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	_ = conn.SetDeadline(deadline)
	if _, err := conn.Write(req); err != nil {
		return Message{}, err
	}
	buf := make([]byte, 64<<10)
	for {
		n, err := conn.Read(buf)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return Message{}, ErrTimeout
			}
			return Message{}, err
		}
		m, err := answers(req, buf[:n])
		if errors.Is(err, probes.ErrNotForUs) {
			continue // a late answer to another query: keep reading until the deadline
		}
		return m, err
	}
}

func (c Client) tcp(ctx context.Context, d probes.Dialer, req []byte, timeout time.Duration) (Message, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := d.DialContext(ctx, "tcp", c.Server.String())
	if err != nil {
		return Message{}, err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	if _, err := conn.Write(AppendTCPMessage(nil, req)); err != nil {
		return Message{}, err
	}
	msg, _, err := ReadTCPMessage(conn) // a message cut short fails answers' strict parse
	if err != nil {
		return Message{}, timeoutOr(err)
	}
	return answers(req, msg)
}

func timeoutOr(err error) error {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return ErrTimeout
	}
	return err
}

// answers parses reply and checks that it answers req: the same ID and,
// when the reply repeats it, the same question.
func answers(req, reply []byte) (Message, error) {
	m, err := ParseMessage(reply)
	if err != nil {
		if len(reply) >= 2 && binary.BigEndian.Uint16(reply) != binary.BigEndian.Uint16(req) {
			return Message{}, probes.ErrNotForUs
		}
		return Message{}, err
	}
	if m.ID != binary.BigEndian.Uint16(req) {
		return Message{}, probes.ErrNotForUs
	}
	if q := m.Question; q != nil {
		want, _, _ := readName(req, headerLen)
		if !strings.EqualFold(q.Name, want) || q.Type != binary.BigEndian.Uint16(req[len(req)-4:]) {
			return Message{}, fmt.Errorf("dns: reply to another question (%s %s)", q.Name, TypeName(q.Type))
		}
	}
	return m, nil
}

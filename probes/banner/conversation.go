package banner

import (
	"context"
	"io"
	"net"

	"github.com/winreach/winreach/probes"
)

// SMTP reads an SMTP greeting (TCP 25). It sends nothing but a QUIT after
// a greeting, so the server logs an orderly goodbye.
type SMTP struct{}

// Converse implements probes.Conversation.
func (SMTP) Converse(ctx context.Context, conn net.Conn, _ probes.Target) probes.Answer {
	return converse(ctx, conn, greetingProtocol{
		plausible: smtpPlausible,
		last:      smtpLast,
		parse: func(b []byte, partial bool) (*probes.Service, error) {
			g, err := parseSMTPGreeting(b, partial)
			if err != nil {
				return nil, err
			}
			return &probes.Service{Protocol: "smtp", Summary: g.Summary(), Details: g}, nil
		},
		goodbye: "QUIT\r\n",
	})
}

// POP3 reads a POP3 greeting (TCP 110).
type POP3 struct{}

// Converse implements probes.Conversation.
func (POP3) Converse(ctx context.Context, conn net.Conn, _ probes.Target) probes.Answer {
	return converse(ctx, conn, greetingProtocol{
		plausible: pop3Plausible,
		last:      oneLine,
		parse: func(b []byte, _ bool) (*probes.Service, error) {
			g, err := ParsePOP3Greeting(b)
			if err != nil {
				return nil, err
			}
			return &probes.Service{Protocol: "pop3", Summary: g.Summary(), Details: g}, nil
		},
		goodbye: "QUIT\r\n",
	})
}

// IMAP reads an IMAP greeting (TCP 143).
type IMAP struct{}

// Converse implements probes.Conversation.
func (IMAP) Converse(ctx context.Context, conn net.Conn, _ probes.Target) probes.Answer {
	return converse(ctx, conn, greetingProtocol{
		plausible: imapPlausible,
		last:      oneLine,
		parse: func(b []byte, _ bool) (*probes.Service, error) {
			g, err := ParseIMAPGreeting(b)
			if err != nil {
				return nil, err
			}
			return &probes.Service{Protocol: "imap", Summary: g.Summary(), Details: g}, nil
		},
		goodbye: "w1 LOGOUT\r\n",
	})
}

// NNTP reads an NNTP greeting (TCP 119).
type NNTP struct{}

// Converse implements probes.Conversation.
func (NNTP) Converse(ctx context.Context, conn net.Conn, _ probes.Target) probes.Answer {
	return converse(ctx, conn, greetingProtocol{
		plausible: nntpPlausible,
		last:      oneLine,
		parse: func(b []byte, _ bool) (*probes.Service, error) {
			g, err := ParseNNTPGreeting(b)
			if err != nil {
				return nil, err
			}
			return &probes.Service{Protocol: "nntp", Summary: g.Summary(), Details: g}, nil
		},
		goodbye: "QUIT\r\n",
	})
}

func oneLine([]byte) bool { return true }

// greetingProtocol is what converse needs to know of one protocol.
type greetingProtocol struct {
	plausible, last func([]byte) bool
	// parse judges the greeting; partial is set when the read stopped
	// before the last line, and b then holds only complete lines.
	parse   func(b []byte, partial bool) (*probes.Service, error)
	goodbye string
}

func converse(ctx context.Context, conn net.Conn, p greetingProtocol) probes.Answer {
	if err := ctx.Err(); err != nil {
		return probes.Answer{Err: err}
	}
	raw, complete, err := readGreeting(conn, p.plausible, p.last)
	if complete {
		svc, perr := p.parse(raw, false)
		if perr != nil {
			return probes.Answer{Unexpected: raw}
		}
		_, _ = io.WriteString(conn, p.goodbye)
		return probes.Answer{Service: svc}
	}
	if len(raw) == 0 {
		if err == nil {
			err = io.ErrUnexpectedEOF
		}
		return probes.Answer{Err: err}
	}
	// The read stopped early. Complete lines that already parse (a
	// multi-line SMTP greeting that a server like Postfix's postscreen
	// delays on purpose) still prove the protocol.
	if err != nil && p.plausible(raw) {
		if svc, perr := p.parse(raw, true); perr == nil {
			return probes.Answer{Service: svc}
		}
	}
	return probes.Answer{Unexpected: raw}
}

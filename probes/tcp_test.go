package probes

import (
	"context"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"
)

func listen(t *testing.T) *net.TCPListener {
	t.Helper()
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

func targetOf(t *testing.T, addr net.Addr) Target {
	t.Helper()
	ap, err := netipAddrPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return Target{Addr: ap.Addr(), Port: ap.Port()}
}

// unusedPort returns a loopback port that nothing listens on: it was bound
// and released, and Linux does not hand an ephemeral port out again at once.
func unusedPort(t *testing.T) Target {
	ln := listen(t)
	tg := targetOf(t, ln.Addr())
	ln.Close()
	return tg
}

func TestTCPOpenAndClosedOnLoopback(t *testing.T) {
	ln := listen(t)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	p := TCP{Dialer: &net.Dialer{}, Timeout: 5 * time.Second}
	if r := p.Probe(t.Context(), targetOf(t, ln.Addr())); r.State != Open || r.Reason != ReasonSynAck || r.RTT <= 0 {
		t.Errorf("listener: %+v, want open syn-ack with an RTT", r)
	}
	if r := p.Probe(t.Context(), unusedPort(t)); r.State != Closed || r.Reason != ReasonReset {
		t.Errorf("unused port: %+v, want closed rst", r)
	}
}

// timeoutDialer fails like a dial whose SYNs went unanswered.
type timeoutDialer struct{ calls int }

func (d *timeoutDialer) DialContext(ctx context.Context, _, _ string) (net.Conn, error) {
	d.calls++
	return nil, &net.OpError{Op: "dial", Net: "tcp", Err: os.ErrDeadlineExceeded}
}

// errnoDialer fails with one errno, like a kernel that got an ICMP error.
type errnoDialer struct {
	errno syscall.Errno
	calls int
}

func (d *errnoDialer) DialContext(ctx context.Context, _, _ string) (net.Conn, error) {
	d.calls++
	return nil, opError(d.errno)
}

func TestTCPTimeoutRetriesAndFinalErrors(t *testing.T) {
	td := &timeoutDialer{}
	r := TCP{Dialer: td, Timeout: time.Second, Retries: 2}.Probe(t.Context(), Target{Port: 139})
	if r.State != Filtered || r.Reason != ReasonTimeout || td.calls != 3 || r.Attempts != 3 {
		t.Errorf("timeouts: %+v after %d dials, want filtered timeout after 3", r, td.calls)
	}
	ed := &errnoDialer{errno: syscall.EHOSTUNREACH}
	r = TCP{Dialer: ed, Timeout: time.Second, Retries: 2}.Probe(t.Context(), Target{Port: 139})
	if r.State != Filtered || r.Reason != ReasonHostUnreachable || ed.calls != 1 {
		t.Errorf("host unreachable: %+v after %d dials, want filtered host-unreachable after 1", r, ed.calls)
	}
}

// lineTalk expects the peer to greet with "HELLO".
type lineTalk struct{}

func (lineTalk) Converse(ctx context.Context, c net.Conn, _ Target) Answer {
	buf := make([]byte, 5)
	if _, err := io.ReadFull(c, buf); err != nil {
		return Answer{Err: err}
	}
	if string(buf) != "HELLO" {
		return Answer{Unexpected: buf}
	}
	return Answer{Service: &Service{Protocol: "hello", Summary: "says hello"}}
}

func TestTCPConversation(t *testing.T) {
	for _, tc := range []struct {
		name   string
		serve  func(net.Conn)
		state  State
		reason Reason
	}{
		{"speaks the protocol", func(c net.Conn) { c.Write([]byte("HELLO")) }, Confirmed, ReasonReply},
		{"speaks something else", func(c net.Conn) { c.Write([]byte("SSH-2.0")) }, Open, ReasonUnexpectedReply},
		{"closes at once", func(c net.Conn) {}, Open, ReasonClosedEarly},
		{"stays silent", func(c net.Conn) { time.Sleep(3 * time.Second) }, Open, ReasonSynAck},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ln := listen(t)
			go func() {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				tc.serve(c)
				c.Close()
			}()
			r := TCP{Dialer: &net.Dialer{}, Timeout: 300 * time.Millisecond, Talk: lineTalk{}}.Probe(t.Context(), targetOf(t, ln.Addr()))
			if r.State != tc.state || r.Reason != tc.reason {
				t.Errorf("%+v, want %v %v", r, tc.state, tc.reason)
			}
			if tc.state == Confirmed && (r.Service == nil || r.Service.Protocol != "hello") {
				t.Errorf("service %+v", r.Service)
			}
		})
	}
}

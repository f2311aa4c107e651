package probes

import (
	"context"
	"errors"
	"io"
	"net"
	"time"
)

// Dialer opens connections; *net.Dialer is one. Tests inject others.
type Dialer interface {
	DialContext(ctx context.Context, network, address string) (net.Conn, error)
}

// TCP is a TCP connect probe, optionally followed by an application
// conversation that confirms the service and identifies it.
type TCP struct {
	Dialer  Dialer
	Timeout time.Duration // per connection attempt and per conversation
	// Retries is how many more connects to try after one that timed out
	// (a lost SYN on a busy path); a RST or an ICMP error is final.
	Retries int
	// Talk, when set, runs after the handshake.
	Talk Conversation
	// Now is the clock for RTTs; time.Now when nil.
	Now func() time.Time
}

// Probe connects to t and, with Talk set, speaks the protocol.
func (p TCP) Probe(ctx context.Context, t Target) Result {
	now := p.Now
	if now == nil {
		now = time.Now
	}
	var (
		conn    net.Conn
		err     error
		rtt     time.Duration
		waited  time.Duration
		attempt int
		st      State
		reason  Reason
		icmp    *ICMP
	)
	addr := t.AddrPort().String()
	for attempt = 1; ; attempt++ {
		cctx, cancel := context.WithTimeout(ctx, AttemptTimeout(t, attempt, p.Timeout))
		start := now()
		conn, err = p.Dialer.DialContext(cctx, "tcp", addr)
		rtt = now().Sub(start)
		cancel()
		if err != nil {
			st, reason, icmp = ClassifyConnect(err)
		}
		timedOut := err != nil && st == Filtered && reason == ReasonTimeout
		if timedOut {
			waited += rtt
		}
		if t.Timing != nil && ctx.Err() == nil {
			observeConnect(t, attempt, rtt, err == nil || st == Open, timedOut, st, reason, icmp)
		}
		if err == nil || ctx.Err() != nil || !timedOut || attempt > p.Retries {
			break
		}
	}
	if err != nil && st == Open {
		// The handshake completed; the peer reset before we looked.
		r := Result{State: Open, Reason: ReasonSynAck, RTT: rtt, Attempts: attempt}
		if p.Talk != nil {
			r.Reason = ReasonClosedEarly
			r.Note = "connected, then the peer reset the connection before the probe spoke"
		}
		return r
	}
	if err != nil {
		if ctx.Err() != nil && st == Filtered && reason == ReasonTimeout {
			// The scan was cancelled, not the path: say we do not know.
			return Result{State: NotTested, Reason: ReasonLocalError, Note: "scan interrupted", Attempts: attempt}
		}
		r := Result{State: st, Reason: reason, ICMP: icmp, Attempts: attempt}
		if st == Filtered && reason == ReasonTimeout {
			r.Wait = waited
		} else {
			r.RTT = rtt
		}
		if st == NotTested {
			r.Note = err.Error()
		}
		return r
	}
	defer closeAbortive(conn)
	r := Result{State: Open, Reason: ReasonSynAck, RTT: rtt, Attempts: attempt}
	if p.Talk == nil {
		return r
	}
	cctx, cancel := context.WithTimeout(ctx, p.Timeout)
	defer cancel()
	deadline, _ := cctx.Deadline()
	_ = conn.SetDeadline(deadline)
	stop := context.AfterFunc(cctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	a := p.Talk.Converse(cctx, conn, t)
	switch {
	case a.Service != nil:
		r.State, r.Reason, r.Service = Confirmed, ReasonReply, a.Service
	case len(a.Unexpected) > 0:
		r.Reason, r.Note = ReasonUnexpectedReply, UnexpectedNote(a.Unexpected)
	case a.Err != nil:
		r.Note = "connected, but no answer to the protocol probe: " + describeReadError(a.Err)
		if !isTimeout(a.Err) {
			r.Reason = ReasonClosedEarly
		}
	}
	return r
}

// observeConnect tells the host's timing what one connect attempt saw:
// a handshake, a reset or an ICMP error is a round trip; a timeout is
// silence; a local failure says nothing about the path.
func observeConnect(t Target, attempt int, rtt time.Duration, connected, timedOut bool, st State, reason Reason, icmp *ICMP) {
	switch {
	case connected:
		t.Timing.Answered(attempt, rtt, false)
	case timedOut:
		t.Timing.Silent(attempt)
	case icmp != nil:
		// Only the target's own ICMP errors spend its rate-limit budget.
		t.Timing.Answered(attempt, rtt, icmp.From == t.Addr)
	case st == Closed, st == Filtered:
		t.Timing.Answered(attempt, rtt, reason != ReasonReset)
	}
}

// closeAbortive closes with SO_LINGER 0: the kernel sends RST and frees the
// socket at once, so large scans do not pile up TIME_WAIT states.
func closeAbortive(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = c.Close()
}

func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func describeReadError(err error) string {
	switch {
	case isTimeout(err):
		return "timed out"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the peer closed the connection"
	}
	if st, reason := Classify(err); st == Closed {
		return "the peer reset the connection"
	} else if reason != ReasonLocalError {
		return string(reason)
	}
	return err.Error()
}

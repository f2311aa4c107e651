package probes

import (
	"context"
	"errors"
	"net"
	"time"
)

// maxDatagram bounds every UDP read.
const maxDatagram = 65535

// UDP sends a protocol request on a connected UDP socket (only a connected
// socket is told of ICMP errors) and waits for the reply. Silence after
// every retry is open|filtered; ICMP port-unreachable is closed.
type UDP struct {
	Dialer  Dialer
	Timeout time.Duration // the longest any attempt waits (--timeout)
	Retries int           // capped at MaxRetries
	// Exchange is the protocol. Nil means no public request gets an answer
	// (NetBIOS datagrams, WLBS): an empty datagram is sent to draw an ICMP
	// error, and silence is reported as expected.
	Exchange Datagram
	Now      func() time.Time
}

// NoProbeNote marks results of ports whose protocol has no probe.
const NoProbeNote = "no probe exists for this protocol: silence is what an open port gives too"

// Probe sends up to 1+Retries requests and reads the answers.
func (p UDP) Probe(ctx context.Context, t Target) Result {
	now := p.Now
	if now == nil {
		now = time.Now
	}
	conn, err := p.Dialer.DialContext(ctx, "udp", t.AddrPort().String())
	if err != nil {
		st, reason := Classify(err)
		if st == Filtered && reason == ReasonTimeout {
			st = NotTested
		}
		return Result{State: st, Reason: reason, Note: err.Error()}
	}
	defer conn.Close()

	var (
		sent   [][]byte
		waited time.Duration
	)
	buf := make([]byte, maxDatagram)
	fixed := p.Timeout
	// An interrupt ends the read at once, not at the attempt's deadline.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	attempts := Attempts(p.Retries)
	for attempt := 0; attempt < attempts; attempt++ {
		if attempt > 0 && t.Timing != nil && !t.Timing.Retry(ctx, attempt+1) {
			attempts = attempt // another attempt cannot change the result
			break
		}
		wait := AttemptTimeout(t, attempt+1, fixed)
		if p.Exchange != nil {
			wait = ServiceWait(t, attempt+1, fixed)
		}
		req := []byte{}
		if p.Exchange != nil {
			req = p.Exchange.Request(t, attempt)
		}
		sent = append(sent, req)
		start := now()
		if _, err := conn.Write(req); err != nil {
			if r, final := p.errorResult(err, attempt+1); final {
				return r
			}
		}
		deadline := start.Add(wait)
		if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
			deadline = d
		}
		for {
			if ctx.Err() != nil {
				break
			}
			_ = conn.SetReadDeadline(deadline)
			n, err := conn.Read(buf)
			if err != nil {
				if isTimeout(err) {
					break
				}
				if r, final := p.errorResult(err, attempt+1); final {
					r.RTT = now().Sub(start)
					if t.Timing != nil && r.State != NotTested {
						t.Timing.Answered(attempt+1, r.RTT, ICMPAnswerer(r.ICMP, t.Addr, r.State == Closed))
					}
					return r
				}
				break
			}
			if r, ok := p.judge(sent, buf[:n]); ok {
				r.RTT, r.Attempts = now().Sub(start), attempt+1
				if t.Timing != nil {
					t.Timing.Answered(attempt+1, r.RTT, FromHost)
				}
				return r
			}
		}
		waited += now().Sub(start)
		if ctx.Err() != nil {
			return Result{State: NotTested, Reason: ReasonLocalError, Note: "scan interrupted", Attempts: attempt + 1}
		}
		if t.Timing != nil {
			t.Timing.Silent(attempt + 1)
		}
	}
	r := Result{State: OpenFiltered, Reason: ReasonNoResponse, Attempts: attempts, Wait: waited}
	if p.Exchange == nil {
		r.Note = NoProbeNote
	}
	return r
}

// judge classifies one datagram against every request sent so far; ok is
// false when the datagram should be ignored (a stray, keep reading).
func (p UDP) judge(sent [][]byte, reply []byte) (Result, bool) {
	if p.Exchange == nil {
		return Result{State: Open, Reason: ReasonUnexpectedReply, Note: UnexpectedNote(reply)}, true
	}
	var firstErr error
	for i := len(sent) - 1; i >= 0; i-- {
		svc, err := p.Exchange.Parse(sent[i], reply)
		if err == nil && svc != nil {
			return Result{State: Confirmed, Reason: ReasonReply, Service: svc}, true
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if errors.Is(firstErr, ErrNotForUs) {
		return Result{}, false
	}
	return Result{State: Open, Reason: ReasonUnexpectedReply, Note: UnexpectedNote(reply)}, true
}

// ErrNotForUs is returned by Datagram.Parse for a well-formed reply to some
// other request (wrong transaction ID): the probe keeps listening.
var ErrNotForUs = errors.New("reply to another request")

// errorResult turns a socket error into a result; final is false for
// errors worth another attempt.
func (p UDP) errorResult(err error, attempt int) (Result, bool) {
	st, reason, icmp := ClassifyDetail("udp", err)
	switch {
	case st == Closed && (reason == ReasonReset || reason == ReasonPortUnreachable):
		// On a UDP socket ECONNREFUSED can only come from ICMP 3/3.
		return Result{State: Closed, Reason: ReasonPortUnreachable, ICMP: icmp, Attempts: attempt}, true
	case st == Filtered && reason != ReasonTimeout:
		return Result{State: Filtered, Reason: reason, ICMP: icmp, Attempts: attempt}, true
	case st == NotTested:
		var ne *net.OpError
		if errors.As(err, &ne) {
			return Result{State: NotTested, Reason: reason, Note: ne.Error(), Attempts: attempt}, true
		}
		return Result{State: NotTested, Reason: reason, Note: err.Error(), Attempts: attempt}, true
	}
	return Result{}, false
}

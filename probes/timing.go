package probes

import (
	"context"
	"time"
)

// Timing is a scan's running knowledge of the path to one host, shared by
// every probe of that host (Target.Timing). Probes ask it how long to wait
// for an answer and tell it what came back, so that timeouts follow the
// round-trip times the host shows (RFC 6298) instead of a fixed second,
// and retries of datagrams respect the host's ICMP rate limit. A nil
// Timing means fixed timeouts. Implementations are safe for concurrent use.
type Timing interface {
	// Timeout is how long attempt n (1 for the first) waits for an
	// answer: at most fixed, the probe's own timeout for that attempt.
	Timeout(attempt int, fixed time.Duration) time.Duration
	// Answered records an answer to attempt n after rtt: a reply, a TCP
	// handshake or reset, or (icmp) an ICMP error sent by the host.
	Answered(attempt int, rtt time.Duration, icmp bool)
	// Silent records an attempt that got no answer in time.
	Silent(attempt int)
	// Retry is called by a datagram probe before attempt n (n > 1) after
	// silence. It waits while the host is likely out of ICMP error budget
	// (a retry sent earlier would meet the same limit), and returns false
	// when another attempt cannot change the result, or ctx ended.
	Retry(ctx context.Context, attempt int) bool
}

// AttemptTimeout is the wait for attempt n (from 1) of a probe at t whose
// own timeout for that attempt is fixed: the host's adaptive timeout when
// the scan keeps one, else fixed.
func AttemptTimeout(t Target, attempt int, fixed time.Duration) time.Duration {
	if t.Timing == nil {
		return fixed
	}
	return t.Timing.Timeout(attempt, fixed)
}

// ServiceWait is AttemptTimeout for an attempt that expects a service's
// reply rather than the kernel's: at least MinServiceWait (or fixed, if
// shorter), since the reply takes the server's processing time on top of
// the path's round trip.
func ServiceWait(t Target, attempt int, fixed time.Duration) time.Duration {
	return max(AttemptTimeout(t, attempt, fixed), min(fixed, MinServiceWait))
}

// MinServiceWait is the least an attempt that expects a service's reply
// waits, however short the host's round trips.
const MinServiceWait = 500 * time.Millisecond

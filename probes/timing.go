package probes

import (
	"context"
	"net/netip"
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
	// answer: at most fixed, the probe's own timeout (--timeout).
	Timeout(attempt int, fixed time.Duration) time.Duration
	// Answered records an answer to attempt n after rtt, and who sent it.
	Answered(attempt int, rtt time.Duration, from Answerer)
	// Silent records an attempt that got no answer in time.
	Silent(attempt int)
	// Retry is called by a datagram probe before attempt n (n > 1) after
	// silence. It waits while the host is likely out of ICMP error budget
	// (a retry sent earlier would meet the same limit), and returns false
	// when another attempt cannot change the result, or ctx ended.
	Retry(ctx context.Context, attempt int) bool
}

// Answerer says who answered an attempt, which decides what the answer
// proves about the host's path.
type Answerer uint8

const (
	// FromHost: the host itself answered with a reply, a completed TCP
	// handshake or a reset. The round trip is the host's.
	FromHost Answerer = iota
	// FromHostICMP: an ICMP error the host itself sent (port or protocol
	// unreachable, or a prohibition from its own firewall). The round
	// trip is the host's, and the error spends its ICMP rate-limit budget.
	FromHostICMP
	// FromRouter: an ICMP error from some other address on the way. It
	// proves nothing about the host's round trip or liveness.
	FromRouter
)

// ICMPAnswerer is who sent the ICMP error m about a probe of target; nil m
// is an error the kernel reported without its sender (no error queue):
// closed is then the host's own answer (port unreachable, refused), any
// other unreachable may come from a router.
func ICMPAnswerer(m *ICMP, target netip.Addr, closed bool) Answerer {
	switch {
	case m == nil && closed:
		return FromHostICMP
	case m == nil:
		return FromRouter
	case m.From == target.Unmap() || m.From == target:
		return FromHostICMP
	}
	return FromRouter
}

// MaxRetries caps every probe's retries after silence, whatever --retries
// says: with at most 1+MaxRetries attempts of at most --timeout each, the
// waiting one endpoint does for answers is bounded by (1+MaxRetries) x
// --timeout (plus one --timeout for a TCP conversation after the
// handshake). Ten is nmap's default --max-retries.
const MaxRetries = 10

// Attempts is how many attempts a probe with retries makes at most.
func Attempts(retries int) int { return 1 + min(max(0, retries), MaxRetries) }

// AttemptTimeout is the wait for attempt n (from 1) of a probe at t whose
// own timeout is fixed: the host's adaptive timeout when the scan keeps
// one, else fixed. It is never more than fixed.
func AttemptTimeout(t Target, attempt int, fixed time.Duration) time.Duration {
	if t.Timing == nil {
		return fixed
	}
	return min(t.Timing.Timeout(attempt, fixed), fixed)
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

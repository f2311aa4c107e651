package scanner

import (
	"net/netip"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
)

// fakeClock is a settable clock for the timing model.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newTestTiming(cfg Timing) (*scanTiming, *fakeClock) {
	c := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	cfg.Now = c.now
	return newScanTiming(cfg), c
}

// RFC 6298 2.2 and 2.3, worked by hand: a first sample of 100ms gives
// SRTT 100ms, RTTVAR 50ms, RTO 300ms; a second of 200ms gives RTTVAR
// (3*50+100)/4 = 62.5ms, SRTT (7*100+200)/8 = 112.5ms, RTO 362.5ms.
func TestRTTEstimatorFollowsRFC6298(t *testing.T) {
	var e rttEstimator
	if _, ok := e.rto(); ok {
		t.Fatal("an RTO before any sample")
	}
	e.sample(100 * time.Millisecond)
	if rto, _ := e.rto(); rto != 300*time.Millisecond {
		t.Errorf("after 100ms: RTO %v, want 300ms", rto)
	}
	e.sample(200 * time.Millisecond)
	if rto, _ := e.rto(); rto != 362500*time.Microsecond {
		t.Errorf("after 200ms: RTO %v, want 362.5ms", rto)
	}
	// Identical samples shrink RTTVAR to the clock granularity.
	for range 200 {
		e.sample(10 * time.Millisecond)
	}
	if rto, _ := e.rto(); rto < 10*time.Millisecond || rto > 12*time.Millisecond {
		t.Errorf("steady 10ms: RTO %v, want about 11ms", rto)
	}
}

// A Linux host with 20 closed UDP ports answers the first 6 at once (its
// ICMP burst) and then one per second. Retries are paced to that: the k-th
// goes out k seconds after the burst, so all 20 are right in about 14s.
func TestRetriesArePacedByTheICMPBudget(t *testing.T) {
	scan, clock := newTestTiming(Timing{})
	h := newHostTiming(scan, netip.Addr{}, 20)
	for range 6 {
		h.Answered(1, time.Millisecond, probes.FromHostICMP)
	}
	clock.advance(100 * time.Millisecond)
	for range 14 {
		h.Silent(1)
	}
	for k := 1; k <= 14; k++ {
		wait, ok := h.reserveRetry(2)
		if !ok {
			t.Fatalf("retry %d refused", k)
		}
		want := time.Duration(k)*time.Second - 100*time.Millisecond
		if d := wait - want; d < -time.Millisecond || d > time.Millisecond {
			t.Errorf("retry %d waits %v, want %v", k, wait, want)
		}
	}
	// The answers to paced retries do not spend the budget twice.
	for range 14 {
		h.Answered(2, time.Millisecond, probes.FromHostICMP)
	}
	clock.advance(15 * time.Second) // the 14th paced error, then a second of refill
	if wait, _ := h.reserveRetry(2); wait != 0 {
		t.Errorf("after the budget refilled a retry still waits %v", wait)
	}
}

// Silence without any ICMP error before is a filter, not a rate limit:
// no pacing, and a third attempt to a host that answered nothing at all is
// skipped.
func TestSilenceOfASilentHostIsNotPacedNorRetriedTwice(t *testing.T) {
	scan, _ := newTestTiming(Timing{})
	h := newHostTiming(scan, netip.Addr{}, 10)
	h.Silent(1)
	if wait, ok := h.reserveRetry(2); !ok || wait != 0 {
		t.Errorf("second attempt: wait %v ok %v, want at once", wait, ok)
	}
	h.Silent(2)
	if _, ok := h.reserveRetry(3); ok {
		t.Error("third attempt to a host that never answered")
	}
	h.Answered(1, time.Millisecond, probes.FromHost)
	if _, ok := h.reserveRetry(3); !ok {
		t.Error("third attempt refused to a host that answers")
	}
}

// A host that sends more errors than the model's budget is not limited
// like Linux: its silences are not paced.
func TestHostBeyondTheModelIsNotPaced(t *testing.T) {
	scan, _ := newTestTiming(Timing{})
	h := newHostTiming(scan, netip.Addr{}, 30)
	for range 20 {
		h.Answered(1, time.Millisecond, probes.FromHostICMP)
	}
	h.Silent(1)
	if wait, ok := h.reserveRetry(2); !ok || wait != 0 {
		t.Errorf("wait %v ok %v, want at once", wait, ok)
	}
}

// Loss (an answer only to a retry) halves the congestion window; silence
// on every attempt (a filtered port) and rate-limited ICMP leave it alone;
// answers grow it back until it stops limiting.
func TestCongestionWindowReactsToLossNotSilence(t *testing.T) {
	scan, _ := newTestTiming(Timing{})
	h := newHostTiming(scan, netip.Addr{}, 16)
	for range 50 {
		h.Silent(1)
		h.Silent(2)
	}
	h.Answered(2, time.Millisecond, probes.FromHostICMP)
	if l := h.limit(); l != 0 {
		t.Fatalf("silence and ICMP set a limit of %d", l)
	}
	h.Answered(2, time.Millisecond, probes.FromHost)
	if l := h.limit(); l != 8 {
		t.Errorf("after one loss: limit %d, want 8", l)
	}
	h.Answered(2, time.Millisecond, probes.FromHost)
	if l := h.limit(); l != 4 {
		t.Errorf("after two losses: limit %d, want 4", l)
	}
	for range 1000 {
		h.Answered(1, time.Millisecond, probes.FromHost)
	}
	if l := h.limit(); l != 0 {
		t.Errorf("after recovery: limit %d, want none", l)
	}
}

// Errors that other probes draw while retries wait their turn (a raw
// probe's first packet, paced on its own) spend the real budget; they do
// not make the host look unlimited, so the waiting retries stay paced.
func TestErrorsBesideReservedRetriesKeepThePacing(t *testing.T) {
	scan, clock := newTestTiming(Timing{})
	h := newHostTiming(scan, netip.Addr{}, 20)
	for range 6 {
		h.Answered(1, time.Millisecond, probes.FromHostICMP) // the burst
	}
	for range 5 {
		h.Silent(1) // rate-limited: limited from now on
	}
	for range 5 {
		if _, ok := h.reserveRetry(2); !ok {
			t.Fatal("retry refused")
		}
	}
	clock.advance(1100 * time.Millisecond)
	h.Answered(1, time.Millisecond, probes.FromHostICMP) // a raw probe's error, one refill later
	if h.unmodeled || !h.limited {
		t.Fatalf("one error within the refilled budget made the host unmodeled (tokens %.2f, reserved %d)", h.tokens, h.reserved)
	}
	if wait, _ := h.reserveRetry(2); wait < 5*time.Second {
		t.Errorf("a new retry waits %v behind 5 reserved ones and a spent token, want at least 5s", wait)
	}
}

package scanner

import (
	"context"
	"math"
	"net/netip"
	"sync"
	"time"

	"github.com/winreach/winreach/probes"
)

// Timing configures adaptive timeouts: per-host round-trip estimates
// (RFC 6298), congestion control that reacts to loss and not to a
// firewall's silence, and pacing of datagram retries under a target's
// ICMP rate limit. The zero value uses the defaults below.
//
// The policy is safe first, fast second. A host's wait comes from, in
// order: its own measured round trips (an answer from the host itself: a
// reply, a handshake, a reset, an ICMP error it sent); else the round
// trips measured to other hosts on the same path (same Path key: the same
// on-link prefix, or the same next hop and far prefix); else LinkInitial
// for a host on the local link (Adjacent), else Initial. An
// ICMP error from a router is no measurement of the hosts behind it. Each
// retry after silence doubles the wait (RFC 6298 5.5), and no wait is
// longer than the probe's --timeout.
type Timing struct {
	// Floor is the least time an attempt waits, however short the
	// measured round trips (default 100ms, nmap's --min-rtt-timeout).
	Floor time.Duration
	// Initial is the wait of a host with no measurement of its own or of
	// its path (default 1s, RFC 6298 2.1), at most --timeout.
	Initial time.Duration
	// LinkInitial replaces Initial for a host Adjacent says is on the
	// local link of an interface that resolves link-layer addresses
	// (default 250ms).
	LinkInitial time.Duration
	// Adjacent reports a host on the local link (icmperr.Routes.Adjacent):
	// no router in between, and nothing is sent to it before it answered
	// ARP or neighbour discovery itself. Nil: none is.
	Adjacent func(netip.Addr) bool
	// Path names the path to a host: hosts with the same non-empty key
	// share their measurements (icmperr.Routes.PathKey). Nil or "" means
	// no evidence: the host shares nothing.
	Path func(netip.Addr) string
	// ICMPBurst and ICMPRate model a target's ICMP error rate limit, per
	// destination: Linux's default (net.ipv4.icmp_ratelimit=1000 ms with
	// a burst of 6, XRLIM_BURST_FACTOR) unless set.
	ICMPBurst int
	ICMPRate  float64 // errors per second
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Defaults, justified:
//   - Floor 100ms: a LAN round trip is well under a millisecond, but a
//     scan with thousands of probes in flight adds scheduling delay on
//     both ends, and hosts delay SYN-ACKs and ICMP errors under load;
//     100ms is nmap's --min-rtt-timeout and keeps a drop at a few
//     hundred milliseconds instead of seconds.
//   - Initial 1s: RFC 6298 2.1's initial RTO, used only for a host
//     nothing on its path has answered for. It covers a geostationary
//     satellite hop (about 600ms round trip) with room for the far
//     server's delay, so the first silence of an unmeasured host means
//     something. It costs time only where nothing answers, and there
//     the probes wait in parallel (a firewalled /24: every probe's 1s +
//     2s runs side by side with the others').
//   - LinkInitial 250ms: a host on the local link is one link away (the
//     kernel sends it nothing before it answered ARP or neighbour
//     discovery): its round trip is the link's (under a millisecond on
//     Ethernet, tens on a busy Wi-Fi) plus its own stack's delay under
//     load, which the 100ms floor already allows for; 250ms is that
//     floor with room to spare. A silent host on a LAN then costs
//     250ms + 500ms, not 1s + 2s.
const (
	defaultFloor       = 100 * time.Millisecond
	defaultInitial     = time.Second
	defaultLinkInitial = 250 * time.Millisecond
	defaultICMPBurst   = 6
	defaultICMPRate    = 1.0
	// clockGranularity is RFC 6298's G: the least RTTVAR term.
	clockGranularity = time.Millisecond
)

func (c *Timing) floor() time.Duration   { return cmpOr(c.Floor, defaultFloor) }
func (c *Timing) initial() time.Duration { return cmpOr(c.Initial, defaultInitial) }
func (c *Timing) linkInitial() time.Duration {
	return cmpOr(c.LinkInitial, defaultLinkInitial)
}

func (c *Timing) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// rttEstimator is RFC 6298's smoothed round-trip time and variation.
type rttEstimator struct {
	srtt, rttvar time.Duration
	samples      int
}

// sample folds one measured round trip in (RFC 6298 2.2 and 2.3).
func (e *rttEstimator) sample(r time.Duration) {
	if e.samples == 0 {
		e.srtt, e.rttvar = r, r/2
	} else {
		diff := e.srtt - r
		if diff < 0 {
			diff = -diff
		}
		e.rttvar = (3*e.rttvar + diff) / 4
		e.srtt = (7*e.srtt + r) / 8
	}
	e.samples++
}

// rto is SRTT + max(G, 4*RTTVAR); ok is false before the first sample.
func (e *rttEstimator) rto() (time.Duration, bool) {
	if e.samples == 0 {
		return 0, false
	}
	return e.srtt + max(clockGranularity, 4*e.rttvar), true
}

// scanTiming is what the whole scan has measured, per path: a host that
// has not answered yet starts from the round trips of the hosts that
// share its path (same Path key), so a dead host in a live subnet costs a
// few LAN round trips, not the initial second. Hosts whose path is
// unknown share nothing.
type scanTiming struct {
	cfg   Timing
	mu    sync.Mutex
	paths map[string]*rttEstimator
}

func newScanTiming(cfg Timing) *scanTiming {
	return &scanTiming{cfg: cfg, paths: map[string]*rttEstimator{}}
}

// pathKey is the key of addr's path, "" when there is no evidence.
func (s *scanTiming) pathKey(addr netip.Addr) string {
	if s.cfg.Path == nil || !addr.IsValid() {
		return ""
	}
	return s.cfg.Path(addr)
}

func (s *scanTiming) sample(path string, r time.Duration) {
	if path == "" {
		return
	}
	s.mu.Lock()
	e := s.paths[path]
	if e == nil {
		e = &rttEstimator{}
		s.paths[path] = e
	}
	e.sample(r)
	s.mu.Unlock()
}

func (s *scanTiming) rto(path string) (time.Duration, bool) {
	if path == "" {
		return 0, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.paths[path]; e != nil {
		return e.rto()
	}
	return 0, false
}

// hostTiming is one host's probes.Timing. It lives as long as the host is
// in flight.
type hostTiming struct {
	scan     *scanTiming
	path     string // the path key, "" when unknown
	adjacent bool   // on the local link (Timing.Adjacent)
	// window is the most probes in flight congestion control allows when
	// it is not limiting: the host's planned probes or --max-per-host.
	window int

	mu      sync.Mutex
	est     rttEstimator
	answers int // answers of any kind: the host is alive
	icmp    int // ICMP errors the host itself sent
	// cwnd is the congestion window, 0 while no loss was seen: halved on
	// each loss, grown by 1/cwnd per answer (RFC 5681's congestion
	// avoidance), and lifted again when it reaches window.
	cwnd float64
	// limited: the host sent ICMP errors and then fell silent, the
	// signature of an ICMP rate limit; datagram retries are paced.
	limited bool
	// unmodeled: the host sent more ICMP errors than the model allows,
	// so its limit (if any) is looser: no pacing.
	unmodeled bool
	tokens    float64 // modelled ICMP budget of the host: errors it can still send now
	// reserved counts retries that were given a slot of the budget and
	// whose answer (or silence) has not come back yet. It is kept apart
	// from tokens so that an error the host sends meanwhile (a first
	// attempt, a raw probe) is judged against the real budget, not
	// against promises.
	reserved int
	refilled time.Time // when tokens was last brought up to date
}

var _ probes.Timing = (*hostTiming)(nil)

func newHostTiming(scan *scanTiming, addr netip.Addr, window int) *hostTiming {
	adjacent := scan.cfg.Adjacent != nil && addr.IsValid() && scan.cfg.Adjacent(addr)
	return &hostTiming{scan: scan, path: scan.pathKey(addr), adjacent: adjacent, window: max(1, window), tokens: float64(scan.burst())}
}

func (s *scanTiming) burst() int           { return cmpOr(s.cfg.ICMPBurst, defaultICMPBurst) }
func (s *scanTiming) rate() float64        { return cmpOr(s.cfg.ICMPRate, defaultICMPRate) }
func (s *scanTiming) now() time.Time       { return s.cfg.now() }
func (s *scanTiming) floor() time.Duration { return s.cfg.floor() }

// Timeout is the host's RTO, else its path's, else the initial value (the
// link's for a host on the local link); at
// least the floor, doubled for each retry after silence (RFC 6298 5.5),
// and at most fixed (--timeout).
func (h *hostTiming) Timeout(attempt int, fixed time.Duration) time.Duration {
	h.mu.Lock()
	rto, ok := h.est.rto()
	h.mu.Unlock()
	if !ok {
		rto, ok = h.scan.rto(h.path)
	}
	switch {
	case ok:
	case h.adjacent:
		rto = h.scan.cfg.linkInitial()
	default:
		rto = h.scan.cfg.initial()
	}
	return backoff(max(rto, h.scan.floor()), attempt, fixed)
}

// backoff is RFC 6298 5.5: base doubled for each attempt after the first,
// at most ceiling.
func backoff(base time.Duration, attempt int, ceiling time.Duration) time.Duration {
	for n := 1; n < attempt && base < ceiling; n++ {
		base *= 2
	}
	return min(base, ceiling)
}

// Answered folds in a round trip. Only first attempts are samples (Karn's
// algorithm: an answer after a retry may belong to either attempt). An
// answer that needed a retry and is not an ICMP error is loss on a path
// that works: the congestion window halves. Rate-limited ICMP is not
// loss: it is paced by Retry instead. A router's ICMP error is no answer
// of the host: it measures nothing and proves no liveness.
func (h *hostTiming) Answered(attempt int, rtt time.Duration, from probes.Answerer) {
	h.mu.Lock()
	if from == probes.FromRouter {
		if attempt > 1 {
			h.settleRetry(false)
		}
		h.mu.Unlock()
		return
	}
	icmp := from == probes.FromHostICMP
	h.answers++
	if icmp {
		h.icmp++
	}
	if attempt > 1 {
		h.settleRetry(icmp)
	}
	switch {
	case attempt == 1:
		h.est.sample(rtt)
		if icmp {
			h.spendToken()
		}
		if h.cwnd > 0 {
			h.cwnd += 1 / h.cwnd
			if h.cwnd >= float64(h.window) {
				h.cwnd = 0
			}
		}
	case !icmp:
		if h.cwnd == 0 {
			h.cwnd = float64(h.window)
		}
		h.cwnd = max(1, h.cwnd/2)
	}
	h.mu.Unlock()
	if attempt == 1 {
		h.scan.sample(h.path, rtt)
	}
}

// Silent marks a host that answered with ICMP errors and then went quiet
// as rate-limited. Silence changes nothing else: a filtered port is not
// congestion.
func (h *hostTiming) Silent(attempt int) {
	h.mu.Lock()
	if attempt > 1 {
		h.settleRetry(false)
	}
	if h.icmp > 0 && !h.unmodeled {
		h.limited = true
	}
	h.mu.Unlock()
}

// Retry paces datagram retries to a rate-limited host at the rate its ICMP
// budget refills, so each retry can draw the error the first attempt was
// denied. Other scans' hosts go on meanwhile: only this probe waits. A
// third attempt to a host that answered nothing at all is skipped: its
// silence is neither loss (two losses in a row on a quiet path) nor a rate
// limit (it sent no error to be limited).
func (h *hostTiming) Retry(ctx context.Context, attempt int) bool {
	wait, ok := h.reserveRetry(attempt)
	if !ok {
		return false
	}
	if wait <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// reserveRetry decides whether attempt n goes out and how long it waits
// first, reserving a token of the host's modelled ICMP budget for it.
func (h *hostTiming) reserveRetry(attempt int) (time.Duration, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.answers == 0 && attempt > 2 {
		return 0, false
	}
	if !h.limited || h.unmodeled {
		return 0, true
	}
	h.refill()
	h.reserved++ // this retry's error
	avail := h.tokens - float64(h.reserved)
	if avail >= 0 {
		return 0, true
	}
	return time.Duration(-avail / h.scan.rate() * float64(time.Second)), true
}

// settleRetry closes a retry's reservation when its answer or silence
// comes back; an ICMP error it drew is spent from the budget then. mu held.
func (h *hostTiming) settleRetry(icmp bool) {
	if h.reserved > 0 {
		h.reserved--
	}
	if icmp {
		h.refill()
		h.tokens--
	}
}

// spendToken accounts for an ICMP error the host sent unasked-for by
// Retry. More errors than the model's budget means the host is not
// limited like that.
func (h *hostTiming) spendToken() { // mu held
	h.refill()
	h.tokens--
	if h.tokens < -1 {
		h.unmodeled, h.limited = true, false
	}
}

func (h *hostTiming) refill() { // mu held
	now := h.scan.now()
	if !h.refilled.IsZero() {
		h.tokens = math.Min(float64(h.scan.burst()), h.tokens+now.Sub(h.refilled).Seconds()*h.scan.rate())
	}
	h.refilled = now
}

// limit is how many probes congestion control lets run at once; 0 means
// no limit.
func (h *hostTiming) limit() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cwnd == 0 {
		return 0
	}
	return int(h.cwnd)
}

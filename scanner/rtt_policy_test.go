package scanner

import (
	"net/netip"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
)

// testPaths is a routing table in miniature: 198.18.1.0/24 on the link,
// 198.18.2.0/24 and 198.18.3.0/24 behind the router 198.18.1.1, anything
// else unknown.
func testPaths(a netip.Addr) string {
	for _, r := range []struct{ prefix, key string }{
		{"198.18.1.0/24", "link eth0 198.18.1.0/24"},
		{"198.18.2.0/24", "via 198.18.1.1 198.18.2.0/24"},
		{"198.18.3.0/24", "via 198.18.1.1 198.18.3.0/24"},
	} {
		if netip.MustParsePrefix(r.prefix).Contains(a) {
			return r.key
		}
	}
	return ""
}

// testAdjacent: 198.18.1.0/24 is on an Ethernet link; 198.18.5.0/24 is
// "on-link" through a tunnel (no ARP), which says nothing of distance.
func testAdjacent(a netip.Addr) bool { return netip.MustParsePrefix("198.18.1.0/24").Contains(a) }

// answer is one answer some host of the scan got before the wait asked.
type answer struct {
	host    string
	attempt int
	rtt     time.Duration
	from    probes.Answerer
}

// The timing policy of issue 15: an unmeasured host waits the initial
// second, other hosts' measurements shorten it only with evidence of a
// shared path, a router's ICMP error is no evidence, and retries back off
// (RFC 6298 5.5) up to --timeout.
func TestTimingPolicy(t *testing.T) {
	const (
		lan1, lan2 = "198.18.1.10", "198.18.1.20"
		far1, far2 = "198.18.2.10", "198.18.2.11"
		sat        = "198.18.3.10"
		tunnel     = "198.18.5.10"
		elsewhere  = "198.19.9.9" // a path the table does not know
	)
	lanAnswers := []answer{{lan1, 1, 300 * time.Microsecond, probes.FromHost}, {lan1, 1, 200 * time.Microsecond, probes.FromHostICMP}}
	tests := []struct {
		name    string
		before  []answer
		host    string
		attempt int
		fixed   time.Duration
		want    time.Duration
	}{
		{"unmeasured host, nothing measured", nil, far1, 1, 2 * time.Second, time.Second},
		{"unmeasured host, --timeout below the initial second", nil, far1, 1, 300 * time.Millisecond, 300 * time.Millisecond},
		{"unmeasured host, first retry doubles", nil, far1, 2, 2 * time.Second, 2 * time.Second},
		{"unmeasured host, backoff under a long --timeout", nil, far1, 3, 10 * time.Second, 4 * time.Second},
		{"unmeasured host, backoff capped at --timeout", nil, far1, 3, 2 * time.Second, 2 * time.Second},
		{"on the local link, nothing measured: the link's initial", nil, lan1, 1, 2 * time.Second, 250 * time.Millisecond},
		{"on the local link, retry doubles", nil, lan1, 2, 2 * time.Second, 500 * time.Millisecond},
		{"on-link through a tunnel is not adjacent", nil, tunnel, 1, 2 * time.Second, time.Second},
		{"same on-link prefix: the neighbour's timing, at the floor", lanAnswers, lan2, 1, 2 * time.Second, 100 * time.Millisecond},
		{"same on-link prefix, retry doubles the floor", lanAnswers, lan2, 2, 2 * time.Second, 200 * time.Millisecond},
		{"LAN answers say nothing across the router", lanAnswers, far1, 1, 2 * time.Second, time.Second},
		{"LAN answers say nothing about an unknown path", lanAnswers, elsewhere, 1, 2 * time.Second, time.Second},
		{"a router's ICMP error about the host is no measurement",
			[]answer{{far1, 1, time.Millisecond, probes.FromRouter}}, far1, 1, 2 * time.Second, time.Second},
		{"a router's ICMP error about one far host is none of its neighbour's",
			[]answer{{far1, 1, time.Millisecond, probes.FromRouter}}, far2, 1, 2 * time.Second, time.Second},
		// RFC 6298 2.2: one 150ms sample is SRTT 150ms, RTTVAR 75ms, RTO 450ms.
		{"the host's own reset", []answer{{far1, 1, 150 * time.Millisecond, probes.FromHost}}, far1, 1, 2 * time.Second, 450 * time.Millisecond},
		{"the host's own port-unreachable", []answer{{far1, 1, 150 * time.Millisecond, probes.FromHostICMP}}, far1, 1, 2 * time.Second, 450 * time.Millisecond},
		{"measured host, retry doubles", []answer{{far1, 1, 150 * time.Millisecond, probes.FromHost}}, far1, 2, 2 * time.Second, 900 * time.Millisecond},
		{"measured host, third attempt capped at --timeout", []answer{{far1, 1, 150 * time.Millisecond, probes.FromHost}}, far1, 4, 2 * time.Second, 2 * time.Second},
		{"same far prefix and next hop: the neighbour's timing",
			[]answer{{far1, 1, 150 * time.Millisecond, probes.FromHost}}, far2, 1, 2 * time.Second, 450 * time.Millisecond},
		{"another far prefix behind the same router is another path",
			[]answer{{far1, 1, 150 * time.Millisecond, probes.FromHost}}, sat, 1, 2 * time.Second, time.Second},
		{"an answer to a retry is no sample (Karn)",
			[]answer{{far1, 2, 150 * time.Millisecond, probes.FromHost}}, far2, 1, 2 * time.Second, time.Second},
		{"issue 14.4: 100ms --timeout, twelfth attempt", nil, far1, 12, 100 * time.Millisecond, 100 * time.Millisecond},
		{"issue 14.4: attempt far past any cap", nil, far1, 1_000_000, 100 * time.Millisecond, 100 * time.Millisecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			scan, _ := newTestTiming(Timing{Path: testPaths, Adjacent: testAdjacent})
			hosts := map[string]*hostTiming{}
			host := func(a string) *hostTiming {
				if hosts[a] == nil {
					hosts[a] = newHostTiming(scan, netip.MustParseAddr(a), 21)
				}
				return hosts[a]
			}
			for _, a := range tc.before {
				host(a.host).Answered(a.attempt, a.rtt, a.from)
			}
			if got := host(tc.host).Timeout(tc.attempt, tc.fixed); got != tc.want {
				t.Errorf("Timeout(%d, %v) of %s = %v, want %v", tc.attempt, tc.fixed, tc.host, got, tc.want)
			}
			// What a probe waits is never more than --timeout, whatever
			// the policy says.
			tg := probes.Target{Addr: netip.MustParseAddr(tc.host), Timing: host(tc.host)}
			if got := probes.AttemptTimeout(tg, tc.attempt, tc.fixed); got > tc.fixed {
				t.Errorf("AttemptTimeout %v over --timeout %v", got, tc.fixed)
			}
		})
	}
}

// Without a Path function no host shares anything: the scan-wide timing
// of the old policy (a LAN neighbour shortening a far host's wait) is gone.
func TestTimingWithoutPathsSharesNothing(t *testing.T) {
	scan, _ := newTestTiming(Timing{})
	lan := newHostTiming(scan, netip.MustParseAddr("198.18.1.10"), 10)
	far := newHostTiming(scan, netip.MustParseAddr("198.18.2.10"), 10)
	lan.Answered(1, 200*time.Microsecond, probes.FromHost)
	if got := far.Timeout(1, 2*time.Second); got != time.Second {
		t.Errorf("far host after a LAN answer: %v, want the initial 1s", got)
	}
}

// A router's ICMP error does not make the host alive: a third attempt to
// a host that only routers spoke for is skipped like one to a silent host,
// and its ICMP budget is untouched.
func TestRouterICMPProvesNoLiveness(t *testing.T) {
	scan, _ := newTestTiming(Timing{Path: testPaths})
	h := newHostTiming(scan, netip.MustParseAddr("198.18.2.10"), 10)
	for range 10 {
		h.Answered(1, time.Millisecond, probes.FromRouter)
	}
	if _, ok := h.reserveRetry(3); ok {
		t.Error("third attempt allowed to a host only a router answered for")
	}
	if h.answers != 0 || h.icmp != 0 || h.tokens != float64(defaultICMPBurst) {
		t.Errorf("router errors counted as the host's: answers %d icmp %d tokens %v", h.answers, h.icmp, h.tokens)
	}
}

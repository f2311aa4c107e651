package ntp

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/probetest"
)

// TestLiveNTP asks the NTP server named by WINREACH_LIVE_NTP (host:port,
// e.g. a Windows DC's W32Time on 123) and logs the exchange in hex and
// the measured offset: how testdata captures are taken. Skipped without
// the variable.
func TestLiveNTP(t *testing.T) {
	addr := netip.MustParseAddrPort(probetest.LiveAddr(t, "WINREACH_LIVE_NTP"))
	c := probetest.DialLive(t, "udp", addr.String(), 5*time.Second)
	probetest.LiveExchange(t, c, Query{}.Request(probes.Target{}, 0), 2048)
	probetest.LiveProbe(t, probes.UDP{Dialer: &net.Dialer{}, Timeout: 2 * time.Second, Retries: 1, Exchange: Query{}}, probetest.Target(addr))
	m, err := Clock{Timeout: 5 * time.Second}.Measure(t.Context(), addr)
	t.Logf("offset %v delay %v (%v)", m.Offset, m.Delay, err)
}

package sqlbrowser

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/probetest"
)

// TestLiveBrowser asks the SQL Server Browser named by
// WINREACH_LIVE_SQLBROWSER (host:1434) for its instances and logs the
// answer in hex. Skipped without the variable.
func TestLiveBrowser(t *testing.T) {
	addr := probetest.LiveAddr(t, "WINREACH_LIVE_SQLBROWSER")
	c := probetest.DialLive(t, "udp", addr, 5*time.Second)
	probetest.LiveExchange(t, c, AppendRequest(nil), 65535)
	probetest.LiveProbe(t, probes.UDP{Dialer: &net.Dialer{}, Timeout: 2 * time.Second, Retries: 1, Exchange: Query{}},
		probetest.Target(netip.MustParseAddrPort(addr)))
}

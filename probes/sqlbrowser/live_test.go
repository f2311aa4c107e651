package sqlbrowser

import (
	"encoding/json"
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
	c.Write(AppendRequest(nil))
	buf := make([]byte, 65535)
	n, err := c.Read(buf)
	t.Logf("answer %x (%v)", buf[:n], err)
	r := probes.UDP{Dialer: &net.Dialer{}, Timeout: 2 * time.Second, Retries: 1, Exchange: Query{}}.Probe(t.Context(), probetest.Target(netip.MustParseAddrPort(addr)))
	j, _ := json.Marshal(r)
	t.Logf("probe: %s", j)
}

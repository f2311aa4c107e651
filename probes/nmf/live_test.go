package nmf

import (
	"net"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/probetest"
)

// TestLiveADWS sends the preamble to the AD Web Services named by
// WINREACH_LIVE_ADWS (host:9389; WINREACH_LIVE_ADWS_NAME the DC's DNS
// name for the Via) and logs the answer in hex. Skipped without the
// variable.
func TestLiveADWS(t *testing.T) {
	addr := probetest.LiveAddr(t, "WINREACH_LIVE_ADWS")
	target := probetest.Target(netip.MustParseAddrPort(addr))
	target.Name = os.Getenv("WINREACH_LIVE_ADWS_NAME")
	c := probetest.DialLive(t, "tcp", addr, 5*time.Second)
	probetest.LiveExchange(t, c, AppendPreamble(nil, Preamble{}.Via(target)), 4096)
	probetest.LiveProbe(t, probes.TCP{Dialer: &net.Dialer{}, Timeout: 5 * time.Second, Talk: Preamble{}}, target)
}

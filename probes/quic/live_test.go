package quic

import (
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/winreach/winreach/probes/probetest"
)

// TestLiveQUIC probes the QUIC listener named by WINREACH_LIVE_QUIC
// (host:443; WINREACH_LIVE_QUIC_NAME the server's name for SNI) and logs
// the result. Skipped without the variable.
func TestLiveQUIC(t *testing.T) {
	target := probetest.Target(netip.MustParseAddrPort(probetest.LiveAddr(t, "WINREACH_LIVE_QUIC")))
	target.Name = os.Getenv("WINREACH_LIVE_QUIC_NAME")
	probetest.LiveProbe(t, Probe{Timeout: 2 * time.Second, Retries: 1}, target)
}

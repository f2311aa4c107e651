package rdpudp

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/probetest"
)

// TestLiveRDPUDP sends a SYN to the Remote Desktop server named by
// WINREACH_LIVE_RDPUDP (host:3389) and logs the SYN+ACK in hex. Skipped
// without the variable.
func TestLiveRDPUDP(t *testing.T) {
	addr := probetest.LiveAddr(t, "WINREACH_LIVE_RDPUDP")
	c := probetest.DialLive(t, "udp", addr, 5*time.Second)
	probetest.LiveExchange(t, c, SYN{}.Request(probes.Target{}, 0), 2048)
	probetest.LiveProbe(t, probes.UDP{Dialer: &net.Dialer{}, Timeout: 2 * time.Second, Retries: 1, Exchange: SYN{}},
		probetest.Target(netip.MustParseAddrPort(addr)))
}

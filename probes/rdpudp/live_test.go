package rdpudp

import (
	"encoding/json"
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
	req := SYN{}.Request(probes.Target{}, 0)
	c.Write(req)
	buf := make([]byte, 2048)
	n, err := c.Read(buf)
	t.Logf("SYN %x\nanswer %x (%v)", req[:24], buf[:n], err)
	r := probes.UDP{Dialer: &net.Dialer{}, Timeout: 2 * time.Second, Retries: 1, Exchange: SYN{}}.Probe(t.Context(), probetest.Target(netip.MustParseAddrPort(addr)))
	j, _ := json.Marshal(r)
	t.Logf("probe: %s", j)
}

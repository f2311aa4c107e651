package nmf

import (
	"encoding/json"
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
	c.Write(AppendPreamble(nil, Preamble{}.Via(target)))
	buf := make([]byte, 4096)
	n, err := c.Read(buf)
	t.Logf("answer %x (%v)", buf[:n], err)
	r := probes.TCP{Dialer: &net.Dialer{}, Timeout: 5 * time.Second, Talk: Preamble{}}.Probe(t.Context(), target)
	j, _ := json.Marshal(r)
	t.Logf("probe: %s", j)
}

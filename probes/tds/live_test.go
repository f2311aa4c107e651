package tds

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/probetest"
)

// TestLiveTDS sends the PRELOGIN to the SQL Server named by
// WINREACH_LIVE_TDS (host:port) and logs the answer in hex: how a real
// capture would replace the fixtures written from [MS-TDS]. Skipped
// without the variable.
func TestLiveTDS(t *testing.T) {
	addr := probetest.LiveAddr(t, "WINREACH_LIVE_TDS")
	c := probetest.DialLive(t, "tcp", addr, 5*time.Second)
	c.Write(PreloginProbe{}.Request())
	pkt, err := ReadPacket(c, TypeTabularResult)
	t.Logf("answer %x (%v)", pkt, err)
	probetest.LiveProbe(t, probes.TCP{Dialer: &net.Dialer{}, Timeout: 5 * time.Second, Talk: PreloginProbe{}},
		probetest.Target(netip.MustParseAddrPort(addr)))
}

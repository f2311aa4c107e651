package icmperr

import (
	"net"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
)

// A socket the probe opened itself (the DHCP probe's, bound to port 68)
// learns the ICMP message behind its error once EnableUDP is on: a real
// ICMP 3/3 from loopback, no root needed.
func TestEnrichUDPNamesThePortUnreachable(t *testing.T) {
	closed, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	raddr := closed.LocalAddr().(*net.UDPAddr)
	closed.Close()
	c, err := net.DialUDP("udp4", nil, raddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := EnableUDP(c); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write([]byte("probe")); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, rerr := c.Read(make([]byte, 16))
	if rerr == nil {
		t.Fatal("read succeeded on a closed port")
	}
	st, reason, icmp := probes.ClassifyDetail("udp", EnrichUDP(c, rerr))
	if st != probes.Closed || reason != probes.ReasonPortUnreachable || icmp == nil ||
		icmp.Type != 3 || icmp.Code != 3 || icmp.From.String() != "127.0.0.1" {
		t.Errorf("%v %v %+v, want closed port-unreachable with ICMP 3/3 from 127.0.0.1", st, reason, icmp)
	}
}

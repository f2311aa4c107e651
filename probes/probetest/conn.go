package probetest

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
)

// Target is the probe target for a loopback server's address.
func Target(addr netip.AddrPort) probes.Target {
	return probes.Target{Addr: addr.Addr(), Port: addr.Port()}
}

// Dribble writes b to c one byte at a time, pausing every after each byte,
// and stops at the first failed write: a peer far slower than any probe
// timeout, speaking the real bytes.
func Dribble(c net.Conn, b []byte, every time.Duration) {
	for _, x := range b {
		if _, err := c.Write([]byte{x}); err != nil {
			return
		}
		time.Sleep(every)
	}
}

// Flood writes chunk to c up to n times, stopping at the first failed
// write: more than any bounded reader takes.
func Flood(c net.Conn, chunk []byte, n int) {
	for range n {
		if _, err := c.Write(chunk); err != nil {
			return
		}
	}
}

// FreeUDPPort returns a UDP port on 127.0.0.1 that was free a moment ago
// and is closed now: datagrams sent there draw an ICMP port unreachable.
func FreeUDPPort(t testing.TB) uint16 {
	t.Helper()
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("probetest: listen udp: %v", err)
	}
	defer pc.Close()
	return uint16(pc.LocalAddr().(*net.UDPAddr).Port)
}

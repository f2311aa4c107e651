package kerberos

import (
	"encoding/hex"
	"encoding/json"
	"net"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/probetest"
)

// TestLiveKDC asks the KDC named by WINREACH_LIVE_KDC (host:port) over UDP
// and TCP, for the realm in WINREACH_LIVE_REALM and for the default
// realm, and logs the replies in hex; it is how the testdata captures
// were taken. Skipped without the variable.
func TestLiveKDC(t *testing.T) {
	addr := probetest.LiveAddr(t, "WINREACH_LIVE_KDC")
	target := probetest.Target(netip.MustParseAddrPort(addr))
	realm := os.Getenv("WINREACH_LIVE_REALM")
	for _, a := range []ASRequest{{Realm: realm}, {}, {Realm: realm, Client: "Administrator"}} {
		// Raw exchanges, for the captures.
		req := a.message(0x12345678)
		t.Logf("realm %q request %x", a.realm(), req)
		if c, err := net.DialTimeout("udp", addr, 5*time.Second); err == nil {
			c.SetDeadline(time.Now().Add(5 * time.Second))
			c.Write(req)
			buf := make([]byte, 65535)
			n, err := c.Read(buf)
			t.Logf("udp reply %s (%v)", hex.EncodeToString(buf[:n]), err)
			c.Close()
		}
		if c, err := net.DialTimeout("tcp", addr, 5*time.Second); err == nil {
			c.SetDeadline(time.Now().Add(5 * time.Second))
			c.Write(AppendRecord(nil, req))
			buf := make([]byte, 65535)
			n, err := c.Read(buf)
			t.Logf("tcp reply %s (%v)", hex.EncodeToString(buf[:n]), err)
			c.Close()
		}
		// Through the shared probes.
		u := probes.UDP{Dialer: &net.Dialer{}, Timeout: 2 * time.Second, Retries: 1, Exchange: a}.Probe(t.Context(), target)
		j, _ := json.Marshal(u)
		t.Logf("UDP probe: %s", j)
		c := probes.TCP{Dialer: &net.Dialer{}, Timeout: 2 * time.Second, Talk: a}.Probe(t.Context(), target)
		j, _ = json.Marshal(c)
		t.Logf("TCP probe: %s", j)
		if u.State != probes.Confirmed || c.State != probes.Confirmed {
			t.Errorf("udp %v, tcp %v", u, c)
		}
	}
}

// TestLiveNmapProbe sends nmap's own AS-REQ bytes, to compare answers.
func TestLiveNmapProbe(t *testing.T) {
	addr := probetest.LiveAddr(t, "WINREACH_LIVE_KDC")
	c := probetest.DialLive(t, "udp", addr, 5*time.Second)
	c.Write(probetest.Hex(t, nmapProbe))
	buf := make([]byte, 65535)
	n, err := c.Read(buf)
	t.Logf("udp reply %s (%v)", hex.EncodeToString(buf[:n]), err)
	r, err := ParseReply(buf[:n])
	t.Logf("%+v %v", r, err)
}

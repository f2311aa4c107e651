package probetest

import (
	"encoding/json"
	"net"
	"os"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
)

// LiveAddr returns the host:port of a real server named by the environment
// variable env, and skips the test when env is unset: live tests are how
// testdata captures are taken, not part of the ordinary run.
func LiveAddr(t testing.TB, env string) string {
	t.Helper()
	addr := os.Getenv(env)
	if addr == "" {
		t.Skip(env + " not set")
	}
	return addr
}

// DialLive dials addr over network within 5 seconds, failing the test if
// it cannot, gives the connection a deadline within from now and closes it
// at cleanup.
func DialLive(t testing.TB, network, addr string, within time.Duration) net.Conn {
	t.Helper()
	c, err := net.DialTimeout(network, addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(within))
	return c
}

// LiveExchange writes req on c, reads one answer of at most max bytes
// and logs both in hex: the bytes a capture is made of.
func LiveExchange(t testing.TB, c net.Conn, req []byte, max int) []byte {
	t.Helper()
	if _, err := c.Write(req); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, max)
	n, err := c.Read(buf)
	t.Logf("request %x\nanswer %x (%v)", req, buf[:n], err)
	return buf[:n]
}

// LiveProbe runs p against target, as a scan would, and logs its result
// as JSON.
func LiveProbe(t testing.TB, p probes.Prober, target probes.Target) probes.Result {
	t.Helper()
	r := p.Probe(t.Context(), target)
	j, _ := json.Marshal(r)
	t.Logf("probe: %s", j)
	return r
}

package probetest

import (
	"net"
	"os"
	"testing"
	"time"
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

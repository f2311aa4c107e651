package probetest

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
)

// ProbeTCP runs talk through probes.TCP against addr, one attempt with the
// given timeout, and returns the result.
func ProbeTCP(t testing.TB, talk probes.Conversation, addr netip.AddrPort, timeout time.Duration) probes.Result {
	t.Helper()
	p := probes.TCP{Dialer: &net.Dialer{}, Timeout: timeout, Talk: talk}
	return p.Probe(t.Context(), probes.Target{Addr: addr.Addr(), Port: addr.Port()})
}

// ProbeUDP runs exchange through probes.UDP against addr with the given
// timeout and retries, and returns the result.
func ProbeUDP(t testing.TB, exchange probes.Datagram, addr netip.AddrPort, timeout time.Duration, retries int) probes.Result {
	t.Helper()
	p := probes.UDP{Dialer: &net.Dialer{}, Timeout: timeout, Retries: retries, Exchange: exchange}
	return p.Probe(t.Context(), probes.Target{Addr: addr.Addr(), Port: addr.Port()})
}

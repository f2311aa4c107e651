package iso

import (
	"io"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/probetest"
)

// readCR consumes the probe's request.
func readCR(c net.Conn) {
	_, _ = ReadTPKT(c, maxReply)
}

func probe(t *testing.T, addr netip.AddrPort) probes.Result {
	return probetest.ProbeTCP(t, ConnectRequest{}, addr, 2*time.Second)
}

func TestConverseLoopback(t *testing.T) {
	cc := probetest.ReadHex(t, "testdata/cc-labd.hex")
	for _, tc := range []struct {
		name    string
		handler func(net.Conn)
		state   probes.State
		reason  probes.Reason
	}{
		{"cc", func(c net.Conn) { readCR(c); c.Write(cc) }, probes.Confirmed, probes.ReasonReply},
		{"dr", func(c net.Conn) { readCR(c); c.Write(probetest.Hex(t, "03 00 00 0b 06 80 00 01 00 00 80")) }, probes.Confirmed, probes.ReasonReply},
		{"http", func(c net.Conn) { readCR(c); c.Write([]byte("HTTP/1.0 400 Bad Request\r\n\r\n")) }, probes.Open, probes.ReasonUnexpectedReply},
		{"huge length", func(c net.Conn) { readCR(c); c.Write(probetest.Hex(t, "03 00 ff ff")) }, probes.Open, probes.ReasonUnexpectedReply},
		{"endless", func(c net.Conn) {
			readCR(c)
			probetest.Flood(c, make([]byte, 4096), 10000)
		}, probes.Open, probes.ReasonUnexpectedReply},
		{"slow", func(c net.Conn) {
			readCR(c)
			probetest.Dribble(c, cc, time.Second)
		}, probes.Open, probes.ReasonSynAck},
		{"close", func(c net.Conn) {}, probes.Open, probes.ReasonClosedEarly},
		{"silent", func(c net.Conn) { readCR(c); io.Copy(io.Discard, c) }, probes.Open, probes.ReasonSynAck},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := probe(t, probetest.Serve(t, tc.handler))
			if r.State != tc.state || r.Reason != tc.reason {
				t.Fatalf("got %v (note %q), want %v %v", r, r.Note, tc.state, tc.reason)
			}
		})
	}
}

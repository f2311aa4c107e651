package pptp

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/probetest"
)

func TestConverseLoopback(t *testing.T) {
	reply := probetest.ReadHex(t, "testdata/sccrp-pptpd.hex")
	readRequest := func(c net.Conn) bool {
		_, err := io.ReadFull(c, make([]byte, StartLength))
		return err == nil
	}
	for _, tc := range []struct {
		name    string
		handler func(net.Conn)
		state   probes.State
		reason  probes.Reason
	}{
		{"pptpd", func(c net.Conn) {
			if readRequest(c) {
				c.Write(reply)
				io.ReadFull(c, make([]byte, StopRequestLength))
			}
		}, probes.Confirmed, probes.ReasonReply},
		{"echo", func(c net.Conn) { io.CopyN(c, c, StartLength) }, probes.Open, probes.ReasonUnexpectedReply},
		{"banner", func(c net.Conn) { c.Write([]byte("220 ftp ready\r\n")); io.Copy(io.Discard, c) }, probes.Open, probes.ReasonUnexpectedReply},
		{"endless", func(c net.Conn) {
			probetest.Flood(c, make([]byte, 4096), 10000)
		}, probes.Open, probes.ReasonUnexpectedReply},
		{"slow", func(c net.Conn) {
			readRequest(c)
			probetest.Dribble(c, reply, time.Second)
		}, probes.Open, probes.ReasonSynAck},
		{"truncated", func(c net.Conn) { readRequest(c); c.Write(reply[:40]) }, probes.Open, probes.ReasonClosedEarly},
		{"close", func(c net.Conn) {}, probes.Open, probes.ReasonClosedEarly},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := probetest.ProbeTCP(t, StartControl{}, probetest.Serve(t, tc.handler), 2*time.Second)
			if r.State != tc.state || r.Reason != tc.reason {
				t.Fatalf("got %v (note %q), want %v %v", r, r.Note, tc.state, tc.reason)
			}
		})
	}
}

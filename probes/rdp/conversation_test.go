package rdp

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/iso"
	"github.com/winreach/winreach/probes/probetest"
)

func TestConverseLoopback(t *testing.T) {
	rsp := probetest.ReadHex(t, "testdata/cc-neg-rsp-xrdp.hex")
	legacy := probetest.ReadHex(t, "testdata/cc-legacy-xrdp.hex")
	answer := func(b []byte) func(net.Conn) {
		return func(c net.Conn) {
			if _, err := iso.ReadTPKT(c, 512); err == nil {
				c.Write(b)
			}
		}
	}
	for _, tc := range []struct {
		name    string
		talk    probes.Conversation
		handler func(net.Conn)
		state   probes.State
		reason  probes.Reason
		summary string
	}{
		{"rsp", Negotiate{}, answer(rsp), probes.Confirmed, probes.ReasonReply, "RDP selected TLS"},
		{"legacy server", Negotiate{}, answer(legacy), probes.Confirmed, probes.ReasonReply, "RDP without negotiation (pre-RDP 5.2 server, standard security)"},
		{"1503 cc", LegacyCR{}, answer(legacy), probes.Confirmed, probes.ReasonReply, "X.224 CC class 0"},
		{"dr", Negotiate{}, answer(probetest.Hex(t, "03 00 00 0b 06 80 00 00 00 00 80")), probes.Confirmed, probes.ReasonReply, "ISO transport DR: normal disconnect"},
		{"ssh banner", Negotiate{}, answer([]byte("SSH-2.0-OpenSSH_9.2\r\n")), probes.Open, probes.ReasonUnexpectedReply, ""},
		{"echo", Negotiate{}, func(c net.Conn) { io.CopyN(c, c, 19) }, probes.Open, probes.ReasonUnexpectedReply, ""},
		{"endless", LegacyCR{}, func(c net.Conn) {
			probetest.Flood(c, bytes.Repeat([]byte{3}, 4096), 10000)
		}, probes.Open, probes.ReasonUnexpectedReply, ""},
		{"slow", Negotiate{}, func(c net.Conn) {
			probetest.Dribble(c, rsp, time.Second)
		}, probes.Open, probes.ReasonSynAck, ""},
		{"close", Negotiate{}, func(c net.Conn) {}, probes.Open, probes.ReasonClosedEarly, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := probetest.ProbeTCP(t, tc.talk, probetest.Serve(t, tc.handler), 2*time.Second)
			if r.State != tc.state || r.Reason != tc.reason {
				t.Fatalf("got %v (note %q), want %v %v", r, r.Note, tc.state, tc.reason)
			}
			if tc.summary != "" && r.Service.Summary != tc.summary {
				t.Fatalf("summary %q", r.Service.Summary)
			}
		})
	}
}

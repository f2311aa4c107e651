package ica

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/probetest"
)

func TestParseGreeting(t *testing.T) {
	// nmap-service-probes, NULL probe: match citrix-ica m|^\x7f\x7fICA\0\x7f\x7fICA\0|
	g, err := ParseGreeting(probetest.ReadHex(t, "testdata/greeting-nmap.hex"))
	if err != nil || g.Repeats != 2 {
		t.Fatalf("%+v %v", g, err)
	}
	if g, err := ParseGreeting([]byte("\x7f\x7fICA\x00\x7f\x7f")); err != nil || g.Repeats != 1 {
		t.Fatalf("partial repeat: %+v %v", g, err)
	}
	for _, bad := range []string{"", "\x7f\x7fICA", "\x7f\x7fica\x00", "SSH-2.0-x\r\n"} {
		if _, err := ParseGreeting([]byte(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func FuzzParseGreeting(f *testing.F) {
	f.Add(probetest.ReadHex(f, "testdata/greeting-nmap.hex"))
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = ParseGreeting(b) })
}

func TestConverseLoopback(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler func(net.Conn)
		state   probes.State
		reason  probes.Reason
	}{
		{"greets", func(c net.Conn) {
			for range 3 {
				if _, err := io.WriteString(c, Magic); err != nil {
					return
				}
				time.Sleep(100 * time.Millisecond)
			}
		}, probes.Confirmed, probes.ReasonReply},
		{"byte at a time", func(c net.Conn) {
			probetest.Dribble(c, []byte(Magic), 10*time.Millisecond)
		}, probes.Confirmed, probes.ReasonReply},
		{"ssh", func(c net.Conn) { c.Write([]byte("SSH-2.0-OpenSSH_9.2\r\n")) }, probes.Open, probes.ReasonUnexpectedReply},
		{"endless", func(c net.Conn) {
			probetest.Flood(c, make([]byte, 4096), 10000)
		}, probes.Open, probes.ReasonUnexpectedReply},
		{"slow", func(c net.Conn) {
			probetest.Dribble(c, []byte(Magic), time.Second)
		}, probes.Open, probes.ReasonSynAck},
		{"silent", func(c net.Conn) { io.Copy(io.Discard, c) }, probes.Open, probes.ReasonSynAck},
		{"close", func(c net.Conn) {}, probes.Open, probes.ReasonClosedEarly},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := probetest.ProbeTCP(t, Greeting{}, probetest.Serve(t, tc.handler), 2*time.Second)
			if r.State != tc.state || r.Reason != tc.reason {
				t.Fatalf("got %v (note %q), want %v %v", r, r.Note, tc.state, tc.reason)
			}
		})
	}
}

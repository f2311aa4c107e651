package rdp

import (
	"io"
	"net"
	"net/netip"
	"testing"
	"time"

	"winreach/probes"
	"winreach/probes/iso"
)

// serve runs handler for each connection on a loopback listener.
func serve(t *testing.T, handler func(net.Conn)) probes.Target {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(20 * time.Second))
				handler(c)
			}()
		}
	}()
	ap := netip.MustParseAddrPort(ln.Addr().String())
	return probes.Target{Addr: ap.Addr(), Port: ap.Port()}
}

func TestConverseLoopback(t *testing.T) {
	rsp := readHexFile(t, "testdata/cc-neg-rsp-xrdp.hex")
	legacy := readHexFile(t, "testdata/cc-legacy-xrdp.hex")
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
		{"dr", Negotiate{}, answer(unhex(t, "03 00 00 0b 06 80 00 00 00 00 80")), probes.Confirmed, probes.ReasonReply, "ISO transport DR: normal disconnect"},
		{"ssh banner", Negotiate{}, answer([]byte("SSH-2.0-OpenSSH_9.2\r\n")), probes.Open, probes.ReasonUnexpectedReply, ""},
		{"echo", Negotiate{}, func(c net.Conn) { io.CopyN(c, c, 19) }, probes.Open, probes.ReasonUnexpectedReply, ""},
		{"endless", LegacyCR{}, func(c net.Conn) {
			buf := make([]byte, 4096)
			for i := range buf {
				buf[i] = 3
			}
			for range 10000 {
				if _, err := c.Write(buf); err != nil {
					return
				}
			}
		}, probes.Open, probes.ReasonUnexpectedReply, ""},
		{"slow", Negotiate{}, func(c net.Conn) {
			for _, b := range rsp {
				if _, err := c.Write([]byte{b}); err != nil {
					return
				}
				time.Sleep(time.Second)
			}
		}, probes.Open, probes.ReasonSynAck, ""},
		{"close", Negotiate{}, func(c net.Conn) {}, probes.Open, probes.ReasonClosedEarly, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := probes.TCP{Dialer: &net.Dialer{}, Timeout: 2 * time.Second, Talk: tc.talk}
			r := p.Probe(t.Context(), serve(t, tc.handler))
			if r.State != tc.state || r.Reason != tc.reason {
				t.Fatalf("got %v (note %q), want %v %v", r, r.Note, tc.state, tc.reason)
			}
			if tc.summary != "" && r.Service.Summary != tc.summary {
				t.Fatalf("summary %q", r.Service.Summary)
			}
		})
	}
}

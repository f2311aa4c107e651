package pptp

import (
	"io"
	"net"
	"net/netip"
	"testing"
	"time"

	"winreach/probes"
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
	reply := readHexFile(t, "testdata/sccrp-pptpd.hex")
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
			buf := make([]byte, 4096)
			for range 10000 {
				if _, err := c.Write(buf); err != nil {
					return
				}
			}
		}, probes.Open, probes.ReasonUnexpectedReply},
		{"slow", func(c net.Conn) {
			readRequest(c)
			for _, b := range reply {
				if _, err := c.Write([]byte{b}); err != nil {
					return
				}
				time.Sleep(time.Second)
			}
		}, probes.Open, probes.ReasonSynAck},
		{"truncated", func(c net.Conn) { readRequest(c); c.Write(reply[:40]) }, probes.Open, probes.ReasonClosedEarly},
		{"close", func(c net.Conn) {}, probes.Open, probes.ReasonClosedEarly},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := probes.TCP{Dialer: &net.Dialer{}, Timeout: 2 * time.Second, Talk: StartControl{}}
			r := p.Probe(t.Context(), serve(t, tc.handler))
			if r.State != tc.state || r.Reason != tc.reason {
				t.Fatalf("got %v (note %q), want %v %v", r, r.Note, tc.state, tc.reason)
			}
		})
	}
}

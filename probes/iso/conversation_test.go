package iso

import (
	"io"
	"net"
	"net/netip"
	"testing"
	"time"

	"winreach/probes"
)

// serve runs handler for each connection on a loopback listener and
// returns the target to probe.
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

// readCR consumes the probe's request.
func readCR(c net.Conn) {
	_, _ = ReadTPKT(c, maxReply)
}

func probe(t *testing.T, target probes.Target) probes.Result {
	p := probes.TCP{Dialer: &net.Dialer{}, Timeout: 2 * time.Second, Talk: ConnectRequest{}}
	return p.Probe(t.Context(), target)
}

func TestConverseLoopback(t *testing.T) {
	cc := readHexFile(t, "testdata/cc-labd.hex")
	for _, tc := range []struct {
		name    string
		handler func(net.Conn)
		state   probes.State
		reason  probes.Reason
	}{
		{"cc", func(c net.Conn) { readCR(c); c.Write(cc) }, probes.Confirmed, probes.ReasonReply},
		{"dr", func(c net.Conn) { readCR(c); c.Write(unhex(t, "03 00 00 0b 06 80 00 01 00 00 80")) }, probes.Confirmed, probes.ReasonReply},
		{"http", func(c net.Conn) { readCR(c); c.Write([]byte("HTTP/1.0 400 Bad Request\r\n\r\n")) }, probes.Open, probes.ReasonUnexpectedReply},
		{"huge length", func(c net.Conn) { readCR(c); c.Write(unhex(t, "03 00 ff ff")) }, probes.Open, probes.ReasonUnexpectedReply},
		{"endless", func(c net.Conn) {
			readCR(c)
			buf := make([]byte, 4096)
			for range 10000 {
				if _, err := c.Write(buf); err != nil {
					return
				}
			}
		}, probes.Open, probes.ReasonUnexpectedReply},
		{"slow", func(c net.Conn) {
			readCR(c)
			for _, b := range cc {
				if _, err := c.Write([]byte{b}); err != nil {
					return
				}
				time.Sleep(time.Second)
			}
		}, probes.Open, probes.ReasonSynAck},
		{"close", func(c net.Conn) {}, probes.Open, probes.ReasonClosedEarly},
		{"silent", func(c net.Conn) { readCR(c); io.Copy(io.Discard, c) }, probes.Open, probes.ReasonSynAck},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := probe(t, serve(t, tc.handler))
			if r.State != tc.state || r.Reason != tc.reason {
				t.Fatalf("got %v (note %q), want %v %v", r, r.Note, tc.state, tc.reason)
			}
		})
	}
}

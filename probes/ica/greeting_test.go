package ica

import (
	"encoding/hex"
	"io"
	"net"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"winreach/probes"
)

// readHexFile reads a testdata file: '#' lines name the source, the rest is hex.
func readHexFile(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	for _, line := range strings.Split(string(raw), "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			sb.WriteString(strings.Join(strings.Fields(line), ""))
		}
	}
	b, err := hex.DecodeString(sb.String())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseGreeting(t *testing.T) {
	// nmap-service-probes, NULL probe: match citrix-ica m|^\x7f\x7fICA\0\x7f\x7fICA\0|
	g, err := ParseGreeting(readHexFile(t, "testdata/greeting-nmap.hex"))
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
	f.Add(readHexFile(f, "testdata/greeting-nmap.hex"))
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = ParseGreeting(b) })
}

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
			for _, b := range []byte(Magic) {
				c.Write([]byte{b})
				time.Sleep(10 * time.Millisecond)
			}
		}, probes.Confirmed, probes.ReasonReply},
		{"ssh", func(c net.Conn) { c.Write([]byte("SSH-2.0-OpenSSH_9.2\r\n")) }, probes.Open, probes.ReasonUnexpectedReply},
		{"endless", func(c net.Conn) {
			buf := make([]byte, 4096)
			for range 10000 {
				if _, err := c.Write(buf); err != nil {
					return
				}
			}
		}, probes.Open, probes.ReasonUnexpectedReply},
		{"slow", func(c net.Conn) {
			for _, b := range []byte(Magic) {
				if _, err := c.Write([]byte{b}); err != nil {
					return
				}
				time.Sleep(time.Second)
			}
		}, probes.Open, probes.ReasonSynAck},
		{"silent", func(c net.Conn) { io.Copy(io.Discard, c) }, probes.Open, probes.ReasonSynAck},
		{"close", func(c net.Conn) {}, probes.Open, probes.ReasonClosedEarly},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := probes.TCP{Dialer: &net.Dialer{}, Timeout: 2 * time.Second, Talk: Greeting{}}
			r := p.Probe(t.Context(), serve(t, tc.handler))
			if r.State != tc.state || r.Reason != tc.reason {
				t.Fatalf("got %v (note %q), want %v %v", r, r.Note, tc.state, tc.reason)
			}
		})
	}
}

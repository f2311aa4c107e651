package tlsprobe

import (
	"net"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/banner"
	"github.com/winreach/winreach/probes/probetest"
)

// tarpitHeader is a TLS handshake record header announcing 16 KiB,
// followed by the ServerHello type byte, and nothing more (issue 14).
const tarpitHeader = "16 03 03 40 00 02"

func TestIsServerHello(t *testing.T) {
	for _, f := range []string{"testdata/serverhello-openssl-tls13.hex", "testdata/serverhello-openssl-tls12.hex"} {
		b := probetest.ReadHex(t, f)
		if !IsServerHello(b) {
			t.Errorf("%s: not a ServerHello", f)
		}
		// Every proper prefix lacks part of the message.
		for n := range len(b) {
			if IsServerHello(b[:n]) {
				t.Errorf("%s: the first %d of %d bytes pass", f, n, len(b))
			}
		}
	}
	for _, bad := range []string{
		tarpitHeader,
		"16 03 03 00 2a 02 00 00 26" + " 03 03" + " 00000000000000000000000000000000 00000000000000000000000000000000" + " 21 00 00 00", // session ID length 33
		"16 03 03 00 2a 01 00 00 26 03 03 00000000000000000000000000000000 00000000000000000000000000000000 00 00 00 00",                // ClientHello type
		"16 03 03 00 10 02 00 00 26 03 03 00000000000000000000000000000000 00000000000000000000000000000000 00 00 00 00",                // record shorter than the message
		"16 03 03 00 2a 02 00 00 26 07 03 00000000000000000000000000000000 00000000000000000000000000000000 00 00 00 00",                // version 7.3
	} {
		if IsServerHello(probetest.Hex(t, bad)) {
			t.Errorf("%s: passes", bad)
		}
	}
	if !IsServerHello(probetest.Hex(t, "16 03 03 00 2a 02 00 00 26 03 03 00000000000000000000000000000000 00000000000000000000000000000000 00 00 00 00")) {
		t.Error("the shortest ServerHello fails")
	}
}

func FuzzIsServerHello(f *testing.F) {
	f.Add(probetest.ReadHex(f, "testdata/serverhello-openssl-tls13.hex"))
	f.Add(probetest.ReadHex(f, "testdata/serverhello-openssl-tls12.hex"))
	f.Add(probetest.Hex(f, tarpitHeader))
	f.Fuzz(func(t *testing.T, b []byte) {
		if IsServerHello(b) && (len(b) < 47 || b[0] != 22 || b[5] != 2) {
			t.Errorf("%x passes", b)
		}
	})
}

// A TLS tarpit, a record header and a stall, is open with its bytes
// quoted, not confirmed (issue 14). Nor is one that drips the header or
// floods handshake-looking bytes with an absurd length. A whole
// ServerHello followed by a close is TLS: confirmed, with the error.
func TestHandshakeHostile(t *testing.T) {
	hello12 := probetest.ReadHex(t, "testdata/serverhello-openssl-tls12.hex")
	afterHello := func(send func(net.Conn)) func(net.Conn) {
		return func(c net.Conn) {
			buf := make([]byte, 4096)
			if _, err := c.Read(buf); err != nil {
				return
			}
			send(c)
		}
	}
	cases := map[string]struct {
		serve     func(net.Conn)
		confirmed bool
	}{
		"tarpit":                  {afterHello(probetest.Reply(probetest.Hex(t, tarpitHeader))), false},
		"tarpit before the hello": {probetest.Reply(probetest.Hex(t, tarpitHeader)), false},
		"drip header": {afterHello(func(c net.Conn) {
			probetest.Dribble(c, probetest.Hex(t, tarpitHeader), 300*time.Millisecond)
		}), false},
		"huge record then close": {afterHello(func(c net.Conn) {
			c.Write(probetest.Hex(t, "16 03 03 ff ff 02 ff ff ff"))
		}), false},
		"handshake flood": {afterHello(func(c net.Conn) {
			probetest.Flood(c, append(probetest.Hex(t, "16 03 03 40 00"), make([]byte, 1<<14)...), 100)
		}), false},
		"serverhello then close": {afterHello(func(c net.Conn) { c.Write(hello12) }), true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			addr := probetest.Serve(t, tc.serve)
			p := probes.TCP{Dialer: &net.Dialer{}, Timeout: time.Second, Talk: Handshake{Then: banner.IMAP{}}}
			start := time.Now()
			r := p.Probe(t.Context(), probetest.Target(addr))
			if took := time.Since(start); took > 10*time.Second {
				t.Errorf("took %v", took)
			}
			if tc.confirmed {
				if r.State != probes.Confirmed || r.Service.Details.(Details).HandshakeError == "" {
					t.Fatalf("got %v %q %+v", r, r.Note, r.Service)
				}
				return
			}
			if r.State != probes.Open || r.Service != nil {
				t.Fatalf("got %v %q %+v, want open", r, r.Note, r.Service)
			}
		})
	}
}

package winsrepl

import (
	"bytes"
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

func readHex(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	for line := range strings.Lines(string(raw)) {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			sb.WriteString(line)
		}
	}
	b, err := hex.DecodeString(sb.String())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustHex(t testing.TB, s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// stopReply is an association stop ([MS-WINSRA] 2.2.5) with reason 4, in
// the shape Samba's wreplsrv_in_stop_assoc_ctx builds: header, reason, and
// padding. Built by hand; Samba did not send one to our probes.
const stopReply = "00000018 00007800 01020304 00000002 00000004 0000000000000000"

func TestAppendAssociationStart(t *testing.T) {
	// [MS-WINSRA] 2.2.3: Packet Length 41, Reserved 0x7800 (Samba's
	// WREPL_OPCODE_BITS), destination handle 0, message type 0, the sender
	// handle, major 2, minor 5, 21 reserved bytes. PROBES-style reference
	// bytes; Samba 4.17 answered them with start_reply_samba_ad.hex.
	want := mustHex(t, "00000029 00007800 00000000 00000000 01020304 0002 0005"+strings.Repeat("00", 21))
	if got := AppendAssociationStart(nil, 0x01020304); !bytes.Equal(got, want) {
		t.Errorf("got %x\nwant %x", got, want)
	}
}

func TestParseReply(t *testing.T) {
	r, err := ParseReply(readHex(t, "start_reply_samba_ad.hex"))
	if err != nil {
		t.Fatal(err)
	}
	want := Reply{Opcode: 0x7800, DestinationHandle: 0x01020304, MessageType: 1, SenderHandle: 0x12345678, Major: 2, Minor: 5}
	if r != want {
		t.Errorf("got %+v, want %+v", r, want)
	}
	if s := detailsOf(r).summary(); s != "WINS replication 2.5" {
		t.Errorf("summary %q", s)
	}
	r, err = ParseReply(mustHex(t, stopReply))
	if err != nil || r.MessageType != MsgStopAssociation || r.StopReason != 4 {
		t.Errorf("stop: %+v %v", r, err)
	}
	if s := detailsOf(r).summary(); s != "WINS replication, association refused (reason 4)" {
		t.Errorf("summary %q", s)
	}
	good := readHex(t, "start_reply_samba_ad.hex")
	for name, b := range map[string][]byte{
		"empty":     nil,
		"request":   AppendAssociationStart(nil, 1),
		"truncated": good[:30],
		"huge":      mustHex(t, "7fffffff 00007800 00000000 00000001 00000000"),
		"opcode":    append(mustHex(t, "00000029 41414141 00000000 00000001"), good[16:]...),
		"http":      []byte("HTTP/1.1 400 Bad Request\r\n\r\n"),
	} {
		if _, err := ParseReply(b); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func FuzzParseReply(f *testing.F) {
	f.Add(readHex(f, "start_reply_samba_ad.hex"))
	f.Add(mustHex(f, stopReply))
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, err := ParseReply(b); err == nil {
			_ = detailsOf(r).summary()
		}
	})
}

func TestAssociationStartLoopback(t *testing.T) {
	samba := readHex(t, "start_reply_samba_ad.hex")
	readStart := func(c net.Conn) bool {
		_, err := io.ReadFull(c, make([]byte, 4+startLen))
		return err == nil
	}
	cases := map[string]struct {
		serve func(c net.Conn)
		want  probes.State
	}{
		"samba": {func(c net.Conn) {
			if readStart(c) {
				c.Write(samba)
			}
		}, probes.Confirmed},
		"stop": {func(c net.Conn) {
			if readStart(c) {
				c.Write(mustHex(t, stopReply))
			}
		}, probes.Confirmed},
		"garbage": {func(c net.Conn) { c.Write([]byte("220 mail.lab.test ESMTP Postfix\r\n")) }, probes.Open},
		"endless stream": {func(c net.Conn) {
			for range 1000 {
				if _, err := c.Write(make([]byte, 4096)); err != nil {
					return
				}
			}
		}, probes.Open},
		"one byte per second": {func(c net.Conn) {
			for _, b := range samba[:8] {
				if _, err := c.Write([]byte{b}); err != nil {
					return
				}
				time.Sleep(time.Second)
			}
		}, probes.Open},
		"close at once": {func(c net.Conn) {}, probes.Open},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			go func() {
				conn, err := ln.Accept()
				if err != nil {
					return
				}
				defer conn.Close()
				_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
				c.serve(conn)
			}()
			ap := netip.MustParseAddrPort(ln.Addr().String())
			p := probes.TCP{Dialer: &net.Dialer{}, Timeout: 2 * time.Second, Talk: AssociationStart{}}
			r := p.Probe(t.Context(), probes.Target{Addr: ap.Addr(), Port: ap.Port()})
			if r.State != c.want {
				t.Fatalf("got %v (%s), want %v", r, r.Note, c.want)
			}
		})
	}
}

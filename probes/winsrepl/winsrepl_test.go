package winsrepl

import (
	"bytes"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/probetest"
)

// stopReply is an association stop ([MS-WINSRA] 2.2.5) with reason 4, in
// the shape Samba's wreplsrv_in_stop_assoc_ctx builds: header, reason, and
// padding. Built by hand; Samba did not send one to our probes.
const stopReply = "00000018 00007800 01020304 00000002 00000004 0000000000000000"

func TestAppendAssociationStart(t *testing.T) {
	// [MS-WINSRA] 2.2.3: Packet Length 41, Reserved 0x7800 (Samba's
	// WREPL_OPCODE_BITS), destination handle 0, message type 0, the sender
	// handle, major 2, minor 5, 21 reserved bytes. PROBES-style reference
	// bytes; Samba 4.17 answered them with start_reply_samba_ad.hex.
	want := probetest.Hex(t, "00000029 00007800 00000000 00000000 01020304 0002 0005"+strings.Repeat("00", 21))
	if got := AppendAssociationStart(nil, 0x01020304); !bytes.Equal(got, want) {
		t.Errorf("got %x\nwant %x", got, want)
	}
}

func TestParseReply(t *testing.T) {
	r, err := ParseReply(probetest.ReadHex(t, "testdata/start_reply_samba_ad.hex"))
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
	r, err = ParseReply(probetest.Hex(t, stopReply))
	if err != nil || r.MessageType != MsgStopAssociation || r.StopReason != 4 {
		t.Errorf("stop: %+v %v", r, err)
	}
	if s := detailsOf(r).summary(); s != "WINS replication, association refused (reason 4)" {
		t.Errorf("summary %q", s)
	}
	good := probetest.ReadHex(t, "testdata/start_reply_samba_ad.hex")
	for name, b := range map[string][]byte{
		"empty":     nil,
		"request":   AppendAssociationStart(nil, 1),
		"truncated": good[:30],
		"huge":      probetest.Hex(t, "7fffffff 00007800 00000000 00000001 00000000"),
		"opcode":    append(probetest.Hex(t, "00000029 41414141 00000000 00000001"), good[16:]...),
		"http":      []byte("HTTP/1.1 400 Bad Request\r\n\r\n"),
	} {
		if _, err := ParseReply(b); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func FuzzParseReply(f *testing.F) {
	f.Add(probetest.ReadHex(f, "testdata/start_reply_samba_ad.hex"))
	f.Add(probetest.Hex(f, stopReply))
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, err := ParseReply(b); err == nil {
			_ = detailsOf(r).summary()
		}
	})
}

func TestAssociationStartLoopback(t *testing.T) {
	samba := probetest.ReadHex(t, "testdata/start_reply_samba_ad.hex")
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
				c.Write(probetest.Hex(t, stopReply))
			}
		}, probes.Confirmed},
		"garbage": {func(c net.Conn) { c.Write([]byte("220 mail.lab.test ESMTP Postfix\r\n")) }, probes.Open},
		"endless stream": {func(c net.Conn) {
			probetest.Flood(c, make([]byte, 4096), 1000)
		}, probes.Open},
		"one byte per second": {func(c net.Conn) {
			probetest.Dribble(c, samba[:8], time.Second)
		}, probes.Open},
		"close at once": {func(c net.Conn) {}, probes.Open},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := probetest.ProbeTCP(t, AssociationStart{}, probetest.Serve(t, c.serve), 2*time.Second)
			if r.State != c.want {
				t.Fatalf("got %v (%s), want %v", r, r.Note, c.want)
			}
		})
	}
}

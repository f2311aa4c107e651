package pptp

import (
	"testing"

	"github.com/winreach/winreach/probes/probetest"
)

func TestAppendStartRequest(t *testing.T) {
	b := AppendStartRequest(nil, StartRequest{Framing: 3, Bearer: 3, Vendor: "winreach"})
	// RFC 2637 2.1: Length 009c, message type 0001, cookie 1a2b3c4d,
	// control type 0001, reserved, version 0100, reserved, framing
	// 00000003, bearer 00000003, channels 0000, firmware 0000, then two
	// 64-octet names.
	head := probetest.Hex(t, "009c 0001 1a2b3c4d 0001 0000 0100 0000 00000003 00000003 0000 0000")
	if len(b) != StartLength || string(b[:len(head)]) != string(head) {
		t.Fatalf("request %x", b)
	}
	if got := string(b[28+64 : 28+64+8]); got != "winreach" || b[28] != 0 {
		t.Fatalf("names %x", b[28:])
	}
	// 2.3: Length 0010, type 1, cookie, control type 0003, reason 1.
	if got, want := AppendStopRequest(nil), probetest.Hex(t, "0010 0001 1a2b3c4d 0003 0000 01 00 0000"); string(got) != string(want) {
		t.Fatalf("stop %x", got)
	}
}

func TestParseStartReplyPptpd(t *testing.T) {
	r, err := ParseStartReply(probetest.ReadHex(t, "testdata/sccrp-pptpd.hex"))
	if err != nil {
		t.Fatal(err)
	}
	want := StartReply{Version: 0x0100, ResultCode: 1, MaxChannels: 1, Firmware: 1, HostName: "local", Vendor: "linux"}
	if r != want {
		t.Fatalf("got %+v", r)
	}
	if s := service(r).Summary; s != "PPTP result 1 (OK), host local, vendor linux" {
		t.Fatalf("summary %q", s)
	}
}

func TestParseStartReplyRejects(t *testing.T) {
	good := probetest.ReadHex(t, "testdata/sccrp-pptpd.hex")
	for name, mutate := range map[string]func([]byte){
		"length":  func(b []byte) { b[1] = 0x9d },
		"type":    func(b []byte) { b[3] = 2 },
		"cookie":  func(b []byte) { b[7] = 0 },
		"request": func(b []byte) { b[9] = 1 }, // our own request echoed
	} {
		b := append([]byte(nil), good...)
		mutate(b)
		if _, err := ParseStartReply(b); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := ParseStartReply(good[:100]); err == nil {
		t.Error("short accepted")
	}
}

func FuzzParseStartReply(f *testing.F) {
	f.Add(probetest.ReadHex(f, "testdata/sccrp-pptpd.hex"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, err := ParseStartReply(b); err == nil {
			_ = service(r)
		}
	})
}

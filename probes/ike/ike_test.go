package ike

import (
	"bytes"
	"errors"
	"testing"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/probetest"
)

func TestAppendIKESAInitLayout(t *testing.T) {
	spi := [8]byte{1, 2, 3, 4, 5, 6, 7, 8}
	b := AppendIKESAInit(nil, spi, make([]byte, KELength), make([]byte, NonceLength))
	// RFC 7296 3.1 header: SPIi, SPIr 0, next 33 (SA), version 0x20,
	// exchange 34, flags 0x08 (initiator), message ID 0, length 376.
	// 3.3: SA payload (next 34, length 48), proposal (last, length 44,
	// #1, protocol 1, SPI size 0, 4 transforms); 3.3.2 transforms:
	// ENCR 12 + 3.3.5 key length 256 (800e 0100), PRF 5, INTEG 12, DH 14.
	// 3.4: KE payload (next 40, length 264, group 14, reserved).
	want := probetest.Hex(t, `0102030405060708 0000000000000000 21 20 22 08 00000000 00000178
		22 00 0030  00 00 002c 01 01 00 04
		03 00 000c 01 00 000c 800e 0100
		03 00 0008 02 00 0005
		03 00 0008 03 00 000c
		00 00 0008 04 00 000e
		28 00 0108 000e 0000`)
	if len(b) != 376 || !bytes.Equal(b[:len(want)], want) {
		t.Fatalf("got %x", b[:min(len(b), len(want))])
	}
	// 3.9: Nonce payload, last, length 36.
	if got := b[len(b)-NonceLength-4 : len(b)-NonceLength]; !bytes.Equal(got, probetest.Hex(t, "00 00 0024")) {
		t.Fatalf("nonce header %x", got)
	}
	// The request charon accepted was built the same way.
	got := probetest.ReadHex(t, "testdata/ikev2-init-request.hex")
	if !bytes.Equal(got[8:len(want)], want[8:]) {
		t.Fatalf("captured request differs: %x", got[:len(want)])
	}
}

func TestAppendMainModeLayout(t *testing.T) {
	b := AppendMainMode(nil, [8]byte{0xaa, 1, 2, 3, 4, 5, 6, 7})
	// RFC 2408 3.1: cookie, zero responder cookie, next 1 (SA), version
	// 0x10, exchange 2 (Identity Protection), flags 0, message ID 0.
	// 3.4 / RFC 2407 4.6.1: SA (DOI 1, situation 1); 3.5: proposal #1,
	// PROTO_ISAKMP, no SPI, 4 transforms; 3.6: transform #1 KEY_IKE with
	// RFC 2409 Appendix A attributes AES-CBC (8001 0007), key length 256
	// (800e 0100), SHA2-256 (8002 0004), PSK (8003 0001), group 14
	// (8004 000e), life type seconds (800b 0001), 28800 s (800c 7080).
	want := probetest.Hex(t, `aa01020304050607 0000000000000000 01 10 02 00 00000000 000000b8
		00 00 009c 00000001 00000001
		00 00 0090 01 01 00 04
		03 00 0024 01 01 0000 8001 0007 800e 0100 8002 0004 8003 0001 8004 000e 800b 0001 800c 7080`)
	if !bytes.Equal(b[:len(want)], want) || len(b) != 0xb8 {
		t.Fatalf("got %x", b)
	}
	if got := probetest.ReadHex(t, "testdata/ikev1-main-mode-request.hex"); !bytes.Equal(got[8:], b[8:]) {
		t.Fatalf("captured request differs")
	}
}

func TestParseStrongSwan(t *testing.T) {
	for _, tc := range []struct{ req, reply, summary string }{
		{"ikev2-init-request.hex", "ikev2-no-proposal-chosen.hex", "IKEv2 NO_PROPOSAL_CHOSEN"},
		{"ikev2-sa-accepted-request.hex", "ikev2-sa-accepted.hex", "IKEv2 SA accepted (AES-CBC-256, HMAC-SHA2-256-128, PRF-HMAC-SHA2-256, MODP-2048)"},
		{"ikev2-cookie-request.hex", "ikev2-cookie.hex", "IKEv2 COOKIE requested"},
		{"ikev1-main-mode-request.hex", "ikev1-no-proposal-chosen.hex", "IKEv1 NO-PROPOSAL-CHOSEN"},
		{"ikev1-sa-accepted-request.hex", "ikev1-sa-accepted.hex", "IKEv1 Main Mode SA accepted (AES-CBC-256, SHA2-256, MODP-2048, PSK)"},
	} {
		t.Run(tc.reply, func(t *testing.T) {
			svc, err := Parse(probetest.ReadHex(t, "testdata/"+tc.req), probetest.ReadHex(t, "testdata/"+tc.reply))
			if err != nil {
				t.Fatal(err)
			}
			if svc.Summary != tc.summary {
				t.Fatalf("summary %q", svc.Summary)
			}
		})
	}
	svc, _ := Parse(probetest.ReadHex(t, "testdata/ikev2-sa-accepted-request.hex"), probetest.ReadHex(t, "testdata/ikev2-sa-accepted.hex"))
	d := svc.Details.(Details)
	if d.KEGroup != "MODP-2048" || d.NonceLength != 32 || len(d.Notifies) != 2 || d.Notifies[0].Name != "CHILDLESS_IKEV2_SUPPORTED" || d.Notifies[1].Name != "MULTIPLE_AUTH_SUPPORTED" {
		t.Fatalf("details %+v", d)
	}
	svc, _ = Parse(probetest.ReadHex(t, "testdata/ikev1-sa-accepted-request.hex"), probetest.ReadHex(t, "testdata/ikev1-sa-accepted.hex"))
	d = svc.Details.(Details)
	if len(d.VendorIDs) != 2 || d.VendorIDs[0].Name != "XAuth" || d.VendorIDs[1].Name != "DPD" {
		t.Fatalf("vendor IDs %+v", d.VendorIDs)
	}
}

func TestParseInvalidKE(t *testing.T) {
	req := probetest.ReadHex(t, "testdata/ikev2-init-request.hex")
	// RFC 7296 1.2 / 3.10: IKE_SA_INIT response (flags 0x20) with
	// N(INVALID_KE_PAYLOAD) whose data is the accepted group, 19 (ECP-256),
	// and a strongSwan Vendor ID (MD5("strongSwan")).
	reply := probetest.Hex(t, `6f1b127a53429de1 0000000000000000 29 20 22 20 00000000 0000003a
		2b 00 000a 00 00 0011 0013
		00 00 0014 882fe56d6fd20dbc2251613b2ebe5beb`)
	svc, err := Parse(req, reply)
	if err != nil {
		t.Fatal(err)
	}
	if svc.Summary != "IKEv2 INVALID_KE_PAYLOAD (wants ECP-256), strongSwan" {
		t.Fatalf("summary %q", svc.Summary)
	}
}

func TestParseRejects(t *testing.T) {
	req := probetest.ReadHex(t, "testdata/ikev2-init-request.hex")
	reply := probetest.ReadHex(t, "testdata/ikev2-no-proposal-chosen.hex")
	other := append([]byte(nil), reply...)
	other[0] ^= 0xff
	if _, err := Parse(req, other); !errors.Is(err, probes.ErrNotForUs) {
		t.Errorf("other SPI: %v", err)
	}
	if _, err := Parse(req, req); err == nil {
		t.Error("echoed request accepted")
	}
	mut := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), reply...)) }
	for name, b := range map[string][]byte{
		"length field": mut(func(b []byte) []byte { b[27]++; return b }),
		"version 3":    mut(func(b []byte) []byte { b[17] = 0x30; return b }),
		"no R flag":    mut(func(b []byte) []byte { b[19] = 0x08; return b }),
		"exchange 35":  mut(func(b []byte) []byte { b[18] = 35; return b }),
		"payload len":  mut(func(b []byte) []byte { b[31] = 0x40; return b }),
		"short":        reply[:20],
		"http":         []byte("HTTP/1.0 400 Bad Request\r\n\r\n"),
		"truncated SA": probetest.Hex(t, "6f1b127a53429de1 0000000000000000 21 20 22 20 00000000 00000024 00 00 0008 00000000"),
	} {
		if _, err := Parse(req, b); err == nil || errors.Is(err, probes.ErrNotForUs) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, pair := range [][2]string{
		{"ikev2-init-request.hex", "ikev2-no-proposal-chosen.hex"},
		{"ikev2-sa-accepted-request.hex", "ikev2-sa-accepted.hex"},
		{"ikev2-cookie-request.hex", "ikev2-cookie.hex"},
		{"ikev1-main-mode-request.hex", "ikev1-no-proposal-chosen.hex"},
		{"ikev1-sa-accepted-request.hex", "ikev1-sa-accepted.hex"},
	} {
		f.Add(probetest.ReadHex(f, "testdata/"+pair[0])[:HeaderLen], probetest.ReadHex(f, "testdata/"+pair[1]))
	}
	f.Fuzz(func(t *testing.T, req, reply []byte) {
		if svc, err := Parse(req, reply); err == nil && svc == nil {
			t.Fatal("nil service without error")
		}
	})
}

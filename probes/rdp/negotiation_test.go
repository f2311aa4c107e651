package rdp

import (
	"bytes"
	"testing"

	"github.com/winreach/winreach/probes/iso"
	"github.com/winreach/winreach/probes/probetest"
)

func TestAppendConnectionRequest(t *testing.T) {
	// [MS-RDPBCGR] 2.2.1.1 and 2.2.1.1.1 layout (no cookie): TPKT 03 00 00 13, X.224 LI 0e, CR e0,
	// DST-REF 0000, SRC-REF 0000, class 00, RDP_NEG_REQ 01 00 0800 and
	// requestedProtocols 00000003 (SSL|HYBRID) little-endian.
	want := probetest.Hex(t, "03 00 00 13 0e e0 00 00 00 00 00 01 00 08 00 03 00 00 00")
	if got := AppendConnectionRequest(nil, ProtocolSSL|ProtocolHybrid); !bytes.Equal(got, want) {
		t.Fatalf("got %x want %x", got, want)
	}
	// X.224 13.3 with no variable part: what T.120 and RDP 4 clients send.
	want = probetest.Hex(t, "03 00 00 0b 06 e0 00 00 00 00 00")
	if got := AppendLegacyConnectionRequest(nil); !bytes.Equal(got, want) {
		t.Fatalf("got %x want %x", got, want)
	}
}

func parseFile(t *testing.T, name string) Confirm {
	t.Helper()
	tpdu, _, err := iso.ParseTPKT(probetest.ReadHex(t, name))
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseConnectionConfirm(tpdu)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestParseConnectionConfirm(t *testing.T) {
	c := parseFile(t, "testdata/cc-neg-rsp-xrdp.hex")
	if c.Negotiation != "response" || c.Selected != ProtocolSSL || c.Flags != 1 || c.TPDU.SrcRef != 0x1234 {
		t.Fatalf("rsp %+v", c)
	}
	if s := negotiationService(c, ProtocolSSL|ProtocolHybrid); s.Summary != "RDP selected TLS" {
		t.Fatalf("summary %q", s.Summary)
	}
	c = parseFile(t, "testdata/cc-neg-failure-xrdp.hex")
	if c.Negotiation != "failure" || c.FailureCode != 1 {
		t.Fatalf("failure %+v", c)
	}
	if s := negotiationService(c, ProtocolSSL); s.Summary != "RDP negotiation failure SSL_REQUIRED_BY_SERVER" {
		t.Fatalf("summary %q", s.Summary)
	}
	c = parseFile(t, "testdata/cc-legacy-xrdp.hex")
	if c.Negotiation != "" {
		t.Fatalf("legacy %+v", c)
	}
	// Built from the [MS-RDPBCGR] 2.2.1.2.1 layout: CredSSP (HYBRID) with all five flags.
	tpdu, _, _ := iso.ParseTPKT(probetest.Hex(t, "03 00 00 13 0e d0 00 00 12 34 00 02 1f 08 00 02 00 00 00"))
	c, err := ParseConnectionConfirm(tpdu)
	if err != nil || c.Selected != ProtocolHybrid || len(c.FlagNames()) != 5 {
		t.Fatalf("hybrid %+v %v", c, err)
	}
}

func TestProtocolsString(t *testing.T) {
	for p, want := range map[Protocols]string{0: "RDP", 1: "TLS", 2: "CredSSP", 0x0b: "TLS|CredSSP|CredSSP-EarlyAuth", 0x40: "0x40"} {
		if got := p.String(); got != want {
			t.Errorf("%#x: %q want %q", uint32(p), got, want)
		}
	}
}

func TestParseConnectionConfirmRejects(t *testing.T) {
	for _, h := range []string{
		"0e e0 00 00 00 00 00 01 00 08 00 03 00 00 00", // our own CR echoed
		"0e d0 00 00 12 34 00 02 01 09 00 01 00 00 00", // length 9
		"0a d0 00 00 12 34 00 02 01 08 00",             // truncated RSP
		"0e d0 00 00 12 34 00 07 00 08 00 01 00 00 00", // type 7
	} {
		if _, err := ParseConnectionConfirm(probetest.Hex(t, h)); err == nil {
			t.Errorf("%s accepted", h)
		}
	}
}

func FuzzParseConnectionConfirm(f *testing.F) {
	for _, name := range []string{"testdata/cc-neg-rsp-xrdp.hex", "testdata/cc-neg-failure-xrdp.hex", "testdata/cc-legacy-xrdp.hex"} {
		b := probetest.ReadHex(f, name)
		f.Add(b[iso.TPKTHeaderLen:])
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseConnectionConfirm(b)
		if err == nil {
			_ = negotiationService(c, ProtocolSSL)
			_ = c.FlagNames()
		}
	})
}

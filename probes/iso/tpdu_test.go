package iso

import (
	"bytes"
	"testing"

	"github.com/winreach/winreach/probes/probetest"
)

// The CR laid out by RFC 1006 6 (TPKT: 03 00 len) and X.224 13.3.1/13.3.4:
// LI 0x11, CR code E0, DST-REF 0000, SRC-REF 0001, class 0, then calling
// TSAP C1 02 0100, called TSAP C2 02 0102 and TPDU size C0 01 0A (1024).
const specCR = "03 00 00 16 11 e0 00 00 00 01 00 c1 02 01 00 c2 02 01 02 c0 01 0a"

func TestAppendRequestMatchesSpecLayout(t *testing.T) {
	got := ConnectRequest{}.AppendRequest(nil)
	if want := probetest.Hex(t, specCR); !bytes.Equal(got, want) {
		t.Fatalf("CR\n got %x\nwant %x", got, want)
	}
}

func TestParseTPDU(t *testing.T) {
	for _, tc := range []struct {
		name, hex string
		summary   string
	}{
		// X.224 13.4.1: LI, D0, DST-REF (our SRC-REF 0001), SRC-REF, class 0,
		// then the TPDU size and TSAPs echoed (13.4.4).
		{"CC", "03 00 00 16 11 d0 00 01 00 07 00 c0 01 0a c1 02 01 00 c2 02 01 02", "ISO transport CC class 0"},
		// X.224 13.5.1: LI 6, 80, DST-REF, SRC-REF, reason 3 (address unknown).
		{"DR", "03 00 00 0b 06 80 00 01 00 00 03", "ISO transport DR: address unknown"},
		// X.224 13.12.1: LI 8, 70, DST-REF, cause 2, then C1 + the rejected octets.
		{"ER", "03 00 00 0d 08 70 00 01 02 c1 02 e0 00", "ISO transport ER: invalid TPDU type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tpdu, rest, err := ParseTPKT(probetest.Hex(t, tc.hex))
			if err != nil || len(rest) != 0 {
				t.Fatalf("ParseTPKT: %v, rest %x", err, rest)
			}
			svc, err := ServiceFromTPDU(tpdu)
			if err != nil {
				t.Fatal(err)
			}
			if svc.Summary != tc.summary || svc.Protocol != "iso-tsap" {
				t.Fatalf("got %q %q", svc.Protocol, svc.Summary)
			}
		})
	}
}

func TestParseCCDetails(t *testing.T) {
	tpdu, _, err := ParseTPKT(probetest.ReadHex(t, "testdata/cc-labd.hex"))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := ServiceFromTPDU(tpdu)
	if err != nil {
		t.Fatal(err)
	}
	d := svc.Details.(Details)
	if d.TPDU != "CC" || d.DstRef != 1 || d.TPDUSize != 1024 || d.CalledTSAP != "0102" || d.CallingTSAP != "0100" {
		t.Fatalf("details %+v", d)
	}
}

func TestParseRejects(t *testing.T) {
	for _, h := range []string{
		"",
		"03 00",
		"04 00 00 07 02 d0 00",       // TPKT version 4
		"03 00 00 05 00",             // TPKT shorter than any TPDU
		"03 00 00 07 05 d0 00",       // LI beyond the TPDU
		"03 00 00 08 03 d0 00 01",    // CC shorter than its fixed part
		"03 00 00 0b 06 10 00 01 00", // unknown code (truncated too)
	} {
		b := probetest.Hex(t, h)
		tpdu, _, err := ParseTPKT(b)
		if err != nil {
			continue
		}
		if _, err := ServiceFromTPDU(tpdu); err == nil {
			t.Errorf("%s: accepted", h)
		}
	}
	// A CR echoed back is not an answer to a CR.
	tpdu, _, _ := ParseTPKT(probetest.Hex(t, specCR))
	if _, err := ServiceFromTPDU(tpdu); err == nil {
		t.Error("echoed CR accepted")
	}
}

func FuzzParseTPDU(f *testing.F) {
	f.Add(probetest.ReadHex(f, "testdata/cc-labd.hex"))
	f.Add(probetest.Hex(f, "03 00 00 13 0e d0 00 00 12 34 00 02 00 08 00 00 00 00 00"))
	f.Add(probetest.Hex(f, "03 00 00 0b 06 80 00 01 00 00 03"))
	f.Add(probetest.Hex(f, "03 00 00 0d 08 70 00 01 02 c1 02 e0 00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		tpdu, _, err := ParseTPKT(b)
		if err != nil {
			return
		}
		_, _ = ServiceFromTPDU(tpdu)
		_, _ = ReadTPKT(bytes.NewReader(b), maxReply)
	})
}

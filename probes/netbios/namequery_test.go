package netbios

import (
	"bytes"
	"net/netip"
	"slices"
	"testing"

	"github.com/winreach/winreach/probes/probetest"
)

func TestAppendNameQuery(t *testing.T) {
	// RFC 1002 4.2.12: flags 0x0100 (RD, B clear), "LAB" padded with
	// spaces, suffix 0x1C, QUESTION_TYPE NB, QUESTION_CLASS IN. Samba
	// answered these bytes with testdata/namequery_lab1c_samba_ad.hex.
	want := probetest.Hex(t, "1234 0100 0001 0000 0000 0000 20 454d45424543434143414341434143414341434143414341434143414341424d 00 0020 0001")
	if got := AppendNameQuery(nil, 0x1234, "lab", SuffixDomainControllers); !bytes.Equal(got, want) {
		t.Errorf("got  %x\nwant %x", got, want)
	}
}

func TestParseNameQuerySamba(t *testing.T) {
	r, err := ParseNameQuery(probetest.ReadHex(t, "testdata/namequery_lab1c_samba_ad.hex"))
	if err != nil || r.ID != 0x1234 || r.RCode != 0 || !r.Group || !slices.Equal(r.Addrs, []netip.Addr{netip.MustParseAddr("198.18.1.10")}) {
		t.Errorf("%+v %v", r, err)
	}
	r, err = ParseNameQuery(probetest.ReadHex(t, "testdata/namequery_nosuch_samba_ad.hex"))
	if err != nil || r.RCode != 3 || len(r.Addrs) != 0 {
		t.Errorf("%+v %v", r, err)
	}
	if _, err := ParseNameQuery(AppendNameQuery(nil, 1, "LAB", 0x1c)); err == nil {
		t.Error("a request parsed as a response")
	}
}

func FuzzParseNameQuery(f *testing.F) {
	for _, b := range probetest.Captures(f, "testdata/*.hex") {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseNameQuery(b)
		if err == nil && len(r.Addrs) > 64 {
			t.Fatalf("%d addresses", len(r.Addrs))
		}
	})
}

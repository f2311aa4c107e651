package smb

import (
	"testing"
	"time"

	"github.com/winreach/winreach/probes/probetest"
)

// SystemTime ([MS-SMB2] 2.2.4) is a FILETIME ([MS-DTYP] 2.3.3): 100 ns
// intervals since 1601-01-01 UTC. 116444736000000000 is the Unix epoch.
func TestFiletime(t *testing.T) {
	if got := filetime(116444736000000000); !got.Equal(time.Unix(0, 0)) {
		t.Errorf("Unix epoch: %v", got)
	}
	if got := filetime(116444736000000000 + 1); !got.Equal(time.Unix(0, 100)) {
		t.Errorf("one tick: %v", got)
	}
	if !filetime(0).IsZero() {
		t.Error("0 is no time")
	}
}

// The SystemTime of Samba 4.17's NEGOTIATE response in
// testdata/negotiate_samba_ad_311.hex, to the 100 ns tick: the clock the
// logon cross-checks against the KDC's.
func TestSystemTimeSamba(t *testing.T) {
	r, err := ParseNegotiateResponse(unframe(t, probetest.ReadHex(t, "testdata/negotiate_samba_ad_311.hex")))
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 11, 25, 21, 22, 10, 389654000, time.UTC); !r.SystemTime.Equal(want) {
		t.Errorf("SystemTime %v, want %v", r.SystemTime, want)
	}
}

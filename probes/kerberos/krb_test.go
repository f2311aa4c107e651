package kerberos

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/winreach/winreach/probes/probetest"
)

// nmapProbe is nmap's UDP Kerberos probe (nmap-service-probes, "Probe UDP
// Kerberos", Debian nmap-common 7.93): an AS-REQ without cname for
// krbtgt/NM@NM. Its TCP probe is the same with the record mark 00000071.
const nmapProbe = `
6a 81 6e 30 81 6b a1 03 02 01 05 a2 03 02 01 0a a4 81 5e 30 5c a0 07 03 05 00
50 80 00 10 a2 04 1b 02 4e 4d a3 17 30 15 a0 03 02 01 00 a1 0e 30 0c 1b 06 6b
72 62 74 67 74 1b 02 4e 4d a5 11 18 0f 31 39 37 30 30 31 30 31 30 30 30 30 30
30 5a a7 06 02 04 1f 1e b9 d9 a8 17 30 15 02 01 12 02 01 11 02 01 10 02 01 17
02 01 01 02 01 03 02 01 02`

func TestAppendASRequestMatchesNmap(t *testing.T) {
	nmap := probetest.Hex(t, nmapProbe)
	if len(nmap) != 113 {
		t.Fatalf("nmap probe is %d bytes", len(nmap))
	}
	// nmap writes three lengths below 128 in the long form "81 xx", legal
	// BER but not DER (X.690 10.1 wants the shortest form): 6a 81 6e,
	// 30 81 6b, a4 81 5e. With those in the short form, and the two outer
	// lengths two and one bytes shorter, the rest is byte for byte ours.
	want := append([]byte{0x6a, 0x6c, 0x30, 0x6a}, nmap[6:16]...)
	want = append(append(want, 0xa4, 0x5e), nmap[19:]...)
	got := AppendASRequest(nil, ASReq{
		KDCOptions: 0x50800010,
		Realm:      "NM",
		Server:     Principal{Type: NameTypeUnknown, Names: []string{"krbtgt", "NM"}},
		Till:       "19700101000000Z",
		Nonce:      0x1f1eb9d9,
		ETypes:     []int32{18, 17, 16, 23, 1, 3, 2},
	})
	if len(want) != 110 || !bytes.Equal(got, want) {
		t.Errorf("AS-REQ:\n got %x\nwant %x", got, want)
	}
	rec := AppendRecord(nil, got)
	if !bytes.Equal(rec[:4], []byte{0, 0, 0, 110}) || !bytes.Equal(rec[4:], want) {
		t.Errorf("record mark %x", rec[:4])
	}
	// Our own request reflected back is not a KDC, in either length form.
	for _, echo := range [][]byte{got, nmap} {
		if _, err := ParseReply(echo); err != ErrEcho {
			t.Errorf("echo: %v", err)
		}
	}
}

func TestDERInteger(t *testing.T) {
	// X.690 8.3: minimal two's complement.
	for v, want := range map[int64]string{
		0: "020100", 5: "020105", 127: "02017f", 128: "02020080", 256: "02020100",
		-1: "0201ff", -128: "020180", -129: "0202ff7f", 0xffffffff: "020500ffffffff",
	} {
		if got := hex.EncodeToString(derInteger(v)); got != want {
			t.Errorf("%d: %s, want %s", v, got, want)
		}
	}
}

func TestASRequestDefaults(t *testing.T) {
	msg := ASRequest{}.message(0x01020304)
	for _, s := range []string{DefaultRealm, DefaultClient, "krbtgt", farFuture} {
		if !bytes.Contains(msg, []byte(s)) {
			t.Errorf("request lacks %q: %x", s, msg)
		}
	}
	// cname [1] PrincipalName { name-type [0] 1, name-string [1] { "winreach-nonexistent" } }
	cname := probetest.Hex(t, "a1 21 30 1f a0 03 02 01 01 a1 18 30 16 1b 14") // then the 20 characters
	if !bytes.Contains(msg, append(cname, DefaultClient...)) {
		t.Errorf("cname encoding: %x", msg)
	}
}

func TestShortErrorName(t *testing.T) {
	for code, want := range map[int32]string{6: "C_PRINCIPAL_UNKNOWN", 68: "WRONG_REALM", 52: "RESPONSE_TOO_BIG", 37: "SKEW", 43: "unknown", 62: "CLIENT_NOT_TRUSTED"} {
		if got := shortErrorName(code); got != want {
			t.Errorf("%d: %q, want %q", code, got, want)
		}
	}
}

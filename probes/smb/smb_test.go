package smb

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/winreach/winreach/probes/probetest"
)

// unframe strips the 4-byte Direct TCP transport header.
func unframe(t testing.TB, b []byte) []byte {
	t.Helper()
	if len(b) < 4 || b[0] != 0 || int(b[1])<<16|int(b[2])<<8|int(b[3]) != len(b)-4 {
		t.Fatalf("bad transport header in %x", b[:min(len(b), 8)])
	}
	return b[4:]
}

func testGUIDAndSalt() (g [16]byte, s [32]byte) {
	for i := range g {
		g[i] = byte(i + 1)
	}
	for i := range s {
		s[i] = byte(0xa0 + i)
	}
	return g, s
}

func TestAppendNegotiateRequest(t *testing.T) {
	g, s := testGUIDAndSalt()
	got := AppendTransport(nil, AppendNegotiateRequest(nil, g, s))
	// The same bytes drew a 3.1.1 response with SHA-512 and AES-128-GCM
	// from Samba 4.17 (negotiate_samba_ad_311.hex).
	if want := probetest.ReadHex(t, "testdata/negotiate_request.hex"); !bytes.Equal(got, want) {
		t.Fatalf("got  %x\nwant %x", got, want)
	}
	m := got[4:]
	le := binary.LittleEndian
	// [MS-SMB2] 2.2.1.2: the header is 64 bytes; 2.2.3: StructureSize 36.
	if le.Uint16(m[4:]) != 64 || le.Uint16(m[64:]) != 36 {
		t.Error("structure sizes")
	}
	// 2.2.3: DialectCount 5, SecurityMode signing enabled, the dialects
	// at offset 100.
	if le.Uint16(m[66:]) != 5 || le.Uint16(m[68:]) != 1 {
		t.Error("dialect count or security mode")
	}
	var dialects []uint16
	for i := range 5 {
		dialects = append(dialects, le.Uint16(m[100+2*i:]))
	}
	if !slices.Equal(dialects, []uint16{0x0202, 0x0210, 0x0300, 0x0302, 0x0311}) {
		t.Errorf("dialects %x", dialects)
	}
	// 2.2.3: NegotiateContextOffset 8-byte aligned, 2 contexts; 2.2.3.1:
	// the first is PREAUTH (1) with SHA-512 (1), the second, 8-aligned,
	// ENCRYPTION (2).
	off := int(le.Uint32(m[100-8:]))
	if off != 112 || le.Uint16(m[96:]) != 2 {
		t.Fatalf("context offset %d", off)
	}
	if le.Uint16(m[off:]) != 1 || le.Uint16(m[off+8:]) != 1 || le.Uint16(m[off+10:]) != 32 || le.Uint16(m[off+12:]) != 1 {
		t.Errorf("preauth context %x", m[off:off+14])
	}
	off2 := (off + 8 + int(le.Uint16(m[off+2:])) + 7) &^ 7
	if le.Uint16(m[off2:]) != 2 || le.Uint16(m[off2+8:]) != 4 || off2+8+10 != len(m) {
		t.Errorf("encryption context at %d: %x", off2, m[off2:])
	}
}

func TestParseNegotiateResponseSamba(t *testing.T) {
	r, err := ParseNegotiateResponse(unframe(t, probetest.ReadHex(t, "testdata/negotiate_samba_ad_311.hex")))
	if err != nil {
		t.Fatal(err)
	}
	if r.Dialect != Dialect311 || r.SecurityMode != SigningEnabled|SigningRequired || r.Cipher != 2 || r.PreauthHash != hashSHA512 {
		t.Errorf("%+v", r)
	}
	d := detailsOf(r)
	if d.ServerGUID != "00316364-0000-0000-0000-000000000000" || d.MaxReadSize != 8<<20 ||
		!slices.Equal(d.Capabilities, []string{"dfs", "leasing", "large-mtu", "multi-channel"}) {
		t.Errorf("%+v", d)
	}
	if want := time.Date(2026, 11, 25, 21, 0, 0, 0, time.UTC); d.SystemTime.Truncate(time.Hour) != want {
		t.Errorf("system time %v", d.SystemTime)
	}
	if d.Cipher != "AES-128-GCM" || d.PreauthIntegrity != "SHA-512" {
		t.Errorf("%+v", d)
	}
	if s := d.Summary(); s != "SMB 3.1.1, signing required" {
		t.Errorf("summary %q", s)
	}
	d.SMB1 = &SMB1Details{Verdict: SMB1Rejected}
	if s := d.Summary(); s != "SMB 3.1.1, signing required, SMB1 off" {
		t.Errorf("summary %q", s)
	}
}

// errorResponse is an SMB2 ERROR response to NEGOTIATE ([MS-SMB2] 2.2.2):
// the header with SERVER_TO_REDIR and a Status, body StructureSize 9.
func errorResponse(status uint32) []byte {
	h := make([]byte, 64)
	copy(h, smb2Magic[:])
	binary.LittleEndian.PutUint16(h[4:], 64)
	binary.LittleEndian.PutUint32(h[8:], status)
	binary.LittleEndian.PutUint32(h[16:], smb2FlagServerToRed)
	return append(h, 9, 0, 0, 0, 0, 0, 0, 0, 0)
}

func TestParseNegotiateErrorResponse(t *testing.T) {
	r, err := ParseNegotiateResponse(errorResponse(0xc0000022))
	if err != nil || r.Status != 0xc0000022 {
		t.Fatalf("%+v %v", r, err)
	}
	if s := detailsOf(r).Summary(); s != "SMB2 error STATUS_ACCESS_DENIED" {
		t.Errorf("summary %q", s)
	}
}

func TestParseNegotiateResponseRejects(t *testing.T) {
	good := unframe(t, probetest.ReadHex(t, "testdata/negotiate_samba_ad_311.hex"))
	g, s := testGUIDAndSalt()
	mod := func(f func(b []byte)) []byte { b := slices.Clone(good); f(b); return b }
	cases := map[string][]byte{
		"empty":      nil,
		"request":    AppendNegotiateRequest(nil, g, s), // no SERVER_TO_REDIR
		"smb1":       unframe(t, probetest.ReadHex(t, "testdata/smb1_samba_ad_accepted.hex")),
		"truncated":  good[:100],
		"command":    mod(func(b []byte) { b[12] = 1 }),
		"body size":  mod(func(b []byte) { b[64] = 64 }),
		"short err":  errorResponse(0xc0000022)[:66],
		"http":       []byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n" + strings.Repeat(" ", 40)),
		"hdr length": mod(func(b []byte) { b[4] = 63 }),
		// Absurd offsets and fields (issue 14: once confirmed as 3.1.1).
		"blob offset past the end":  mod(func(b []byte) { binary.LittleEndian.PutUint16(b[64+56:], 0xfff0) }),
		"blob offset in the header": mod(func(b []byte) { binary.LittleEndian.PutUint16(b[64+56:], 8) }),
		"blob length past the end":  mod(func(b []byte) { binary.LittleEndian.PutUint16(b[64+58:], 0xffff) }),
		"context offset past end":   mod(func(b []byte) { binary.LittleEndian.PutUint32(b[64+60:], 0xfffffff8) }),
		"context offset unaligned":  mod(func(b []byte) { binary.LittleEndian.PutUint32(b[64+60:], binary.LittleEndian.Uint32(b[64+60:])+1) }),
		"no contexts":               mod(func(b []byte) { binary.LittleEndian.PutUint16(b[64+6:], 0) }),
		"65535 contexts":            mod(func(b []byte) { binary.LittleEndian.PutUint16(b[64+6:], 0xffff) }),
		"dialect not offered":       mod(func(b []byte) { binary.LittleEndian.PutUint16(b[64+4:], 0x0312) }),
		"wildcard dialect":          mod(func(b []byte) { binary.LittleEndian.PutUint16(b[64+4:], DialectWildcard) }),
	}
	for name, b := range cases {
		if _, err := ParseNegotiateResponse(b); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestAppendSMB1Negotiate(t *testing.T) {
	got := AppendTransport(nil, AppendSMB1Negotiate(nil, NTLM012))
	// [MS-CIFS] 2.2.3.1 header: FF 'SMB', command 0x72, Status 0, Flags
	// 0x18, Flags2 0xC001, PIDLow 0xFEFF; 2.2.4.52.1: WordCount 0,
	// ByteCount 12, 02 "NT LM 0.12" 00. Samba 4.17 answered these bytes
	// (smb1_samba_ad_*.hex).
	want := probetest.ReadHex(t, "testdata/smb1_request.hex")
	if !bytes.Equal(got, want) {
		t.Fatalf("got %x\nwant %x", got, want)
	}
	if !bytes.HasSuffix(got, append([]byte{0, 0x0c, 0, 0x02}, "NT LM 0.12\x00"...)) {
		t.Error("dialect block")
	}
}

func TestParseSMB1NegotiateResponse(t *testing.T) {
	r, err := ParseSMB1NegotiateResponse(unframe(t, probetest.ReadHex(t, "testdata/smb1_samba_ad_accepted.hex")))
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != 0 || r.DialectIndex != 0 || r.WordCount != 17 || r.Domain != "LAB" || r.Server != "DC1" {
		t.Errorf("%+v", r)
	}
	if r.SystemTime.Year() != 2026 {
		t.Errorf("time %v", r.SystemTime)
	}
	r, err = ParseSMB1NegotiateResponse(unframe(t, probetest.ReadHex(t, "testdata/smb1_samba_ad_rejected.hex")))
	if err != nil || r.DialectIndex != noDialect || r.WordCount != 1 {
		t.Errorf("%+v %v", r, err)
	}
	for _, bad := range [][]byte{nil, errorResponse(0), unframe(t, probetest.ReadHex(t, "testdata/smb1_request.hex"))} {
		if _, err := ParseSMB1NegotiateResponse(bad); err == nil {
			t.Errorf("%x accepted", bad)
		}
	}
}

func TestGUIDString(t *testing.T) {
	// [MS-DTYP] 2.3.4: Data1..Data3 little-endian.
	g := [16]byte{0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77, 0x66, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}
	if s := GUIDString(g); s != "00112233-4455-6677-8899-aabbccddeeff" {
		t.Error(s)
	}
}

func FuzzParseNegotiateResponse(f *testing.F) {
	f.Add(unframe(f, probetest.ReadHex(f, "testdata/negotiate_samba_ad_311.hex")))
	f.Add(unframe(f, probetest.ReadHex(f, "testdata/negotiate_smbd_311.hex")))
	f.Add(errorResponse(0xc0000022))
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, err := ParseNegotiateResponse(b); err == nil {
			_ = detailsOf(r).Summary()
		}
	})
}

func FuzzParseSMB1NegotiateResponse(f *testing.F) {
	f.Add(unframe(f, probetest.ReadHex(f, "testdata/smb1_samba_ad_accepted.hex")))
	f.Add(unframe(f, probetest.ReadHex(f, "testdata/smb1_samba_ad_rejected.hex")))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = ParseSMB1NegotiateResponse(b)
	})
}

func FuzzReadMessage(f *testing.F) {
	f.Add(probetest.ReadHex(f, "testdata/negotiate_samba_ad_311.hex"))
	f.Add(probetest.ReadHex(f, "testdata/smb1_samba_ad_rejected.hex"))
	f.Add([]byte{0x85, 0, 0, 0, 0, 0, 0, 4, 0xfe, 'S', 'M', 'B'})
	f.Fuzz(func(t *testing.T, b []byte) {
		msg, raw, err := readMessage(bytes.NewReader(b))
		if err == nil && (len(msg) > maxMessage || raw != nil) {
			t.Errorf("msg %d bytes, raw %x", len(msg), raw)
		}
	})
}

func TestParseNegotiateResponseSmbd(t *testing.T) {
	r, err := ParseNegotiateResponse(unframe(t, probetest.ReadHex(t, "testdata/negotiate_smbd_311.hex")))
	if err != nil {
		t.Fatal(err)
	}
	d := detailsOf(r)
	if d.Dialect != "3.1.1" || !d.SigningEnabled || d.SigningRequired || d.Cipher != "AES-128-GCM" {
		t.Errorf("%+v", d)
	}
	if s := d.Summary(); s != "SMB 3.1.1, signing enabled" {
		t.Errorf("summary %q", s)
	}
}

package netbios

import (
	"bytes"
	"encoding/hex"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/probetest"
)

func TestAppendEncodedName(t *testing.T) {
	// RFC 1001 14.1: "FRED" padded with spaces to 16 bytes encodes as
	// EGFCEFEECACACACACACACACACACACACA.
	got := AppendEncodedName(nil, "fred", ' ')
	want := append(append([]byte{0x20}, "EGFCEFEECACACACACACACACACACACACA"...), 0)
	if !bytes.Equal(got, want) {
		t.Errorf("FRED: got %q, want %q", got, want)
	}
	// RFC 1002 4.2.17 / 4.1: the wildcard "*" padded with NULs is CKAAAA...
	got = AppendEncodedName(nil, "*", 0x20)
	want = append(append([]byte{0x20}, "CK"+strings.Repeat("A", 30)...), 0)
	if !bytes.Equal(got, want) {
		t.Errorf("*: got %q, want %q", got, want)
	}
}

func TestAppendNodeStatusRequest(t *testing.T) {
	// RFC 1002 4.2.17: header (TRN_ID 1234, flags 0, QDCOUNT 1), the
	// encoded "*", NBSTAT (0x21), IN (1). 50 bytes; the same bytes drew
	// testdata/nodestatus_samba_ad.hex from Samba 4.17.
	want := probetest.Hex(t, "1234 0000 0001 0000 0000 0000"+
		"20 434b"+strings.Repeat("41", 30)+"00 0021 0001")
	got := AppendNodeStatusRequest(nil, 0x1234)
	if !bytes.Equal(got, want) || len(got) != 50 {
		t.Errorf("got %x, want %x", got, want)
	}
}

func TestAppendSessionRequest(t *testing.T) {
	// RFC 1002 4.3.2, 72 bytes: 81 00 0044, called *SMBSERVER<20>,
	// calling WINREACH<00>. Samba 4.17 answered these bytes with 82000000.
	want := probetest.Hex(t, "81000044"+
		"20434b4644454e454346444546464346474546464343414341434143414341434100"+
		"204648454a454f464345464542454445494341434143414341434143414341414100")
	got := AppendSessionRequest(nil, SMBServerName, 0x20, "WINREACH", 0)
	if !bytes.Equal(got, want) {
		t.Errorf("got %x\nwant %x", got, want)
	}
}

func TestParseNodeStatusSambaAD(t *testing.T) {
	r, err := ParseNodeStatus(probetest.ReadHex(t, "testdata/nodestatus_samba_ad.hex"))
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != 0x1234 || len(r.Names) != 8 {
		t.Fatalf("id %#x, %d names", r.ID, len(r.Names))
	}
	want := NameEntry{Name: "LAB", Suffix: 0x1c, Group: true, Active: true, NodeType: "M"}
	if r.Names[4] != want {
		t.Errorf("names[4] = %+v, want %+v", r.Names[4], want)
	}
	if !r.Names[6].Permanent || r.Names[6].Name != "__SAMBA__" {
		t.Errorf("names[6] = %+v", r.Names[6])
	}
	d := r.Details()
	if d.Workstation != "DC1" || d.Server != "DC1" || d.Domain != "LAB" || !d.DomainController {
		t.Errorf("details %+v", d)
	}
	if d.MAC != "" {
		t.Errorf("Samba's uninitialised statistics reported as MAC %s", d.MAC)
	}
	if s := d.Summary(); s != "DC1 <20> domain LAB, domain controller" {
		t.Errorf("summary %q", s)
	}
	if name, ok := ServerName(r.Names); !ok || name != "DC1" {
		t.Errorf("ServerName = %q, %v", name, ok)
	}
}

// windowsNodeStatus builds a reply in the shape RFC 1002 4.2.18 gives and
// Windows sends: RR_NAME as a pointer to nothing (0xC00C), a unique <00>
// and <20>, a group <00>, and 46 bytes of statistics led by a MAC.
func windowsNodeStatus(t testing.TB) []byte {
	return probetest.Hex(t, "abcd 8400 0000 0001 0000 0000"+
		"20 434b"+strings.Repeat("41", 30)+"00 0021 0001 00000000 0065"+
		"03"+
		nodeName("WIN19", 0x00, "0400")+ // unique, active, B-node
		nodeName("WIN19", 0x20, "0400")+
		nodeName("WORKGROUP", 0x00, "8400")+ // group
		"0015 5d01 0203"+strings.Repeat("00", 40))
}

// nodeName is the hex of one NODE_NAME entry (RFC 1002 4.2.18).
func nodeName(name string, suffix byte, flags string) string {
	return hex.EncodeToString([]byte(name+strings.Repeat(" ", 15-len(name))+string(rune(suffix)))) + flags
}

func TestParseNodeStatusWindowsShape(t *testing.T) {
	r, err := ParseNodeStatus(windowsNodeStatus(t))
	if err != nil {
		t.Fatal(err)
	}
	d := r.Details()
	if d.MAC != "00:15:5d:01:02:03" || d.Domain != "WORKGROUP" || d.Server != "WIN19" || d.Names[0].NodeType != "B" {
		t.Errorf("details %+v", d)
	}
	if s := d.Summary(); s != "WIN19 <20> domain WORKGROUP" {
		t.Errorf("summary %q", s)
	}
}

func TestParseNodeStatusRejects(t *testing.T) {
	good := probetest.ReadHex(t, "testdata/nodestatus_samba_ad.hex")
	mod := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	cases := map[string][]byte{
		"empty":     nil,
		"request":   AppendNodeStatusRequest(nil, 0x1234),
		"rcode":     mod(func(b []byte) []byte { b[3] |= 0x03; return b }),
		"no answer": mod(func(b []byte) []byte { b[7] = 0; return b }),
		"type NB":   mod(func(b []byte) []byte { b[12+34+1] = 0x20; return b }),
		"truncated": good[:100],
		"opcode":    mod(func(b []byte) []byte { b[2] |= 0x28; return b }),
		// A DNS server's FORMERR with the same ID: no NBSTAT answer.
		"dns formerr": probetest.Hex(t, "1234 8001 0000 0000 0000 0000"),
	}
	for name, b := range cases {
		if _, err := ParseNodeStatus(b); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestNodeStatusDatagram(t *testing.T) {
	q := NodeStatus{Seed: 42}
	req0, req1 := q.Request(probes.Target{}, 0), q.Request(probes.Target{}, 1)
	if bytes.Equal(req0[:2], req1[:2]) {
		t.Errorf("attempts share transaction ID %x", req0[:2])
	}
	if !bytes.Equal(req0, q.Request(probes.Target{}, 0)) {
		t.Error("request not determined by seed and attempt")
	}
	reply := probetest.ReadHex(t, "testdata/nodestatus_samba_ad.hex")
	copy(reply, req0[:2])
	svc, err := q.Parse(req0, reply)
	if err != nil || svc.Protocol != "netbios-ns" {
		t.Fatalf("parse: %v %v", svc, err)
	}
	if _, err := q.Parse(req1, reply); !errors.Is(err, probes.ErrNotForUs) {
		t.Errorf("other attempt's reply: %v, want ErrNotForUs", err)
	}
}

func TestParseSessionReply(t *testing.T) {
	cases := []struct {
		hex  string
		want SessionReply
	}{
		{"82000000", SessionReply{Type: 0x82}}, // testdata/session_positive_samba_ad.hex
		{"8300000182", SessionReply{Type: 0x83, ErrorCode: 0x82}},
		{"84000006c61201140089", SessionReply{Type: 0x84, Retarget: mustAddrPort("198.18.1.20:137")}},
		{"85000000", SessionReply{Type: 0x85}},
	}
	for _, c := range cases {
		got, err := ParseSessionReply(probetest.Hex(t, c.hex))
		if err != nil || got != c.want {
			t.Errorf("%s: got %+v, %v; want %+v", c.hex, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "82", "82000001", "820000", "83000000", "8300000182ff", "00000000", "ff534d42", "82020000", "48545450"} {
		if _, err := ParseSessionReply(probetest.Hex(t, bad)); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
	if got := ErrorText(0x82); got != "called name not present" {
		t.Errorf("ErrorText(0x82) = %q", got)
	}
}

func FuzzParseNodeStatus(f *testing.F) {
	f.Add(probetest.ReadHex(f, "testdata/nodestatus_samba_ad.hex"))
	f.Add(probetest.ReadHex(f, "testdata/nodestatus_nmbd.hex"))
	f.Add(windowsNodeStatus(f))
	f.Add(AppendNodeStatusRequest(nil, 1))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseNodeStatus(b)
		if err == nil {
			_ = r.Details().Summary()
		}
	})
}

func FuzzParseSessionReply(f *testing.F) {
	f.Add(probetest.ReadHex(f, "testdata/session_positive_samba_ad.hex"))
	f.Add(probetest.Hex(f, "8300000182"))
	f.Add(probetest.Hex(f, "84000006c61201140089"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseSessionReply(b)
		if err == nil && len(b) != sessionHeaderLen+sessionTrailerLen(r.Type) {
			t.Errorf("accepted %x with the wrong length", b)
		}
	})
}

func mustAddrPort(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

func TestParseNodeStatusNmbd(t *testing.T) {
	r, err := ParseNodeStatus(probetest.ReadHex(t, "testdata/nodestatus_nmbd.hex"))
	if err != nil {
		t.Fatal(err)
	}
	d := r.Details()
	if len(d.Names) != 7 || d.MAC != "" || d.Domain != "WRLAB" || d.DomainController {
		t.Errorf("%+v", d)
	}
	if mb := d.Names[3]; mb.Name != "\x01\x02__MSBROWSE__\x02" || mb.Suffix != 0x01 || !mb.Group {
		t.Errorf("browse name %+v", mb)
	}
	if s := d.Summary(); s != "FILES1 <20> domain WRLAB" {
		t.Errorf("summary %q", s)
	}
}

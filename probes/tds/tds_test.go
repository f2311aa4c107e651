package tds

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/probetest"
)

// msTDS41 is the pre-login request of [MS-TDS] 4.1, written out here:
// header (type 0x12, status EOM, length 0x2f, SPID 0, packet 1, window 0),
// option tokens VERSION @0x1a+6, ENCRYPTION @0x20+1, INSTOPT @0x21+1,
// THREADID @0x22+4, MARS @0x26+1, TERMINATOR, then the data: version
// 9.0.0.0, ENCRYPT_ON, instance 0x00, thread 0x0db8, MARS on.
const msTDS41 = `12 01 00 2f 00 00 01 00
	00 00 1a 00 06  01 00 20 00 01  02 00 21 00 01  03 00 22 00 04  04 00 26 00 01  ff
	09 00 00 00 00 00  01  00  b8 0d 00 00  01`

// answer2019 is a server's PRELOGIN answer laid out as [MS-TDS] 2.2.6.5
// describes it (written here; the spec has no example of an answer):
// a tabular result packet of 0x2b octets, VERSION 15.0.2000.5 (SQL
// Server 2019 RTM), ENCRYPT_OFF, INSTOPT 0x00 (the instance matched), an
// empty THREADID, MARS off.
const answer2019 = `04 01 00 2b 00 00 01 00
	00 00 1a 00 06  01 00 20 00 01  02 00 21 00 01  03 00 22 00 00  04 00 22 00 01  ff
	0f 00 07 d0 00 05  00  00  00`

// answer2022Req: the same layout from SQL Server 2022 RTM (16.0.1000.6)
// (0x31 octets) with Force Encryption set (ENCRYPT_REQ) and FEDAUTHREQUIRED 0x01
// ([MS-TDS] 2.2.6.5), INSTOPT 0x01 (not the instance asked for).
const answer2022Req = `04 01 00 31 00 00 01 00
	00 00 1f 00 06  01 00 25 00 01  02 00 26 00 01  03 00 27 00 00  04 00 27 00 01  06 00 28 00 01  ff
	10 00 03 e8 00 06  03  01  00  01`

func TestAppendPreloginMatchesSpecExample(t *testing.T) {
	got := AppendPrelogin(nil, Prelogin{Version: Version{Major: 9}, Encryption: EncryptOn, ThreadID: 0x0db8, MARS: true})
	if want := probetest.Hex(t, msTDS41); !bytes.Equal(got, want) {
		t.Fatalf("PRELOGIN\n got %x\nwant %x", got, want)
	}
	p, err := ParsePrelogin(probetest.Hex(t, msTDS41))
	if err != nil {
		t.Fatal(err)
	}
	if p.Version != (Version{Major: 9}) || p.Encryption != EncryptOn || p.ThreadID != 0x0db8 || !p.MARS || p.Instance != "" {
		t.Fatalf("parsed %+v", p)
	}
	// The probe's own request differs only in ENCRYPT_OFF and MARS off.
	req := PreloginProbe{}.Request()
	want := probetest.Hex(t, msTDS41)
	want[0x08+0x20], want[0x08+0x26] = EncryptOff, 0
	if !bytes.Equal(req, want) {
		t.Fatalf("probe request\n got %x\nwant %x", req, want)
	}
}

func TestParseAnswers(t *testing.T) {
	for _, tc := range []struct {
		name, hex, summary string
		check              func(Details) bool
	}{
		{"2019", answer2019, "SQL Server 2019 (15.0.2000.5), ENCRYPT_OFF", func(d Details) bool {
			return d.EncryptionID == EncryptOff && !d.MARS && !d.InstanceMismatch && d.FedAuthRequired == nil
		}},
		{"2022 required", answer2022Req, "SQL Server 2022 (16.0.1000.6), ENCRYPT_REQ", func(d Details) bool {
			return d.EncryptionID == EncryptReq && d.InstanceMismatch && d.FedAuthRequired != nil && *d.FedAuthRequired == 1
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc, err := ServiceOf(probetest.Hex(t, tc.hex))
			if err != nil {
				t.Fatal(err)
			}
			if svc.Protocol != "tds" || svc.Summary != tc.summary || !tc.check(svc.Details.(Details)) {
				t.Fatalf("%q %+v", svc.Summary, svc.Details)
			}
		})
	}
}

func TestProduct(t *testing.T) {
	for v, want := range map[Version]string{
		{Major: 13}: "SQL Server 2016", {Major: 14}: "SQL Server 2017", {Major: 15}: "SQL Server 2019",
		{Major: 16}: "SQL Server 2022", {Major: 10, Minor: 50}: "SQL Server 2008 R2", {Major: 10}: "SQL Server 2008",
		{Major: 42}: "",
	} {
		if got := v.Product(); got != want {
			t.Errorf("%v: %q, want %q", v, got, want)
		}
	}
	if got := EncryptionName(EncryptOn | EncryptClientCert); got != "ENCRYPT_ON|ENCRYPT_CLIENT_CERT" {
		t.Error(got)
	}
}

func TestParseRejects(t *testing.T) {
	good := probetest.Hex(t, answer2019)
	for name, mutate := range map[string]func([]byte) []byte{
		"length":        func(b []byte) []byte { return b[:len(b)-1] },
		"type":          func(b []byte) []byte { b[0] = 0x11; return b },
		"offset beyond": func(b []byte) []byte { b[8+2] = 0x40; return b },
		"no version": func(b []byte) []byte {
			b[8] = optMARS
			return b
		},
		"no terminator": func(b []byte) []byte { b[8+25] = 0x08; return b },
		"short version": func(b []byte) []byte { b[8+4] = 4; return b },
	} {
		if _, err := ParsePrelogin(mutate(append([]byte(nil), good...))); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := ServiceOf(probetest.Hex(t, msTDS41)); err == nil {
		t.Error("a request accepted as the answer")
	}
}

// answerWith is a TDS server that reads a PRELOGIN and answers with b.
func answerWith(b []byte) func(net.Conn) {
	return func(c net.Conn) {
		if _, err := ReadPacket(c, TypePrelogin); err != nil {
			return
		}
		c.Write(b)
		io.Copy(io.Discard, c)
	}
}

func TestPreloginLoopback(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler func(net.Conn)
		state   probes.State
		reason  probes.Reason
	}{
		{"2019", answerWith(probetest.Hex(t, answer2019)), probes.Confirmed, probes.ReasonReply},
		{"strict TDS 8 closes", func(c net.Conn) { ReadPacket(c, TypePrelogin) }, probes.Open, probes.ReasonClosedEarly},
		{"echo", func(c net.Conn) { io.CopyN(c, c, 0x2f) }, probes.Open, probes.ReasonUnexpectedReply},
		{"http", answerWith([]byte("HTTP/1.1 400 Bad Request\r\n\r\n")), probes.Open, probes.ReasonUnexpectedReply},
		{"garbage", probetest.Garbage(64), probes.Open, probes.ReasonUnexpectedReply},
		{"endless", probetest.EndlessStream, probes.Open, probes.ReasonUnexpectedReply},
		{"silent", probetest.Silent, probes.Open, probes.ReasonSynAck},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := probetest.ProbeTCP(t, PreloginProbe{}, probetest.Serve(t, tc.handler), 500*time.Millisecond)
			if r.State != tc.state || r.Reason != tc.reason {
				t.Fatalf("got %v (note %q), want %v %v", r, r.Note, tc.state, tc.reason)
			}
		})
	}
}

func FuzzParsePrelogin(f *testing.F) {
	for _, s := range []string{msTDS41, answer2019, answer2022Req} {
		f.Add(probetest.Hex(f, s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParsePrelogin(b)
		if err == nil && !p.Present[optVersion] {
			t.Fatal("accepted without VERSION")
		}
		if svc, err := ServiceOf(b); err == nil && svc.Summary == "" {
			t.Fatal("empty summary")
		}
		_, _ = ReadPacket(bytes.NewReader(b), TypeTabularResult)
	})
}

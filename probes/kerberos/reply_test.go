package kerberos

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/probetest"
)

func TestParseReplyCaptures(t *testing.T) {
	tests := []struct {
		file   string
		tcp    bool
		code   int32
		realm  string
		client string
		etext  string
		edata  bool
	}{
		{"samba417_error6_udp.hex", false, 6, "WRDEV.TEST", "winreach-nonexistent", "", false},
		{"samba417_error6_tcp.hex", true, 6, "WRDEV.TEST", "winreach-nonexistent", "", false},
		{"samba417_error6_wrongrealm_udp.hex", false, 6, "WINREACH", "winreach-nonexistent", "", false},
		{"samba417_error25_udp.hex", false, 25, "WRDEV.TEST", "Administrator", "Need to use PA-ENC-TIMESTAMP/PA-PK-AS-REQ", true},
		{"samba417_nmap_udp.hex", false, 6, "NM", "", "No client in request", false},
		{"mit120_error6_udp.hex", false, 6, "WRMIT.TEST", "winreach-nonexistent", "CLIENT_NOT_FOUND", false},
		{"mit120_error6_tcp.hex", true, 6, "WRMIT.TEST", "winreach-nonexistent", "CLIENT_NOT_FOUND", false},
		{"mit120_nmap_udp.hex", false, 6, "NM", "", "NULL_CLIENT", false},
	}
	for _, tc := range tests {
		b := probetest.ReadHex(t, "testdata/"+tc.file)
		if tc.tcp {
			// RFC 4120 7.2.2 record mark: the length of the rest.
			if n := int(b[0])<<24 | int(b[1])<<16 | int(b[2])<<8 | int(b[3]); n != len(b)-4 {
				t.Errorf("%s: record mark %d for %d bytes", tc.file, n, len(b)-4)
			}
			b = b[4:]
		}
		r, err := ParseReply(b)
		if err != nil {
			t.Errorf("%s: %v", tc.file, err)
			continue
		}
		client := ""
		if r.Client != nil {
			client = r.Client.String()
		}
		if r.MsgType != MsgKRBError || r.ErrorCode != tc.code || r.Realm != tc.realm || client != tc.client ||
			r.EText != tc.etext || (len(r.EData) > 0) != tc.edata || r.Server.String() != "krbtgt/"+tc.realm {
			t.Errorf("%s: %+v", tc.file, r)
		}
		if r.ServerTime.Year() != 2026 {
			t.Errorf("%s: stime %v", tc.file, r.ServerTime)
		}
	}
}

func TestParseASRep(t *testing.T) {
	// An AS-REP skeleton (RFC 4120 5.4.2): pvno 5, msg-type 11, crealm
	// "LAB.TEST", cname "bob", and ticket and enc-part left as NULLs: the
	// parser reads only the clear fields.
	b := probetest.Hex(t, `6b 32 30 30 a0 03 02 01 05 a1 03 02 01 0b
		a3 0a 1b 08 4c 41 42 2e 54 45 53 54
		a4 10 30 0e a0 03 02 01 01 a1 07 30 05 1b 03 62 6f 62
		a5 02 05 00 a6 02 05 00`)
	r, err := ParseReply(b)
	if err != nil {
		t.Fatal(err)
	}
	if r.MsgType != MsgASRep || r.ClientRealm != "LAB.TEST" || r.Client.String() != "bob" {
		t.Errorf("%+v", r)
	}
	svc, err := ASRequest{}.Parse(nil, b)
	if err != nil || svc.Summary != "Kerberos AS-REP for bob@LAB.TEST without pre-authentication" {
		t.Errorf("%v %+v", err, svc)
	}
}

func TestParseReplyRejects(t *testing.T) {
	good := probetest.ReadHex(t, "testdata/samba417_error6_udp.hex")
	for name, b := range map[string][]byte{
		"empty":         nil,
		"dns reply":     probetest.Hex(t, "12 34 81 80 00 01 00 00 00 00 00 00"),
		"truncated":     good[:len(good)-3],
		"trailing":      append(append([]byte{}, good...), 0),
		"tgs-rep 0x6d":  probetest.Hex(t, "6d 03 30 01 00"),
		"indefinite":    probetest.Hex(t, "7e 80 30 00 00 00"),
		"wrong pvno":    probetest.Hex(t, "7e 14 30 12 a0 03 02 01 04 a1 03 02 01 1e a6 03 02 01 06 a9 01 00"),
		"missing realm": probetest.Hex(t, "7e 11 30 0f a0 03 02 01 05 a1 03 02 01 1e a6 03 02 01 06"),
	} {
		if _, err := ParseReply(b); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

func TestDatagramParse(t *testing.T) {
	a := ASRequest{Realm: "WRDEV.TEST"}
	req := a.Request(probes.Target{}, 0)
	svc, err := a.Parse(req, probetest.ReadHex(t, "testdata/samba417_error6_udp.hex"))
	if err != nil {
		t.Fatal(err)
	}
	d := svc.Details.(*Details)
	if svc.Protocol != "kerberos" || svc.Summary != "Kerberos error 6 C_PRINCIPAL_UNKNOWN" ||
		d.Transport != "udp" || d.RealmNote != RealmNote || d.ErrorName != "KDC_ERR_C_PRINCIPAL_UNKNOWN" {
		t.Errorf("%+v %+v", svc, d)
	}
	if _, err := a.Parse(req, req); err != ErrEcho {
		t.Errorf("echo: %v", err)
	}
	// Error 52 over UDP still confirms a KDC (RFC 4120 7.2.1): the same
	// capture with error-code 6 patched to 52.
	b := probetest.ReadHex(t, "testdata/samba417_error6_udp.hex")
	i := strings.Index(string(b), "\xa6\x03\x02\x01\x06")
	b[i+4] = 52
	svc, err = a.Parse(req, b)
	if err != nil || svc.Summary != "Kerberos error 52 RESPONSE_TOO_BIG (retry over TCP)" {
		t.Errorf("%v %+v", err, svc)
	}
}

func TestRequestsDiffer(t *testing.T) {
	a := ASRequest{}
	if string(a.Request(probes.Target{}, 0)) == string(a.Request(probes.Target{}, 1)) {
		t.Error("two attempts sent the same nonce")
	}
}

// readRecord reads one RFC 4120 7.2.2 record, as a KDC does.
func readRecord(c net.Conn) []byte {
	var mark [4]byte
	if _, err := c.Read(mark[:]); err != nil {
		return nil
	}
	n := int(mark[0])<<24 | int(mark[1])<<16 | int(mark[2])<<8 | int(mark[3])
	b := make([]byte, n)
	if _, err := c.Read(b); err != nil {
		return nil
	}
	return b
}

func TestConverseTCP(t *testing.T) {
	reply := probetest.ReadHex(t, "testdata/mit120_error6_tcp.hex")
	tests := []struct {
		name    string
		handler func(net.Conn)
		state   probes.State
		reason  probes.Reason
	}{
		{"mit kdc", func(c net.Conn) {
			if req, err := ParseReply(readRecord(c)); err != ErrEcho {
				t.Errorf("server got %+v %v", req, err)
			}
			c.Write(reply)
		}, probes.Confirmed, probes.ReasonReply},
		{"echo", func(c net.Conn) {
			req := readRecord(c)
			c.Write(AppendRecord(nil, req))
		}, probes.Open, probes.ReasonUnexpectedReply},
		{"http", func(c net.Conn) {
			readRecord(c)
			c.Write([]byte("HTTP/1.1 400 Bad Request\r\n\r\n"))
		}, probes.Open, probes.ReasonUnexpectedReply},
		{"reserved bit", func(c net.Conn) {
			readRecord(c)
			c.Write([]byte{0x80, 0, 0, 0})
		}, probes.Open, probes.ReasonUnexpectedReply},
		{"endless stream", func(c net.Conn) {
			junk := make([]byte, 4096)
			junk[1] = 0x01 // a plausible 64 KiB+ length, then zeros forever
			for {
				if _, err := c.Write(junk); err != nil {
					return
				}
			}
		}, probes.Open, probes.ReasonUnexpectedReply},
		{"endless within bound", func(c net.Conn) {
			c.Write([]byte{0, 0, 0xff, 0xff, 0x7e})
			for {
				if _, err := c.Write(make([]byte, 4096)); err != nil {
					return
				}
			}
		}, probes.Open, probes.ReasonUnexpectedReply},
		{"close at once", func(c net.Conn) {}, probes.Open, probes.ReasonClosedEarly},
		{"one byte per second", func(c net.Conn) {
			probetest.Dribble(c, reply, time.Second)
		}, probes.Open, probes.ReasonSynAck},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := probetest.ProbeTCP(t, ASRequest{Realm: "WRMIT.TEST"}, probetest.Serve(t, tc.handler), 2*time.Second)
			if r.State != tc.state || r.Reason != tc.reason {
				t.Errorf("got %v (%s), want %v (%s)", r, r.Note, tc.state, tc.reason)
			}
		})
	}
}

func TestUDPLoopback(t *testing.T) {
	kdc := probetest.ReadHex(t, "testdata/samba417_error6_udp.hex")
	for _, tc := range []struct {
		name   string
		reply  func(req []byte) []byte
		state  probes.State
		reason probes.Reason
	}{
		{"kdc", func([]byte) []byte { return kdc }, probes.Confirmed, probes.ReasonReply},
		{"echo", func(req []byte) []byte { return req }, probes.Open, probes.ReasonUnexpectedReply},
		{"garbage", func([]byte) []byte { return []byte("garbage") }, probes.Open, probes.ReasonUnexpectedReply},
		{"silence", func([]byte) []byte { return nil }, probes.OpenFiltered, probes.ReasonNoResponse},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := probetest.ProbeUDP(t, ASRequest{Realm: "WRDEV.TEST"}, probetest.UDPServe(t, tc.reply), 300*time.Millisecond, 0)
			if r.State != tc.state || r.Reason != tc.reason {
				t.Errorf("got %v, want %v (%s)", r, tc.state, tc.reason)
			}
		})
	}
}

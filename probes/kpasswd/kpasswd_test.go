package kpasswd

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/kerberos"
	"github.com/winreach/winreach/probes/probetest"
)

func TestAppendRequest(t *testing.T) {
	// RFC 3244 2: length 14, version 0xff80, AP-REQ length 4, AP-REQ, KRB-PRIV.
	want := probetest.Hex(t, "000e ff80 0004 6e023000 75023000")
	if got := AppendRequest(nil, VersionSet, emptyAPReq, emptyPriv); !bytes.Equal(got, want) {
		t.Errorf("request % x, want % x", got, want)
	}
}

func TestParseSambaReply(t *testing.T) {
	r, err := ParseReply(probetest.ReadHex(t, "testdata/samba417_udp.hex"))
	if err != nil {
		t.Fatal(err)
	}
	if !r.Framed || r.Version != VersionChange || r.APRepLength != 0 || r.Error == nil ||
		r.Error.ErrorCode != 2 || r.Error.Realm != "LAB.TEST" || r.Error.Server.String() != "kadmin/changepw" {
		t.Errorf("%+v %+v", r, r.Error)
	}
	if !r.HasResult || r.ResultCode != 2 || r.ResultString != "gensec_update failed - NT_STATUS_LOGON_FAILURE" {
		t.Errorf("result %d %q", r.ResultCode, r.ResultString)
	}
	svc, err := Request{}.Parse(nil, probetest.ReadHex(t, "testdata/samba417_udp.hex"))
	if err != nil || svc.Protocol != "kpasswd" || svc.Summary != "kpasswd: Kerberos error 2 "+kerberos.ErrorName(2)+", result hard error (gensec_update failed - NT_STATUS_LOGON_FAILURE)" {
		t.Errorf("service %+v %v", svc, err)
	}
}

func TestParseRejects(t *testing.T) {
	good := probetest.ReadHex(t, "testdata/samba417_udp.hex")
	bad := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	for name, b := range map[string][]byte{
		"empty":           nil,
		"short":           good[:5],
		"length":          bad(func(b []byte) []byte { b[1]++; return b }),
		"version":         bad(func(b []byte) []byte { b[3] = 7; return b }),
		"ap-rep beyond":   bad(func(b []byte) []byte { b[4] = 0x7f; return b }),
		"truncated":       good[:len(good)-3],
		"request echoed":  AppendRequest(nil, VersionSet, emptyAPReq, emptyPriv),
		"kerberos as-req": kerberos.AppendASRequest(nil, kerberos.ASReq{Realm: "X", Server: kerberos.Principal{Names: []string{"krbtgt", "X"}}, Till: "20370913024805Z"}),
	} {
		if r, err := ParseReply(b); err == nil {
			t.Errorf("%s accepted: %+v", name, r)
		}
	}
	// A bare KRB-ERROR (no RFC 3244 framing) is accepted: the Samba reply's inner message.
	if r, err := ParseReply(good[6:]); err != nil || r.Framed || r.Error == nil {
		t.Errorf("bare KRB-ERROR: %+v %v", r, err)
	}
}

func TestLoopback(t *testing.T) {
	udp := probetest.ReadHex(t, "testdata/samba417_udp.hex")
	addr := probetest.UDPServe(t, func(req []byte) []byte {
		if !bytes.Equal(req, AppendRequest(nil, VersionSet, emptyAPReq, emptyPriv)) {
			return nil
		}
		return udp
	})
	if r := probetest.ProbeUDP(t, Request{}, addr, 2*time.Second, 1); r.State != probes.Confirmed || r.Service.Protocol != "kpasswd" {
		t.Errorf("udp: %v %+v", r, r.Service)
	}
	tcp := probetest.ReadHex(t, "testdata/samba417_tcp.hex")
	got := make(chan []byte, 1)
	taddr := probetest.Serve(t, func(c net.Conn) {
		buf := make([]byte, 64)
		n, _ := io.ReadAtLeast(c, buf, 18)
		got <- buf[:n]
		c.Write(tcp)
	})
	r := probetest.ProbeTCP(t, Request{}, taddr, 2*time.Second)
	if r.State != probes.Confirmed || r.Service.Protocol != "kpasswd" || r.Service.Details.(Details).Transport != "tcp" {
		t.Errorf("tcp: %v %+v", r, r.Service)
	}
	if req := <-got; !bytes.Equal(req, kerberos.AppendRecord(nil, AppendRequest(nil, VersionSet, emptyAPReq, emptyPriv))) {
		t.Errorf("tcp request % x", req)
	}
}

func FuzzParseReply(f *testing.F) {
	for _, c := range probetest.Captures(f, "testdata/*.hex") {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, err := ParseReply(b); err == nil && r.Error == nil && r.APRepLength == 0 {
			t.Fatal("accepted a reply with neither a KRB-ERROR nor an AP-REP")
		}
		Request{}.Parse(nil, b)
	})
}

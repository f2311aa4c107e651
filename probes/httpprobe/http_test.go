package httpprobe

import (
	"bytes"
	"net"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/probetest"
)

func TestAppendRequest(t *testing.T) {
	// RFC 9112 3 (request-line) and RFC 9110 7.2 (Host).
	want := "HEAD / HTTP/1.0\r\nHost: www.lab.test\r\nUser-Agent: winreach\r\nAccept: */*\r\nConnection: close\r\n\r\n"
	if got := string(AppendRequest(nil, "www.lab.test")); got != want {
		t.Errorf("got %q", got)
	}
}

func TestHostHeader(t *testing.T) {
	for _, tt := range []struct {
		t    probes.Target
		want string
	}{
		{probes.Target{Addr: netip.MustParseAddr("198.18.1.20"), Name: "mail.lab.test"}, "mail.lab.test"},
		{probes.Target{Addr: netip.MustParseAddr("198.18.1.20")}, "198.18.1.20"},
		{probes.Target{Addr: netip.MustParseAddr("fd77:7272::1")}, "[fd77:7272::1]"},
		{probes.Target{Addr: netip.MustParseAddr("::ffff:198.18.1.20")}, "198.18.1.20"},
	} {
		if got := HostHeader(tt.t); got != tt.want {
			t.Errorf("%v: got %q, want %q", tt.t, got, tt.want)
		}
	}
}

func TestParseResponse(t *testing.T) {
	// Captured from nginx 1.22.1 on Debian 12 (testdata/nginx-head.hex):
	// "HTTP/1.1 403 Forbidden\r\nServer: nginx/1.22.1\r\nDate: ...\r\n\r\n".
	r, err := ParseResponse(probetest.ReadHex(t, "testdata/nginx-head.hex"))
	if err != nil {
		t.Fatal(err)
	}
	want := Response{Version: "HTTP/1.1", Status: 403, Reason: "Forbidden", Server: "nginx/1.22.1"}
	if r.Header["server"] != "nginx/1.22.1" || r.Header["date"] == "" {
		t.Errorf("header %v", r.Header)
	}
	r.Header = nil
	if !reflect.DeepEqual(r, want) {
		t.Errorf("got %+v, want %+v", r, want)
	}
	if s := r.Summary(); s != "HTTP/1.1 403 nginx/1.22.1" {
		t.Errorf("summary %q", s)
	}
	// RFC 9110 15.4.2 style redirect, bare LF endings, no Server header.
	r, err = ParseResponse([]byte("HTTP/1.0 301 Moved Permanently\nlocation: /rdweb/\n\n"))
	if err != nil || r.Status != 301 || r.Location != "/rdweb/" || r.Server != "" || r.Incomplete {
		t.Errorf("redirect: %+v, %v", r, err)
	}
	// A head cut off by the read bound still identifies the server.
	r, err = ParseResponse([]byte("HTTP/1.1 200 OK\r\nServer: Microsoft-IIS/10.0\r\nX-Pad: aaaa"))
	if err != nil || !r.Incomplete || r.Server != "Microsoft-IIS/10.0" {
		t.Errorf("truncated: %+v, %v", r, err)
	}
	for _, in := range []string{"", "HTTP/1.1 200 OK", "SSH-2.0-OpenSSH\r\n", "HTTP/1.1 2000 OK\r\n", "HTTP/11 200 OK\r\n", "220 smtp\r\n"} {
		if r, err := ParseResponse([]byte(in)); err == nil {
			t.Errorf("%q accepted as %+v", in, r)
		}
	}
}

func TestHeadLoopback(t *testing.T) {
	reply := probetest.ReadHex(t, "testdata/nginx-head.hex")
	got := make(chan []byte, 1)
	addr := probetest.Serve(t, func(c net.Conn) {
		buf := make([]byte, 1024)
		n, _ := c.Read(buf)
		got <- buf[:n]
		probetest.Reply(reply)(c)
	})
	r := probetest.ProbeTCP(t, Head{}, addr, 5*time.Second)
	if r.State != probes.Confirmed || r.Service.Protocol != "http" || r.Service.Summary != "HTTP/1.1 403 nginx/1.22.1" {
		t.Fatalf("got %v %+v", r, r.Service)
	}
	if req := <-got; !bytes.HasPrefix(req, []byte("HEAD / HTTP/1.0\r\nHost: 127.0.0.1\r\n")) {
		t.Errorf("request %q", req)
	}
}

func FuzzParseResponse(f *testing.F) {
	for _, c := range probetest.Captures(f, "testdata/*.hex") {
		f.Add(c)
	}
	f.Add([]byte("HTTP/1.1 401 \r\nWWW-Authenticate: Basic realm=\"a,\\\"b\", NTLM\r\nContent-Length: 3\r\n\r\nabc"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, err := ParseResponse(b); err == nil {
			_ = r.Summary()
			if len(r.Header) > maxFields || len(r.Auth) > 16 {
				t.Fatalf("unbounded: %d fields, %d schemes", len(r.Header), len(r.Auth))
			}
		}
		ReadReply(bytes.NewReader(b), false, 64)
	})
}

func TestAuthSchemes(t *testing.T) {
	// The 401 of HTTP.sys for WinRM ([MS-WSMV] 3.1.4, default listener
	// with Kerberos and Negotiate), fields as Windows Server sends them.
	r, err := ParseResponse([]byte("HTTP/1.1 401 \r\nServer: Microsoft-HTTPAPI/2.0\r\nWWW-Authenticate: Negotiate\r\nWWW-Authenticate: Kerberos\r\nDate: Sun, 06 Dec 2026 19:00:00 GMT\r\nContent-Length: 0\r\n\r\n"))
	if err != nil || !slices.Equal(r.Auth, []string{"Negotiate", "Kerberos"}) || r.Header["www-authenticate"] != "Negotiate, Kerberos" {
		t.Errorf("%+v %v", r, err)
	}
	// Several challenges in one field, with a quoted comma (RFC 9110 11.6.1).
	r, _ = ParseResponse([]byte("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"a, b\", charset=\"UTF-8\", NTLM, Negotiate\r\n\r\n"))
	if !slices.Equal(r.Auth, []string{"Basic", "NTLM", "Negotiate"}) {
		t.Errorf("auth %v", r.Auth)
	}
}

func TestReadReply(t *testing.T) {
	in := "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhelloEXTRA"
	r, body, err := ReadReply(strings.NewReader(in), false, 100)
	if err != nil || r.Status != 200 || string(body) != "hello" {
		t.Errorf("%+v %q %v", r, body, err)
	}
	_, body, _ = ReadReply(strings.NewReader(in), false, 3)
	if string(body) != "hel" {
		t.Errorf("bounded body %q", body)
	}
	_, body, _ = ReadReply(strings.NewReader(in), true, 100)
	if body != nil {
		t.Errorf("HEAD reply body %q", body)
	}
	if _, _, err := ReadReply(strings.NewReader("SSH-2.0-x\r\n"), false, 10); err == nil {
		t.Error("SSH accepted")
	}
	req := string(AppendRequest11(nil, "h", Request{Method: "POST", Path: "/wsman", Header: [][2]string{{"A", "b"}}, Body: []byte("xy")}))
	if req != "POST /wsman HTTP/1.1\r\nHost: h\r\nUser-Agent: winreach\r\nA: b\r\nContent-Length: 2\r\nConnection: close\r\n\r\nxy" {
		t.Errorf("request %q", req)
	}
}

package winweb

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/httpprobe"
	"github.com/winreach/winreach/probes/probetest"
)

// serve answers each request of the sequence with the head reply(path,
// method) returns, keeping the connection open as HTTP/1.1 does.
func serve(t *testing.T, reply func(method, path string) string) probes.Result {
	addr := probetest.Serve(t, func(c net.Conn) {
		br := bufio.NewReader(c)
		for {
			req, err := http.ReadRequest(br)
			if err != nil {
				return
			}
			if _, err := c.Write([]byte(reply(req.Method, req.URL.Path))); err != nil {
				return
			}
			if req.Close {
				return
			}
		}
	})
	return probetest.ProbeTCP(t, Identify{}, addr, 5*time.Second)
}

// The headers below are those Exchange 2019 documents and sends on its
// virtual directories (X-OWA-Version on OWA pages, X-FEServer everywhere,
// 401 with Negotiate/NTLM on EWS), written for this test.
func exchange(method, path string) string {
	switch {
	case path == "/owa/auth/logon.aspx":
		return "HTTP/1.1 200 OK\r\nServer: Microsoft-IIS/10.0\r\nX-OWA-Version: 15.2.1544.4\r\nX-FEServer: EX01\r\nContent-Length: 0\r\n\r\n"
	case method == "RDG_OUT_DATA":
		return "HTTP/1.1 404 Not Found\r\nServer: Microsoft-IIS/10.0\r\nX-FEServer: EX01\r\nContent-Length: 0\r\n\r\n"
	}
	return "HTTP/1.1 401 Unauthorized\r\nServer: Microsoft-IIS/10.0\r\nWWW-Authenticate: Negotiate\r\nWWW-Authenticate: NTLM\r\nX-FEServer: EX01\r\nContent-Length: 0\r\n\r\n"
}

func TestIdentifyExchange(t *testing.T) {
	r := serve(t, exchange)
	if r.State != probes.Confirmed || r.Service.Protocol != "exchange" || r.Service.Summary != "Exchange 15.2.1544.4 on EX01, auth Negotiate NTLM" {
		t.Fatalf("%v %+v", r, r.Service)
	}
	if d := r.Service.Details.(Details); len(d.Replies) != len(Sequence) || d.RDGateway {
		t.Errorf("details %+v", d)
	}
}

func TestIdentifyRDGateway(t *testing.T) {
	r := serve(t, func(method, path string) string {
		if method == "RDG_OUT_DATA" && path == "/remoteDesktopGateway/" {
			return "HTTP/1.1 401 Unauthorized\r\nServer: Microsoft-HTTPAPI/2.0\r\nWWW-Authenticate: Negotiate\r\nWWW-Authenticate: NTLM\r\nContent-Length: 0\r\n\r\n"
		}
		return "HTTP/1.1 404 Not Found\r\nServer: Microsoft-HTTPAPI/2.0\r\nContent-Length: 0\r\n\r\n"
	})
	if r.Service == nil || r.Service.Protocol != "rd-gateway" || r.Service.Summary != "RD Gateway (HTTP transport), auth Negotiate NTLM" {
		t.Fatalf("%v %+v", r, r.Service)
	}
}

// nginx 1.22 on Debian 12 answers HEAD with 404 and the unknown method
// with 405 (its replies, heads only).
func TestIdentifyNotExchange(t *testing.T) {
	r := serve(t, func(method, path string) string {
		if method == "RDG_OUT_DATA" {
			return "HTTP/1.1 405 Not Allowed\r\nServer: nginx/1.22.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
		}
		return "HTTP/1.1 404 Not Found\r\nServer: nginx/1.22.1\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n"
	})
	want := "nginx/1.22.1: not Exchange (no X-OWA-Version or X-FEServer on /owa, /ews, /autodiscover, /mapi, ActiveSync), not an RD Gateway"
	if r.Service == nil || r.Service.Protocol != "http" || r.Service.Summary != want {
		t.Fatalf("%v %+v", r, r.Service)
	}
	// A server that closes after the first answer: what was learned.
	r = serve(t, func(string, string) string {
		return "HTTP/1.0 200 OK\r\nServer: tiny\r\nConnection: close\r\n\r\n"
	})
	if r.Service == nil || !strings.Contains(r.Service.Summary, "tiny: not Exchange (no X-OWA-Version or X-FEServer in 1 answers") {
		t.Fatalf("%v %+v", r, r.Service)
	}
}

func FuzzJudge(f *testing.F) {
	f.Add([]byte("HTTP/1.1 401 \r\nWWW-Authenticate: Negotiate\r\nX-FEServer: A\r\nX-OWA-Version: 15\r\n\r\n"), uint8(5))
	f.Fuzz(func(t *testing.T, b []byte, which uint8) {
		resp, err := httpprobe.ParseResponse(b)
		if err != nil {
			return
		}
		d := Judge([]Reply{ReplyOf(Sequence[int(which)%len(Sequence)].Name, resp)})
		if d.Conclusion == "" {
			t.Fatal("no conclusion")
		}
	})
}

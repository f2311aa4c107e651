package wsman

import (
	"bytes"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/httpprobe"
	"github.com/winreach/winreach/probes/probetest"
)

// identifyResponse is an IdentifyResponse in the form DSP0226 11.3
// defines and Microsoft's WinRM documentation ("Detecting Whether a
// Remote Computer Supports WS-Management Protocol") describes for an
// unauthenticated Identify: protocol version, vendor, and a product
// version naming the OS and the WinRM stack. Written for this test.
const identifyResponse = `<s:Envelope xml:lang="en-US" xmlns:s="http://www.w3.org/2003/05/soap-envelope">` +
	`<s:Header/><s:Body><wsmid:IdentifyResponse xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd">` +
	`<wsmid:ProtocolVersion>http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd</wsmid:ProtocolVersion>` +
	`<wsmid:ProductVendor>Microsoft Corporation</wsmid:ProductVendor>` +
	`<wsmid:ProductVersion>OS: 0.0.0 SP: 0.0 Stack: 3.0</wsmid:ProductVersion>` +
	`<wsmid:SecurityProfiles><wsmid:SecurityProfileName>http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/http/spnego-kerberos</wsmid:SecurityProfileName></wsmid:SecurityProfiles>` +
	`</wsmid:IdentifyResponse></s:Body></s:Envelope>`

func TestParseIdentifyResponse(t *testing.T) {
	id, err := ParseIdentifyResponse([]byte(identifyResponse))
	if err != nil || id.ProductVendor != "Microsoft Corporation" || id.ProductVersion != "OS: 0.0.0 SP: 0.0 Stack: 3.0" ||
		id.ProtocolVersion != "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" || len(id.SecurityProfiles) != 1 {
		t.Errorf("%+v %v", id, err)
	}
	for _, in := range []string{"", "<html><body>IIS</body></html>", `<s:Envelope><s:Body><Fault/></s:Body></s:Envelope>`} {
		if _, err := ParseIdentifyResponse([]byte(in)); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

func TestAppendIdentify(t *testing.T) {
	b := string(AppendIdentify(nil, "dc1.lab.test"))
	for _, want := range []string{"POST /wsman HTTP/1.1\r\n", "Host: dc1.lab.test\r\n", "WSMANIDENTIFY: unauthenticated\r\n",
		"Content-Type: application/soap+xml;charset=UTF-8\r\n", "<wsmid:Identify/>"} {
		if !strings.Contains(b, want) {
			t.Errorf("request lacks %q:\n%s", want, b)
		}
	}
}

func serveHTTP(t *testing.T, reply string) (probes.Result, []byte) {
	got := make(chan []byte, 1)
	addr := probetest.Serve(t, func(c net.Conn) {
		var req []byte
		buf := make([]byte, 4096)
		for !bytes.Contains(req, []byte("</s:Envelope>")) {
			n, err := c.Read(buf)
			req = append(req, buf[:n]...)
			if err != nil {
				break
			}
		}
		got <- req
		probetest.Reply([]byte(reply))(c)
	})
	r := probetest.ProbeTCP(t, Identify{}, addr, 5*time.Second)
	return r, <-got
}

func TestIdentifyLoopback(t *testing.T) {
	r, req := serveHTTP(t, "HTTP/1.1 200 \r\nContent-Type: application/soap+xml;charset=UTF-8\r\nServer: Microsoft-HTTPAPI/2.0\r\n"+
		"Content-Length: "+itoa(len(identifyResponse))+"\r\n\r\n"+identifyResponse)
	if r.State != probes.Confirmed || r.Service.Protocol != "wsman" || r.Service.Summary != "WS-Management Microsoft Corporation OS: 0.0.0 SP: 0.0 Stack: 3.0" {
		t.Errorf("identify: %v %+v", r, r.Service)
	}
	if !bytes.HasPrefix(req, []byte("POST /wsman HTTP/1.1\r\n")) {
		t.Errorf("request %q", req)
	}
	// WinRM's default: no unauthenticated Identify, a 401 from HTTP.sys.
	r, _ = serveHTTP(t, "HTTP/1.1 401 \r\nServer: Microsoft-HTTPAPI/2.0\r\nWWW-Authenticate: Negotiate\r\nWWW-Authenticate: Kerberos\r\nContent-Length: 0\r\n\r\n")
	if r.Service == nil || r.Service.Protocol != "wsman" || r.Service.Summary != "WinRM (HTTP.sys, 401) auth: Negotiate, Kerberos" {
		t.Errorf("401: %v %+v", r, r.Service)
	}
	// nginx is plainly not WinRM.
	r, _ = serveHTTP(t, "HTTP/1.1 405 Not Allowed\r\nServer: nginx/1.22.1\r\nContent-Length: 0\r\n\r\n")
	if r.Service == nil || r.Service.Protocol != "http" || !strings.HasSuffix(r.Service.Summary, "not WinRM") || r.Service.Details.(Details).WinRM {
		t.Errorf("nginx: %v %+v", r, r.Service)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func FuzzParseIdentifyResponse(f *testing.F) {
	f.Add([]byte(identifyResponse))
	f.Add([]byte("<a><Body><IdentifyResponse><ProtocolVersion>x</ProtocolVersion></IdentifyResponse></Body></a>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if id, err := ParseIdentifyResponse(b); err == nil && id.ProtocolVersion == "" {
			t.Fatal("accepted without a protocol version")
		}
		Judge(httpprobe.Response{Status: 200}, b)
	})
}

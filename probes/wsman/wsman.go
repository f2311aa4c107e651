package wsman

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/httpprobe"
)

// identifyBody is the SOAP 1.2 envelope of an Identify (DSP0226 11.2):
// an empty header and the Identify element in the body.
const identifyBody = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" ` +
	`xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd">` +
	`<s:Header/><s:Body><wsmid:Identify/></s:Body></s:Envelope>`

// Path is the WinRM listener's URL path ([MS-WSMV] 2.1: /wsman).
const Path = "/wsman"

// AppendIdentify appends the HTTP POST carrying an unauthenticated
// Identify to host.
func AppendIdentify(b []byte, host string) []byte {
	return httpprobe.AppendRequest11(b, host, httpprobe.Request{
		Method: "POST",
		Path:   Path,
		Header: [][2]string{
			{"Content-Type", "application/soap+xml;charset=UTF-8"},
			{"WSMANIDENTIFY", "unauthenticated"},
		},
		Body: []byte(identifyBody),
	})
}

// Identity is the IdentifyResponse (DSP0226 11.3).
type Identity struct {
	ProtocolVersion  string   `json:"protocol_version"`
	ProductVendor    string   `json:"product_vendor,omitempty"`
	ProductVersion   string   `json:"product_version,omitempty"`
	SecurityProfiles []string `json:"security_profiles,omitempty"`
}

var errNoIdentify = errors.New("wsman: no IdentifyResponse")

// ParseIdentifyResponse reads the IdentifyResponse element of a SOAP
// envelope; namespaces are matched by local name, as WinRM and
// OpenWSMAN use different prefixes.
func ParseIdentifyResponse(b []byte) (Identity, error) {
	var env struct {
		Body struct {
			Resp *struct {
				ProtocolVersion  string `xml:"ProtocolVersion"`
				ProductVendor    string `xml:"ProductVendor"`
				ProductVersion   string `xml:"ProductVersion"`
				SecurityProfiles struct {
					Names []string `xml:"SecurityProfileName"`
				} `xml:"SecurityProfiles"`
			} `xml:"IdentifyResponse"`
		} `xml:"Body"`
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = false
	if err := d.Decode(&env); err != nil {
		return Identity{}, fmt.Errorf("wsman: %w", err)
	}
	r := env.Body.Resp
	if r == nil || strings.TrimSpace(r.ProtocolVersion) == "" {
		return Identity{}, errNoIdentify
	}
	id := Identity{
		ProtocolVersion: probes.Printable([]byte(strings.TrimSpace(r.ProtocolVersion)), 128),
		ProductVendor:   probes.Printable([]byte(strings.TrimSpace(r.ProductVendor)), 64),
		ProductVersion:  probes.Printable([]byte(strings.TrimSpace(r.ProductVersion)), 96),
	}
	for i, n := range r.SecurityProfiles.Names {
		if i == 8 {
			break
		}
		id.SecurityProfiles = append(id.SecurityProfiles, probes.Printable([]byte(strings.TrimSpace(n)), 128))
	}
	return id, nil
}

// HTTPSys is the Server header of the Windows kernel HTTP stack that
// WinRM (and RD Gateway, and SQL Reporting) listen through.
const HTTPSys = "Microsoft-HTTPAPI/2.0"

// Details is what the listener answered.
type Details struct {
	HTTP     httpprobe.Response `json:"http"`
	Identity *Identity          `json:"identity,omitempty"`
	// WinRM is the verdict: true when the answer identifies WinRM.
	WinRM bool   `json:"winrm"`
	Why   string `json:"why"`
}

// maxBody bounds the IdentifyResponse read: Windows sends under 1 KiB.
const maxBody = 16 << 10

// Identify is the probes.Conversation of TCP 5985 (and, behind
// tlsprobe.Handshake, of 5986).
type Identify struct{}

// Converse implements probes.Conversation.
func (Identify) Converse(ctx context.Context, conn net.Conn, t probes.Target) probes.Answer {
	if err := ctx.Err(); err != nil {
		return probes.Answer{Err: err}
	}
	if _, err := conn.Write(AppendIdentify(nil, httpprobe.HostHeader(t))); err != nil {
		return probes.Answer{Err: err}
	}
	resp, body, err := httpprobe.ReadReply(conn, false, maxBody)
	if err != nil {
		if len(body) > 0 {
			return probes.Answer{Unexpected: body}
		}
		return probes.Answer{Err: err}
	}
	return probes.Answer{Service: Judge(resp, body)}
}

// Judge turns an HTTP reply to the Identify into the service it shows.
func Judge(resp httpprobe.Response, body []byte) *probes.Service {
	d := Details{HTTP: resp}
	httpSys := resp.Server == HTTPSys
	auth := strings.Join(resp.Auth, ", ")
	switch {
	case resp.Status == 200:
		if id, err := ParseIdentifyResponse(body); err == nil {
			d.Identity, d.WinRM = &id, true
			d.Why = "IdentifyResponse"
			s := "WS-Management " + id.ProductVendor
			if id.ProductVersion != "" {
				s += " " + id.ProductVersion
			}
			return &probes.Service{Protocol: "wsman", Summary: strings.TrimSpace(s), Details: d}
		}
		d.Why = "200 without an IdentifyResponse: not WS-Management"
	case resp.Status == 401 && httpSys:
		d.WinRM = true
		d.Why = "401 from HTTP.sys on /wsman: WinRM refuses unauthenticated Identify"
		return &probes.Service{Protocol: "wsman", Summary: "WinRM (HTTP.sys, 401) auth: " + orNone(auth), Details: d}
	case resp.Status == 401:
		d.Why = "401 without " + HTTPSys + ": some other web server asking for " + orNone(auth)
	case httpSys && resp.Status == 404:
		d.Why = "HTTP.sys has no /wsman listener: not WinRM (another HTTP.sys service)"
	default:
		d.Why = fmt.Sprintf("HTTP %d to an Identify: not WinRM", resp.Status)
	}
	return &probes.Service{Protocol: "http", Summary: resp.Summary() + ": not WinRM", Details: d}
}

func orNone(s string) string {
	if s == "" {
		return "none offered"
	}
	return s
}

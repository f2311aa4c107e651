package winweb

import (
	"context"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/httpprobe"
)

// Probe is one request of the sequence and what it looks for.
type Probe struct {
	Name   string // "owa", "ews", "autodiscover", "mapi", "activesync", "rd-gateway"
	Method string
	Path   string
	Header [][2]string
}

// rdgConnectionID is the RDG-Connection-Id of the OUT channel request:
// a GUID in braces ([MS-TSGU] 2.2.3.1.1). A fixed one names winreach.
const rdgConnectionID = "{77696e72-6561-6368-0000-000000000000}"

// Sequence is the requests Identify sends, in order.
var Sequence = []Probe{
	{Name: "owa", Method: "HEAD", Path: "/owa/auth/logon.aspx"},
	{Name: "ews", Method: "HEAD", Path: "/ews/exchange.asmx"},
	{Name: "autodiscover", Method: "HEAD", Path: "/autodiscover/autodiscover.xml"},
	{Name: "mapi", Method: "HEAD", Path: "/mapi/emsmdb/"},
	{Name: "activesync", Method: "HEAD", Path: "/Microsoft-Server-ActiveSync"},
	{Name: "rd-gateway", Method: "RDG_OUT_DATA", Path: "/remoteDesktopGateway/", Header: [][2]string{
		{"RDG-Connection-Id", rdgConnectionID},
		{"Cache-Control", "no-cache"},
		{"Pragma", "ResourceTypeSource=winreach"},
	}},
}

// Reply is one request's answer.
type Reply struct {
	Request string `json:"request"` // Probe.Name
	Status  int    `json:"status"`
	Server  string `json:"server,omitempty"`
	// Auth lists the WWW-Authenticate schemes of a 401.
	Auth []string `json:"auth,omitempty"`
	// Exchange's headers, when sent.
	OWAVersion string `json:"x_owa_version,omitempty"`
	FEServer   string `json:"x_feserver,omitempty"`
	BEServer   string `json:"x_beserver,omitempty"`
	Location   string `json:"location,omitempty"`
}

// ReplyOf keeps what identification needs of one HTTP reply.
func ReplyOf(name string, r httpprobe.Response) Reply {
	out := Reply{Request: name, Status: r.Status, Server: r.Server, Auth: r.Auth, Location: r.Location}
	out.OWAVersion = r.Header["x-owa-version"]
	out.FEServer = r.Header["x-feserver"]
	out.BEServer = r.Header["x-beserver"]
	if out.BEServer == "" {
		out.BEServer = r.Header["x-calculatedbetarget"]
	}
	return out
}

// Details is the identification.
type Details struct {
	Replies []Reply `json:"replies"`
	// Exchange is set when a reply carried Exchange's own headers.
	Exchange   bool     `json:"exchange"`
	Build      string   `json:"build,omitempty"`     // X-OWA-Version
	FrontEnd   string   `json:"front_end,omitempty"` // X-FEServer
	Auth       []string `json:"auth,omitempty"`      // the schemes Exchange's 401s offered
	RDGateway  bool     `json:"rd_gateway"`
	RDGAuth    []string `json:"rd_gateway_auth,omitempty"`
	Server     string   `json:"server,omitempty"`
	Conclusion string   `json:"conclusion"`
}

// Judge identifies the server from the replies.
func Judge(replies []Reply) Details {
	d := Details{Replies: replies}
	for _, r := range replies {
		if d.Server == "" {
			d.Server = r.Server
		}
		if r.Request == "rd-gateway" {
			// An RD Gateway asks for authentication on its OUT channel;
			// a server without the transport refuses the method.
			if r.Status == 401 && len(r.Auth) > 0 {
				d.RDGateway, d.RDGAuth = true, r.Auth
			}
			continue
		}
		if r.OWAVersion != "" || r.FEServer != "" || r.BEServer != "" {
			d.Exchange = true
		}
		if d.Build == "" {
			d.Build = r.OWAVersion
		}
		if d.FrontEnd == "" {
			d.FrontEnd = r.FEServer
		}
		if r.Status == 401 {
			for _, a := range r.Auth {
				if !slices.Contains(d.Auth, a) {
					d.Auth = append(d.Auth, a)
				}
			}
		}
	}
	var parts []string
	if d.Exchange {
		s := "Exchange"
		if d.Build != "" {
			s += " " + d.Build
		}
		if d.FrontEnd != "" {
			s += " on " + d.FrontEnd
		}
		if len(d.Auth) > 0 {
			s += ", auth " + strings.Join(d.Auth, " ")
		}
		parts = append(parts, s)
	}
	if d.RDGateway {
		parts = append(parts, "RD Gateway (HTTP transport), auth "+strings.Join(d.RDGAuth, " "))
	}
	if len(parts) == 0 {
		server := d.Server
		if server == "" {
			server = "a web server without a Server header"
		}
		switch {
		case len(replies) == 0:
			d.Conclusion = "no HTTP answer over TLS"
		case len(replies) < len(Sequence):
			d.Conclusion = server + ": not Exchange (no X-OWA-Version or X-FEServer in " + strconv.Itoa(len(replies)) + " answers before the server closed)"
		default:
			d.Conclusion = server + ": not Exchange (no X-OWA-Version or X-FEServer on /owa, /ews, /autodiscover, /mapi, ActiveSync), not an RD Gateway"
		}
		return d
	}
	d.Conclusion = strings.Join(parts, "; ")
	return d
}

// Identify is the probes.Conversation of HTTPS 443 (behind tlsprobe).
type Identify struct{}

// Converse implements probes.Conversation.
func (Identify) Converse(ctx context.Context, conn net.Conn, t probes.Target) probes.Answer {
	host := httpprobe.HostHeader(t)
	var replies []Reply
	for i, p := range Sequence {
		if ctx.Err() != nil {
			break
		}
		req := httpprobe.Request{Method: p.Method, Path: p.Path, Header: p.Header, KeepAlive: i < len(Sequence)-1}
		if _, err := conn.Write(httpprobe.AppendRequest11(nil, host, req)); err != nil {
			break
		}
		// Every request is a HEAD or gets a bodiless refusal; read heads only.
		resp, raw, err := httpprobe.ReadReply(conn, true, 0)
		if err != nil {
			if len(replies) == 0 {
				if len(raw) > 0 {
					return probes.Answer{Unexpected: raw}
				}
				return probes.Answer{Err: err}
			}
			break
		}
		replies = append(replies, ReplyOf(p.Name, resp))
		if strings.EqualFold(resp.Header["connection"], "close") {
			break
		}
	}
	d := Judge(replies)
	protocol := "http"
	if d.Exchange {
		protocol = "exchange"
	} else if d.RDGateway {
		protocol = "rd-gateway"
	}
	return probes.Answer{Service: &probes.Service{Protocol: protocol, Summary: d.Conclusion, Details: d}}
}

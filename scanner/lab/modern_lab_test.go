//go:build lab

package lab

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
)

// modernHosts are the hosts the modern-catalog run scans.
var modernHosts = []string{"dc", "mail", "rdp", "legacy", "drop", "reject", "closed"}

// TestModernCatalogLab scans the lab with --catalog modern (issue 12) and
// checks state and identification of the new probes against the real
// daemons: chronyd's NTP and Samba's global catalog and kpasswd on the DC,
// xrdp (TCP only) on wr-rdp, nginx (not Exchange) on wr-mail, WinRM and the
// SQL Browser behind the drop and reject firewalls, and the closed host's
// new ports closed.
func TestModernCatalogLab(t *testing.T) {
	RequireRoot(t)
	Up(t)
	t.Cleanup(func() { Down(t) })
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	bin, err := e2eBinary(ctx, t)
	if err != nil {
		t.Fatal(err)
	}
	var targets []string
	for _, n := range modernHosts {
		h, _ := HostByName(n)
		targets = append(targets, h.IPv4)
	}
	args := append([]string{"scan", "--catalog", "modern", "--format", "json", "--no-progress"}, targets...)
	scan, err := e2eWinreach(ctx, nil, bin, args)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("modern scan of %d hosts: %s, exit %d", len(targets), scan.elapsed.Round(100*time.Millisecond), scan.exit)
	if scan.doc.Options.Catalog != "modern" {
		t.Errorf("the document records catalog %q, want modern", scan.doc.Options.Catalog)
	}

	type row struct {
		host, endpoint string
		state          probes.State
		reason         probes.Reason
		protocol       string // "" for none; checked when set
		summary        string // a substring of the service summary
	}
	for _, r := range []row{
		// wr-dc: chronyd -x (W32Time's stand-in), Samba's global catalog and kpasswd.
		{"dc", "udp/123", probes.Confirmed, probes.ReasonReply, "ntp", ""},
		{"dc", "tcp/3268", probes.Confirmed, probes.ReasonReply, "ldap", ""},
		{"dc", "tcp/3269", probes.Confirmed, probes.ReasonReply, "", ""},
		{"dc", "tcp/464", probes.Confirmed, probes.ReasonReply, "kpasswd", "kpasswd"},
		{"dc", "udp/464", probes.Confirmed, probes.ReasonReply, "kpasswd", "kpasswd"},
		{"dc", "tcp/5985", probes.Closed, probes.ReasonReset, "", ""},
		// wr-rdp: xrdp speaks RDP over TCP only.
		{"rdp", "tcp/3389", probes.Confirmed, probes.ReasonReply, "", ""},
		{"rdp", "udp/3389", probes.Closed, probes.ReasonPortUnreachable, "", ""},
		// wr-mail: nginx over TLS, plainly not Exchange nor an RD Gateway.
		{"mail", "tcp/443", probes.Confirmed, probes.ReasonReply, "", "not Exchange"},
		// wr-legacy: the project's stand-ins (winreach-labd --modern), from
		// the specifications' examples: WinRM's 401, TDS, NMF, the SQL
		// Browser (its instance's port followed), RDP's UDP SYN+ACK.
		{"legacy", "tcp/5985", probes.Confirmed, probes.ReasonReply, "wsman", "WinRM (HTTP.sys, 401)"},
		{"legacy", "tcp/1433", probes.Confirmed, probes.ReasonReply, "tds", ""},
		{"legacy", "tcp/9389", probes.Confirmed, probes.ReasonReply, "nmf", ""},
		{"legacy", "udp/1434", probes.Confirmed, probes.ReasonReply, "sql-browser", "1/1 instance ports reachable"},
		// The stand-in answers RDP-UDP on a host without RDP over TCP:
		// no client would set that transport up (it is negotiated inside
		// the TCP connection), so the catalog scan skips it; -p asks for
		// it outright, below.
		{"legacy", "udp/3389", probes.NotTested, probes.ReasonSkipped, "", ""},
		// WinRM and the SQL Browser behind the firewalls.
		{"drop", "tcp/5985", probes.Filtered, probes.ReasonTimeout, "", ""},
		{"drop", "udp/1434", probes.OpenFiltered, probes.ReasonNoResponse, "", ""},
		{"reject", "tcp/5985", probes.Filtered, probes.ReasonAdminProhibited, "", ""},
		{"reject", "udp/1434", probes.Filtered, probes.ReasonAdminProhibited, "", ""},
	} {
		res, ok := e2eEndpoint(scan, r.host, r.endpoint)
		if !ok {
			t.Errorf("%s %s: no result", r.host, r.endpoint)
			continue
		}
		if res.State != r.state || res.Reason != r.reason {
			t.Errorf("%s %s: %s, want %s (%s)", r.host, r.endpoint, res, r.state, r.reason)
		}
		if r.protocol != "" && (res.Service == nil || res.Service.Protocol != r.protocol) {
			t.Errorf("%s %s: service %+v, want protocol %s", r.host, r.endpoint, res.Service, r.protocol)
		}
		if r.summary != "" && (res.Service == nil || !strings.Contains(res.Service.Summary, r.summary)) {
			t.Errorf("%s %s: service %+v, want a summary with %q", r.host, r.endpoint, res.Service, r.summary)
		}
	}
	if res, _ := e2eEndpoint(scan, "dc", "tcp/3269"); res.Service == nil || !strings.Contains(res.Service.Summary, "TLS") {
		t.Errorf("dc tcp/3269: %+v, want the rootDSE over TLS", res.Service)
	}

	// The closed host: every new port of the modern catalog is closed,
	// but for the optional UDP transports of RDP and the RD Gateway,
	// which are not probed where TCP 3389 and TCP 443 are closed.
	for ep, over := range map[string]string{"udp/3389": "TCP 3389", "udp/3391": "TCP 443"} {
		res, ok := e2eEndpoint(scan, "closed", ep)
		if !ok || res.State != probes.NotTested || res.Reason != probes.ReasonSkipped || !strings.Contains(res.Note, over) {
			t.Errorf("closed %s: %s (%s), want not-tested (skipped) naming %s", ep, res, res.Note, over)
		}
	}
	for _, ep := range []string{"tcp/443", "tcp/464", "tcp/587", "tcp/647", "tcp/1433", "tcp/3268", "tcp/3269", "tcp/3343", "tcp/5985", "tcp/5986", "tcp/9389",
		"udp/123", "udp/443", "udp/464", "udp/1434", "udp/3343", "udp/4500"} {
		res, ok := e2eEndpoint(scan, "closed", ep)
		want := probes.ReasonReset
		if strings.HasPrefix(ep, "udp/") {
			want = probes.ReasonPortUnreachable
		}
		if !ok || res.State != probes.Closed || res.Reason != want {
			t.Errorf("closed %s: %s, want closed (%s)", ep, res, want)
		}
	}

	// Verdicts and explanations.
	for _, v := range []struct{ host, function, verdict, explains string }{
		{"dc", "w32time", "reachable", ""},
		{"dc", "global-catalog", "reachable", ""},
		{"dc", "global-catalog-tls", "reachable", ""},
		{"dc", "kpasswd", "reachable", ""},
		{"rdp", "rdp", "reachable", "Remote Desktop (RDP) works over TCP only: UDP 3389 closed (port-unreachable), so no UDP transport"},
		{"drop", "winrm-http", "blocked", ""},
		{"reject", "winrm-http", "blocked", ""},
		{"closed", "winrm-http", "not-listening", ""},
		{"mail", "exchange-https", "reachable", ""},
	} {
		h := scan.hosts[v.host]
		fv, ok := e2eFunction(h, v.function)
		if !ok {
			t.Errorf("%s: no verdict for %s", v.host, v.function)
			continue
		}
		if fv.Verdict.String() != v.verdict || !strings.Contains(fv.Explanation, v.explains) {
			t.Errorf("%s %s: %s (%s), want %s with %q", v.host, v.function, fv.Verdict, fv.Explanation, v.verdict, v.explains)
		}
	}

	// Asked for outright, the stand-in's RDP-UDP SYN+ACK ([MS-RDPEUDP]
	// 3.1.5.1.3) is identified, and the verdict says the UDP transport
	// needs the TCP connection the host lacks.
	legacy, _ := HostByName("legacy")
	p, err := e2eWinreach(ctx, nil, bin, []string{"scan", "--catalog", "modern", "-f", "rdp", "-p", "udp/3389", "--format", "json", "--no-progress", legacy.IPv4})
	if err != nil {
		t.Fatal(err)
	}
	if res, ok := e2eEndpoint(p, "legacy", "udp/3389"); !ok || res.State != probes.Confirmed || res.Service == nil || res.Service.Protocol != "rdp-udp" {
		t.Errorf("legacy udp/3389 asked for with -p: %s %+v", res, res.Service)
	}
	if fv, ok := e2eFunction(p.hosts["legacy"], "rdp"); !ok || !strings.Contains(fv.Explanation, "its UDP transport needs the TCP connection") {
		t.Errorf("legacy rdp: %+v", fv)
	}
}

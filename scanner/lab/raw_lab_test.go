//go:build lab

package lab

import (
	"strconv"
	"strings"
	"testing"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes"
)

// e2eICMPCase is what one kind of lab host answers to each transport, by
// the ICMP traffic it sends (issue 5): the test checks winreach reports
// exactly that, with the ICMP type, code and sender.
type e2eICMPCase struct {
	host      string
	transport catalog.Transport
	state     probes.State
	reason    probes.Reason
	// icmpType/icmpCode/from: the ICMP error expected in the result
	// (icmpType 0: none); from "target" or "client".
	icmpType, icmpCode int
	from               string
}

var e2eICMPCases = []e2eICMPCase{
	// wr-closed: no handler, no firewall, rate-limited ICMP errors
	{"closed", catalog.TCP, probes.Closed, probes.ReasonReset, 0, 0, ""},
	{"closed", catalog.UDP, probes.Closed, probes.ReasonPortUnreachable, 3, 3, "target"},
	{"closed", catalog.IP, probes.Closed, probes.ReasonProtoUnreachable, 3, 2, "target"},
	// wr-reset: nftables reject with tcp reset / port- / protocol-unreachable
	{"reset", catalog.TCP, probes.Closed, probes.ReasonReset, 0, 0, ""},
	{"reset", catalog.UDP, probes.Closed, probes.ReasonPortUnreachable, 3, 3, "target"},
	{"reset", catalog.IP, probes.Closed, probes.ReasonProtoUnreachable, 3, 2, "target"},
	// wr-drop: silence
	{"drop", catalog.TCP, probes.Filtered, probes.ReasonTimeout, 0, 0, ""},
	{"drop", catalog.UDP, probes.OpenFiltered, probes.ReasonNoResponse, 0, 0, ""},
	{"drop", catalog.IP, probes.OpenFiltered, probes.ReasonNoResponse, 0, 0, ""},
	// wr-reject: ICMP 3/13 (communication administratively prohibited)
	{"reject", catalog.TCP, probes.Filtered, probes.ReasonAdminProhibited, 3, 13, "target"},
	{"reject", catalog.UDP, probes.Filtered, probes.ReasonAdminProhibited, 3, 13, "target"},
	{"reject", catalog.IP, probes.Filtered, probes.ReasonAdminProhibited, 3, 13, "target"},
	// 198.18.1.99: no ARP answer; wr-client's stack reports ICMP 3/1 itself
	// (TCP and UDP: or, before the kernel gives up on ARP, winreach's
	// reading of the neighbour table, with no ICMP message: "arp")
	{"absent", catalog.TCP, probes.Filtered, probes.ReasonHostUnreachable, 3, 1, "arp"},
	{"absent", catalog.UDP, probes.Filtered, probes.ReasonHostUnreachable, 3, 1, "arp"},
	{"absent", catalog.IP, probes.Filtered, probes.ReasonHostUnreachable, 3, 1, "arp"},
}

// TestRawLab checks issue 5 against the lab: the raw IP probes (GRE, ESP,
// AH, RSVP) and the ICMP-aware reasons of TCP and UDP on the hosts that
// close, drop, reject and do not exist, then the unprivileged run.
func TestRawLab(t *testing.T) {
	r := e2eResults(t)
	scan := r.main

	t.Run("icmp-reasons", func(t *testing.T) {
		for _, c := range e2eICMPCases {
			h, _ := HostByName(c.host)
			n := 0
			for _, er := range scan.hosts[c.host].Endpoints {
				if er.Endpoint.Transport != c.transport {
					continue
				}
				n++
				where := c.host + " " + h.IPv4 + " " + er.Endpoint.String()
				if er.State != c.state || er.Reason != c.reason {
					t.Errorf("%s: %s %s, want %s %s%s", where, er.State, er.Reason, c.state, c.reason, e2eNoteSuffix(er.Result))
				}
				switch {
				case c.icmpType == 0 && er.ICMP != nil:
					t.Errorf("%s: ICMP %d/%d from %s, want none", where, er.ICMP.Type, er.ICMP.Code, er.ICMP.From)
				case c.icmpType != 0 && er.ICMP == nil && c.state == probes.Closed && er.Endpoint == catalog.Endpoint{Transport: catalog.UDP, Port: 67}:
					// The DHCP probe learns port-unreachable as ECONNREFUSED on
					// its connected socket, without the ICMP message.
				case c.from == "arp" && er.ICMP == nil:
					if !strings.Contains(er.Note, "no ARP") {
						t.Errorf("%s: neither ICMP 3/1 nor the neighbour-table note (%q)", where, er.Note)
					}
				case c.icmpType != 0 && er.ICMP == nil:
					t.Errorf("%s: no ICMP message in the result, want %d/%d", where, c.icmpType, c.icmpCode)
				case c.icmpType != 0:
					from := h.IPv4
					if c.from == "client" || c.from == "arp" {
						from = e2eClientAddr
					}
					if er.ICMP.Type != c.icmpType || er.ICMP.Code != c.icmpCode || er.ICMP.From.String() != from {
						t.Errorf("%s: ICMP %d/%d from %s, want %d/%d from %s", where, er.ICMP.Type, er.ICMP.Code, er.ICMP.From, c.icmpType, c.icmpCode, from)
					}
				}
			}
			if n == 0 {
				t.Errorf("%s: no %s endpoint in the report", c.host, c.transport)
			}
		}
	})

	t.Run("raw-notes", func(t *testing.T) {
		// a router's (here: our own stack's) answer is named as such, or the
		// neighbour table's word that nothing answers ARP for the address
		for _, p := range CatalogProto {
			res, _ := e2eEndpoint(scan, "absent", "ip/"+strconv.Itoa(p))
			if !strings.Contains(res.Note, "sent by "+e2eClientAddr+", not by the target") && !strings.Contains(res.Note, "no ARP") {
				t.Errorf("absent ip/%d: note %q does not name the sender", p, res.Note)
			}
		}
	})

	t.Run("unprivileged", func(t *testing.T) { e2eUnprivileged(t, r) })
}

// e2eUnprivileged checks the run as uid 65534 without CAP_NET_RAW.
func e2eUnprivileged(t *testing.T, r *e2eRun) {
	if r.unprivErr != nil {
		t.Fatalf("unprivileged run: %v", r.unprivErr)
	}
	u := r.unpriv
	h, ok := u.hosts[e2eUnprivHost]
	if !ok {
		t.Fatalf("unprivileged run: %s not in the report", e2eUnprivHost)
	}
	t.Logf("unprivileged run: exit %d, stderr %q", u.exit, u.stderr)
	// exit status: a result (0 or 1; e2eWinreach already refused others)
	if u.exit != 0 && u.exit != 1 {
		t.Errorf("exit status %d, want 0 or 1", u.exit)
	}
	// stderr: exactly one line, saying how to grant the capability
	lines := strings.Split(strings.TrimRight(u.stderr, "\n"), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "CAP_NET_RAW") || !strings.Contains(lines[0], "setcap cap_net_raw,cap_net_bind_service+ep") {
		t.Errorf("stderr should be one line saying how to grant CAP_NET_RAW and CAP_NET_BIND_SERVICE (setcap cap_net_raw,cap_net_bind_service+ep), got %d lines:\n%s", len(lines), u.stderr)
	}
	root := r.main.hosts[e2eUnprivHost]
	rootResults := root.Results()
	raw := 0
	for _, er := range h.Endpoints {
		rr, ok := rootResults[er.Endpoint]
		if !ok {
			t.Errorf("%s: in the unprivileged report only", er.Endpoint)
			continue
		}
		switch {
		case er.Endpoint.Transport == catalog.IP:
			raw++
			if er.State != probes.NotTested || er.Reason != probes.ReasonNeedsPrivilege {
				t.Errorf("%s: %s %s, want not-tested needs-privilege", er.Endpoint, er.State, er.Reason)
			}
			if !strings.Contains(er.Note, "CAP_NET_RAW") {
				t.Errorf("%s: note %q does not name CAP_NET_RAW", er.Endpoint, er.Note)
			}
		case er.Endpoint == catalog.Endpoint{Transport: catalog.UDP, Port: 67}:
			// DHCPINFORM's answer goes to port 68, which only a privileged
			// process can bind (issue 4): this one is not-tested too.
			if er.State != probes.NotTested || er.Reason != probes.ReasonNeedsPrivilege {
				t.Errorf("%s: %s %s, want not-tested needs-privilege (port 68)", er.Endpoint, er.State, er.Reason)
			}
		default:
			// TCP and UDP: the same as the root run, ICMP reasons included
			// (IP_RECVERR needs no privilege).
			if er.State != rr.State || er.Reason != rr.Reason {
				t.Errorf("%s: unprivileged %s %s, as root %s %s", er.Endpoint, er.State, er.Reason, rr.State, rr.Reason)
			}
			if (er.Service == nil) != (rr.Service == nil) || (er.Service != nil && er.Service.Protocol != rr.Service.Protocol) {
				t.Errorf("%s: unprivileged service %v, as root %v", er.Endpoint, er.Service, rr.Service)
			}
		}
	}
	if raw != len(CatalogProto) {
		t.Errorf("%d ip/* endpoints in the unprivileged report, want %d", raw, len(CatalogProto))
	}
	if len(h.Endpoints) != len(root.Endpoints) {
		t.Errorf("%d endpoints unprivileged, %d as root", len(h.Endpoints), len(root.Endpoints))
	}
	// verdicts: the functions that need a raw endpoint are not-tested,
	// never a silent pass; PPTP says which part is missing.
	for _, id := range []string{"pptp", "esp", "ah", "rsvp"} {
		fv, ok := e2eFunction(h, id)
		if !ok || fv.Verdict.String() != "not-tested" {
			t.Errorf("%s: verdict %s (%s), want not-tested", id, fv.Verdict, fv.Explanation)
		}
	}
	if fv, _ := e2eFunction(h, "pptp"); !strings.Contains(fv.Explanation, "GRE (IP 47) not-tested (needs-privilege)") {
		t.Errorf("pptp: explanation %q does not say GRE was not tested", fv.Explanation)
	}
	if fv, _ := e2eFunction(h, "isakmp"); fv.Verdict.String() != "reachable" {
		t.Errorf("isakmp: verdict %s unprivileged, want reachable (UDP 500 needs no privilege)", fv.Verdict)
	}
}

package logon

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/dcerpc"
	"github.com/winreach/winreach/probes/suite"
	"github.com/winreach/winreach/scanner"
)

const dcAddr = "198.18.1.10"

var (
	confirmed = probes.Result{State: probes.Confirmed, Reason: probes.ReasonReply}
	silent    = probes.Result{State: probes.OpenFiltered, Reason: probes.ReasonNoResponse, Wait: 6 * time.Second}
	timeout   = probes.Result{State: probes.Filtered, Reason: probes.ReasonTimeout, Wait: 4 * time.Second}
	rst       = probes.Result{State: probes.Closed, Reason: probes.ReasonReset}
)

func icmp(reason probes.Reason, from string) probes.Result {
	return probes.Result{State: probes.Filtered, Reason: reason, ICMP: &probes.ICMP{Type: 3, Code: 13, From: netip.MustParseAddr(from)}}
}

func svc(r probes.Result, summary string) probes.Result {
	r.Service = &probes.Service{Protocol: "x", Summary: summary}
	return r
}

// healthy is what the lab's Samba DC gives: every service answers, and
// UDP 138 stays silent as it always does.
func healthy() map[string]probes.Result {
	return map[string]probes.Result{
		"udp/53":  svc(confirmed, "DNS: 13 root NS"),
		"udp/137": svc(confirmed, "NetBIOS DC1 <00> LAB <1c>"),
		"udp/138": silent,
		"udp/389": svc(confirmed, "CLDAP netlogon: dc1.lab.test in lab.test"),
		"tcp/88":  svc(confirmed, "Kerberos KDC LAB.TEST"),
		"udp/88":  svc(confirmed, "Kerberos KDC LAB.TEST"),
		"tcp/389": svc(confirmed, "LDAP rootDSE lab.test"),
		"tcp/445": svc(confirmed, "SMB 3.1.1 signing required"),
		"tcp/139": svc(confirmed, "NetBIOS session, SMB 3.1.1"),
		"tcp/135": svc(confirmed, "DCE/RPC endpoint mapper"),
		"udp/445": rst,
	}
}

func with(base map[string]probes.Result, changes map[string]probes.Result) map[string]probes.Result {
	for k, v := range changes {
		base[k] = v
	}
	return base
}

func host(results map[string]probes.Result) scanner.HostResult {
	h := scanner.HostResult{Address: netip.MustParseAddr(dcAddr), Name: "dc1.lab.test", Status: scanner.StatusComplete}
	for k, r := range results {
		e, err := catalog.ParseEndpoint(k)
		if err != nil {
			panic(err)
		}
		h.Endpoints = append(h.Endpoints, scanner.EndpointResult{Endpoint: e, Result: r})
	}
	return h
}

func findCheck(t *testing.T, r Report, ep string) Check {
	t.Helper()
	for _, s := range r.Steps {
		for _, c := range s.Checks {
			if c.Endpoint.String() == ep {
				return c
			}
		}
	}
	t.Fatalf("no check for %s", ep)
	return Check{}
}

func stepStatuses(r Report) []string {
	var out []string
	for _, s := range r.Steps {
		out = append(out, s.ID+"="+string(s.Status))
	}
	return out
}

func TestExplain(t *testing.T) {
	for _, tc := range []struct {
		name     string
		results  map[string]probes.Result
		canLogOn bool
		w2k, nb  Status
		steps    []string
		evidence map[string]string // endpoint -> substring of its evidence
		fix      map[string]string // endpoint -> its fix, exactly ("" for none)
		impact   map[string]string // endpoint -> substring of its impact
		conclude string
	}{
		{
			name: "healthy DC", results: healthy(), canLogOn: true, w2k: Works, nb: Uncertain,
			steps: []string{"name-resolution=works", "dc-locator=uncertain", "kerberos=works", "ldap=works", "smb=works", "rpc=works"},
			evidence: map[string]string{
				"udp/138": "NetBIOS datagrams (UDP 138) get no answer and ICMP says nothing: nothing answers a bare datagram there, and the DC answers NetBIOS name queries (UDP 137), so it is probably delivered",
				"tcp/445": "SMB direct host (TCP 445) answers: SMB 3.1.1 signing required",
			},
			fix:      map[string]string{"udp/138": "", "tcp/445": ""},
			conclude: "A logon to 198.18.1.10 can work: the Windows 2000 (DNS, CLDAP, Kerberos, LDAP, SMB 445) path works; the NetBIOS (UDP 137, UDP 138, TCP 139) path is not blocked, but NetBIOS datagrams (UDP 138) only stayed silent.",
		},
		{
			// The example: UDP 138 and TCP 139 dropped on the path.
			name: "NetBIOS datagrams and session dropped", results: with(healthy(), map[string]probes.Result{"udp/138": silent, "tcp/139": timeout}),
			canLogOn: true, w2k: Works, nb: Breaks,
			steps: []string{"name-resolution=works", "dc-locator=uncertain", "kerberos=works", "ldap=works", "smb=partly", "rpc=works"},
			evidence: map[string]string{
				"udp/138": "NetBIOS datagrams (UDP 138) get no answer and ICMP says nothing: likely dropped between here and 198.18.1.10, as TCP 139 is",
				"tcp/139": "NetBIOS session (TCP 139) gets no answer and ICMP says nothing: likely dropped between here and 198.18.1.10",
			},
			impact: map[string]string{"udp/138": "if so, a logon through NetBIOS will stall", "tcp/139": "a logon through NetBIOS cannot open a session"},
			fix: map[string]string{
				"udp/138": "allow UDP 138 to 198.18.1.10, or use Kerberos/SMB direct host (TCP 445, reachable)",
				"tcp/139": "allow TCP 139 to 198.18.1.10, or use Kerberos/SMB direct host (TCP 445, reachable)",
			},
			conclude: "A logon to 198.18.1.10 can work: the Windows 2000 (DNS, CLDAP, Kerberos, LDAP, SMB 445) path works; the NetBIOS (UDP 137, UDP 138, TCP 139) path breaks at NetBIOS session (TCP 139).",
		},
		{
			name: "everything dropped", canLogOn: false, w2k: Breaks, nb: Breaks,
			results: map[string]probes.Result{
				"udp/53": silent, "udp/137": silent, "udp/138": silent, "udp/389": silent, "tcp/88": timeout, "udp/88": silent,
				"tcp/389": timeout, "tcp/445": timeout, "tcp/139": timeout, "tcp/135": timeout,
			},
			steps: []string{"name-resolution=uncertain", "dc-locator=uncertain", "kerberos=breaks", "ldap=breaks", "smb=breaks", "rpc=breaks"},
			evidence: map[string]string{
				"udp/53":  "DNS (UDP 53) gets no answer and ICMP says nothing: likely dropped between here and 198.18.1.10 (a DC answers this probe)",
				"udp/138": "likely dropped between here and 198.18.1.10, as TCP 139 is",
			},
			fix: map[string]string{
				"udp/53":  "allow UDP 53 to 198.18.1.10",
				"tcp/445": "allow TCP 445 to 198.18.1.10",
				"tcp/135": "allow TCP 135 to 198.18.1.10",
			},
			// UDP 88 silence proves nothing, so Kerberos is not named.
			impact:   map[string]string{"tcp/88": "tickets too big for one datagram"},
			conclude: "A logon to 198.18.1.10 cannot work: the Windows 2000 (DNS, CLDAP, Kerberos, LDAP, SMB 445) path breaks at LDAP (TCP 389), SMB direct host (TCP 445); the NetBIOS (UDP 137, UDP 138, TCP 139) path breaks at NetBIOS session (TCP 139).",
		},
		{
			name: "SMB 445 rejected by a firewall, NetBIOS path open", canLogOn: true, w2k: Breaks, nb: Uncertain,
			results: with(healthy(), map[string]probes.Result{"tcp/445": icmp(probes.ReasonAdminProhibited, "198.18.1.1")}),
			steps:   []string{"name-resolution=works", "dc-locator=uncertain", "kerberos=works", "ldap=works", "smb=partly", "rpc=works"},
			evidence: map[string]string{
				"tcp/445": "SMB direct host (TCP 445) is rejected by 198.18.1.1 (ICMP administratively prohibited)",
			},
			fix: map[string]string{
				"tcp/445": "allow TCP 445 to 198.18.1.10 on the firewall at 198.18.1.1, or rely on the NetBIOS path (UDP 137, UDP 138, TCP 139, not blocked) for NT-style logons",
			},
			conclude: "A logon to 198.18.1.10 can work: the Windows 2000 (DNS, CLDAP, Kerberos, LDAP, SMB 445) path breaks at SMB direct host (TCP 445); the NetBIOS (UDP 137, UDP 138, TCP 139) path is not blocked, but NetBIOS datagrams (UDP 138) only stayed silent.",
		},
		{
			name: "DC's own firewall, no DNS server, no NetBIOS", canLogOn: false, w2k: Breaks, nb: Breaks,
			results: with(healthy(), map[string]probes.Result{
				"tcp/389": icmp(probes.ReasonAdminProhibited, dcAddr),
				"udp/53":  {State: probes.Closed, Reason: probes.ReasonPortUnreachable},
				"udp/137": {State: probes.Closed, Reason: probes.ReasonPortUnreachable},
				"udp/138": {State: probes.Closed, Reason: probes.ReasonPortUnreachable},
				"tcp/139": rst,
			}),
			steps: []string{"name-resolution=breaks", "dc-locator=partly", "kerberos=works", "ldap=breaks", "smb=partly", "rpc=works"},
			evidence: map[string]string{
				"tcp/389": "LDAP (TCP 389) is rejected by 198.18.1.10 itself (ICMP administratively prohibited)",
				"udp/53":  "nothing listens on DNS (UDP 53): 198.18.1.10 answered with ICMP port unreachable, so the path is open",
				"tcp/139": "nothing listens on NetBIOS session (TCP 139): 198.18.1.10 answered with a TCP reset, so the path is open",
			},
			fix: map[string]string{
				"tcp/389": "allow TCP 389 to 198.18.1.10 in the DC's own firewall",
				"udp/53":  "start a DNS server on 198.18.1.10 (UDP 53)",
				"udp/138": "start the NetBIOS datagram service on 198.18.1.10 (UDP 138)",
			},
		},
		{
			name: "Kerberos over UDP only", canLogOn: true, w2k: Works, nb: Uncertain,
			results: with(healthy(), map[string]probes.Result{"tcp/88": timeout}),
			steps:   []string{"name-resolution=works", "dc-locator=uncertain", "kerberos=partly", "ldap=works", "smb=works", "rpc=works"},
			impact:  map[string]string{"tcp/88": "tickets too big for one datagram"},
			fix:     map[string]string{"tcp/88": "allow TCP 88 to 198.18.1.10", "udp/88": ""},
		},
		{
			name: "Kerberos over TCP only", canLogOn: true, w2k: Works, nb: Uncertain,
			results: with(healthy(), map[string]probes.Result{"udp/88": icmp(probes.ReasonAdminProhibited, "198.18.1.1")}),
			steps:   []string{"name-resolution=works", "dc-locator=uncertain", "kerberos=partly", "ldap=works", "smb=works", "rpc=works"},
			impact:  map[string]string{"udp/88": "clients that try UDP first wait for a timeout before they use TCP 88, which works"},
			fix:     map[string]string{"udp/88": ""},
		},
		{
			name: "Kerberos blocked both ways", canLogOn: true, w2k: Breaks, nb: Uncertain,
			results: with(healthy(), map[string]probes.Result{"tcp/88": timeout, "udp/88": icmp(probes.ReasonAdminProhibited, "198.18.1.1")}),
			steps:   []string{"name-resolution=works", "dc-locator=uncertain", "kerberos=breaks", "ldap=works", "smb=works", "rpc=works"},
			impact:  map[string]string{"tcp/88": "Kerberos fails: Windows falls back to NTLM", "udp/88": "Kerberos fails"},
			fix:     map[string]string{"udp/88": "allow UDP 88 to 198.18.1.10 on the firewall at 198.18.1.1"},
			conclude: "A logon to 198.18.1.10 can work: the Windows 2000 (DNS, CLDAP, Kerberos, LDAP, SMB 445) path breaks at Kerberos (TCP 88) and Kerberos (UDP 88); " +
				"the NetBIOS (UDP 137, UDP 138, TCP 139) path is not blocked, but NetBIOS datagrams (UDP 138) only stayed silent.",
		},
		{
			name: "host unreachable from a router", canLogOn: false, w2k: Breaks, nb: Breaks,
			results: map[string]probes.Result{
				"udp/53": icmp(probes.ReasonHostUnreachable, "198.18.1.1"), "udp/137": icmp(probes.ReasonHostUnreachable, "198.18.1.1"),
				"udp/138": icmp(probes.ReasonHostUnreachable, "198.18.1.1"), "udp/389": icmp(probes.ReasonHostUnreachable, "198.18.1.1"),
				"tcp/88": icmp(probes.ReasonHostUnreachable, "198.18.1.1"), "udp/88": icmp(probes.ReasonHostUnreachable, "198.18.1.1"),
				"tcp/389": icmp(probes.ReasonHostUnreachable, "198.18.1.1"), "tcp/445": icmp(probes.ReasonHostUnreachable, "198.18.1.1"),
				"tcp/139": icmp(probes.ReasonHostUnreachable, "198.18.1.1"), "tcp/135": icmp(probes.ReasonHostUnreachable, "198.18.1.1"),
			},
			steps:    []string{"name-resolution=breaks", "dc-locator=breaks", "kerberos=breaks", "ldap=breaks", "smb=breaks", "rpc=breaks"},
			evidence: map[string]string{"tcp/445": "SMB direct host (TCP 445): 198.18.1.1 says host unreachable"},
		},
		{
			name: "interrupted before anything ran", canLogOn: false, w2k: StatusNotTested, nb: StatusNotTested,
			results:  map[string]probes.Result{},
			steps:    []string{"name-resolution=not-tested", "dc-locator=not-tested", "kerberos=not-tested", "ldap=not-tested", "smb=not-tested", "rpc=not-tested"},
			evidence: map[string]string{"tcp/445": "SMB direct host (TCP 445) was not probed (the scan was interrupted)"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Explain(host(tc.results))
			if r.CanLogOn != tc.canLogOn || r.Paths[0].Status != tc.w2k || r.Paths[1].Status != tc.nb {
				t.Errorf("can log on %v, paths %s/%s; want %v, %s/%s", r.CanLogOn, r.Paths[0].Status, r.Paths[1].Status, tc.canLogOn, tc.w2k, tc.nb)
			}
			if got := stepStatuses(r); !slices.Equal(got, tc.steps) {
				t.Errorf("steps %v\nwant  %v", got, tc.steps)
			}
			for ep, want := range tc.evidence {
				if c := findCheck(t, r, ep); !strings.Contains(c.Evidence, want) {
					t.Errorf("%s evidence %q\nwant it to contain %q", ep, c.Evidence, want)
				}
			}
			for ep, want := range tc.impact {
				if c := findCheck(t, r, ep); !strings.Contains(c.Impact, want) {
					t.Errorf("%s impact %q, want %q", ep, c.Impact, want)
				}
			}
			for ep, want := range tc.fix {
				if c := findCheck(t, r, ep); c.Fix != want {
					t.Errorf("%s fix %q\nwant %q", ep, c.Fix, want)
				}
			}
			if tc.conclude != "" && r.Conclusion != tc.conclude {
				t.Errorf("conclusion %q\nwant       %q", r.Conclusion, tc.conclude)
			}
		})
	}
}

func TestExplainInterruptedSaysSo(t *testing.T) {
	h := host(map[string]probes.Result{"tcp/445": confirmed})
	h.Status = scanner.StatusPartial
	if r := Explain(h); !strings.HasPrefix(r.Conclusion, "The scan was interrupted; so far, a logon to 198.18.1.10 cannot work: the Windows 2000 (DNS, CLDAP, Kerberos, LDAP, SMB 445) path was not fully tested") {
		t.Errorf("conclusion %q", r.Conclusion)
	}
}

// The endpoint mapper's followed ports become checks of the RPC step.
func TestExplainDynamicRPCPorts(t *testing.T) {
	epm := svc(confirmed, "DCE/RPC endpoint mapper, 1/2 dynamic ports reachable")
	epm.Service.Details = suite.RPCDetails{Details: &dcerpc.Details{}, Followed: []dcerpc.FollowResult{
		{Port: 49152, Interfaces: []dcerpc.Interface{{Name: "netlogon"}, {Name: "lsarpc"}}, Result: timeout},
		{Port: 49153, Interfaces: []dcerpc.Interface{{Name: "drsuapi"}}, Result: svc(confirmed, "bind accepted")},
	}}
	r := Explain(host(with(healthy(), map[string]probes.Result{"tcp/135": epm})))
	rpc := r.Steps[5]
	if rpc.ID != "rpc" || rpc.Status != Partly || len(rpc.Checks) != 3 {
		t.Fatalf("rpc step %+v", rpc)
	}
	c := rpc.Checks[1]
	if c.Label != "RPC dynamic port TCP 49152 (netlogon, lsarpc)" || c.Cause != Dropped ||
		c.Fix != "allow TCP 49152 to 198.18.1.10 (or the DC's dynamic RPC range, 49152-65535 by default)" ||
		!strings.Contains(c.Impact, "RPC over TCP to netlogon, lsarpc fails after the lookup") {
		t.Errorf("dynamic check %+v", c)
	}
	if rpc.Checks[2].Cause != Reachable || rpc.Checks[2].Fix != "" {
		t.Errorf("reachable dynamic port %+v", rpc.Checks[2])
	}
	// RPC is not required: the logon can still work.
	if !r.CanLogOn || !slices.Contains(r.Fixes, c.Fix) {
		t.Errorf("can log on %v, fixes %v", r.CanLogOn, r.Fixes)
	}
}

func TestFunctionsAreInTheCatalog(t *testing.T) {
	c := catalog.Default()
	for _, id := range Functions() {
		if _, ok := c.Function(id); !ok {
			t.Errorf("%s is not a catalog function", id)
		}
	}
	// Every endpoint a step explains is probed: a function's or an extra one.
	fns := make([]catalog.Function, 0)
	for _, id := range Functions() {
		f, _ := c.Function(id)
		fns = append(fns, f)
	}
	sel := scanner.Select(c, fns, ExtraEndpoints())
	for _, s := range steps() {
		for _, e := range s.eps {
			if !slices.Contains(sel.Endpoints, e.ep) {
				t.Errorf("step %s explains %s, which the selection does not probe", s.id, e.ep)
			}
		}
	}
}

// The text for the example, pinned whole.
func TestWriteText(t *testing.T) {
	r := Explain(host(with(healthy(), map[string]probes.Result{"udp/138": silent, "tcp/139": timeout})))
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := `Logon to 198.18.1.10 (dc1.lab.test)
A logon to 198.18.1.10 can work: the Windows 2000 (DNS, CLDAP, Kerberos, LDAP, SMB 445) path works; the NetBIOS (UDP 137, UDP 138, TCP 139) path breaks at NetBIOS session (TCP 139).

  works      Windows 2000 and later (DNS, CLDAP, Kerberos, LDAP, SMB direct host)
  breaks     NT 4.0 NetBIOS (UDP 137, UDP 138, TCP 139)

1. Name resolution: works
   ok  DNS (UDP 53) answers: DNS: 13 root NS.
   ok  NetBIOS name service (UDP 137) answers: NetBIOS DC1 <00> LAB <1c>.
2. DC locator: uncertain
   ok  CLDAP ping (UDP 389) answers: CLDAP netlogon: dc1.lab.test in lab.test.
   ??  NetBIOS datagrams (UDP 138) get no answer and ICMP says nothing: likely dropped between here and 198.18.1.10, as TCP 139 is.
       If so, a logon through NetBIOS will stall: the NETLOGON mailslot queries that find a DC go unanswered.
       Fix: allow UDP 138 to 198.18.1.10, or use Kerberos/SMB direct host (TCP 445, reachable).
3. Kerberos: works
   ok  Kerberos (TCP 88) answers: Kerberos KDC LAB.TEST.
   ok  Kerberos (UDP 88) answers: Kerberos KDC LAB.TEST.
4. LDAP (directory and group policy): works
   ok  LDAP (TCP 389) answers: LDAP rootDSE lab.test.
5. SMB (NETLOGON and SYSVOL shares): partly
   ok  SMB direct host (TCP 445) answers: SMB 3.1.1 signing required.
   NO  NetBIOS session (TCP 139) gets no answer and ICMP says nothing: likely dropped between here and 198.18.1.10.
       A logon through NetBIOS cannot open a session: no NETLOGON share, no NetLogon pipe, no pass-through validation or trusts.
       Fix: allow TCP 139 to 198.18.1.10, or use Kerberos/SMB direct host (TCP 445, reachable).
6. RPC (secure channel, NetLogon RPC): works
   ok  RPC endpoint mapper (TCP 135) answers: DCE/RPC endpoint mapper.

What to fix:
  - allow UDP 138 to 198.18.1.10, or use Kerberos/SMB direct host (TCP 445, reachable)
  - allow TCP 139 to 198.18.1.10, or use Kerberos/SMB direct host (TCP 445, reachable)

`
	if b.String() != want {
		t.Errorf("text:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestExplainUnresolved(t *testing.T) {
	r := Explain(scanner.HostResult{Name: "dc9.lab.test", Status: scanner.StatusUnresolved, Error: "no such host"})
	if r.CanLogOn || len(r.Steps) != 0 || r.Conclusion != "dc9.lab.test does not resolve (no such host): a client that cannot resolve it cannot log on to it." {
		t.Errorf("%+v", r)
	}
}

// A step's status and a function's verdict share their words where they
// mean the same: one word, "not-tested", for "something needed was not
// probed", and one, "uncertain", for "nothing broken, something unproven".
func TestStatusWordsAreTheVerdicts(t *testing.T) {
	for _, c := range []struct {
		status  Status
		verdict scanner.Verdict
	}{{StatusNotTested, scanner.NotTestedVerdict}, {Uncertain, scanner.Uncertain}} {
		if string(c.status) != c.verdict.String() {
			t.Errorf("logon status %q, scanner verdict %q: one meaning, two words", c.status, c.verdict)
		}
	}
}

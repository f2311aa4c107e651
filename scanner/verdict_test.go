package scanner

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes"
)

func TestJudge(t *testing.T) {
	c := catalog.Default()
	fn := func(id string) catalog.Function {
		f, ok := c.Function(id)
		if !ok {
			t.Fatalf("no function %s", id)
		}
		return f
	}
	r := func(s probes.State, reason probes.Reason) probes.Result {
		return probes.Result{State: s, Reason: reason}
	}
	open, confirmed := r(probes.Open, probes.ReasonSynAck), r(probes.Confirmed, probes.ReasonReply)
	closed, filtered := r(probes.Closed, probes.ReasonReset), r(probes.Filtered, probes.ReasonTimeout)
	silent, untested := r(probes.OpenFiltered, probes.ReasonNoResponse), r(probes.NotTested, probes.ReasonNeedsPrivilege)

	for _, tc := range []struct {
		name    string
		fn      string
		results map[catalog.Endpoint]probes.Result
		want    Verdict
		by      []catalog.Endpoint
		says    string
	}{
		{"all open", "logon-sequence", map[catalog.Endpoint]probes.Result{ep("udp/137"): confirmed, ep("udp/138"): open, ep("tcp/139"): confirmed}, Reachable, eps("udp/137", "udp/138", "tcp/139"), ""},
		{"one filtered blocks", "logon-sequence", map[catalog.Endpoint]probes.Result{ep("udp/137"): confirmed, ep("udp/138"): silent, ep("tcp/139"): filtered}, Blocked, eps("tcp/139"), "TCP 139 filtered (timeout)"},
		{"filtered beats closed", "logon-sequence", map[catalog.Endpoint]probes.Result{ep("udp/137"): closed, ep("udp/138"): filtered, ep("tcp/139"): closed}, Blocked, eps("udp/138"), "blocked on the path"},
		{"closed is not listening", "file-sharing", map[catalog.Endpoint]probes.Result{ep("tcp/139"): closed}, NotListening, eps("tcp/139"), "nothing listens"},
		{"silence is uncertain", "logon-sequence", map[catalog.Endpoint]probes.Result{ep("udp/137"): confirmed, ep("udp/138"): silent, ep("tcp/139"): open}, Uncertain, eps("udp/138"), "silent drop"},
		{"untested beats silence", "pptp", map[catalog.Endpoint]probes.Result{ep("tcp/1723"): confirmed, ep("ip/47"): untested}, NotTestedVerdict, eps("ip/47"), "needs-privilege"},
		{"a missing result is not tested", "pptp", map[catalog.Endpoint]probes.Result{ep("tcp/1723"): confirmed}, NotTestedVerdict, eps("ip/47"), "not probed"},
		{"closed beats untested", "kerberos", map[catalog.Endpoint]probes.Result{ep("tcp/88"): closed, ep("udp/88"): untested}, NotListening, eps("tcp/88"), ""},
		{"any-of: one alternative suffices", "rdp-client", map[catalog.Endpoint]probes.Result{ep("tcp/3389"): confirmed, ep("tcp/1503"): filtered}, Reachable, eps("tcp/3389"), "suffices"},
		{"any-of: best alternative decides", "rdp-client", map[catalog.Endpoint]probes.Result{ep("tcp/3389"): filtered, ep("tcp/1503"): closed}, NotListening, eps("tcp/1503"), ""},
		{"any-of: all blocked", "rdp-client", map[catalog.Endpoint]probes.Result{ep("tcp/3389"): filtered, ep("tcp/1503"): filtered}, Blocked, eps("tcp/3389", "tcp/1503"), ""},
		{"TSAC needs both", "activex-client", map[catalog.Endpoint]probes.Result{ep("tcp/80"): closed, ep("tcp/3389"): open}, NotListening, eps("tcp/80"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fv := Judge(fn(tc.fn), tc.results)
			if fv.Verdict != tc.want {
				t.Errorf("verdict %v, want %v (%s)", fv.Verdict, tc.want, fv.Explanation)
			}
			if !slices.Equal(fv.DecidedBy, tc.by) {
				t.Errorf("decided by %v, want %v", fv.DecidedBy, tc.by)
			}
			if !strings.Contains(fv.Explanation, tc.says) {
				t.Errorf("explanation %q lacks %q", fv.Explanation, tc.says)
			}
		})
	}
}

func TestJudgePPTP(t *testing.T) {
	pptp, _ := catalog.Default().Function("pptp")
	control := func(s probes.State) probes.Result { return probes.Result{State: s, Reason: probes.ReasonReply} }
	rejecter := netip.MustParseAddr("198.18.1.61")
	greRejected := probes.Result{State: probes.Filtered, Reason: probes.ReasonAdminProhibited, ICMP: &probes.ICMP{Type: 3, Code: 13, From: rejecter}}
	greClosed := probes.Result{State: probes.Closed, Reason: probes.ReasonProtoUnreachable}
	greSilent := probes.Result{State: probes.OpenFiltered, Reason: probes.ReasonNoResponse}
	for _, tc := range []struct {
		name     string
		ctl, gre probes.Result
		want     Verdict
		says     string
	}{
		{"GRE rejected on the path", control(probes.Confirmed), greRejected, Blocked,
			"TCP 1723 confirmed (reply), GRE (IP 47) filtered by 198.18.1.61 (admin-prohibited): sessions will connect and carry no data"},
		{"GRE reaches the server outside a call", control(probes.Confirmed), greClosed, Reachable, "GRE (IP 47) closed"},
		{"GRE silent", control(probes.Confirmed), greSilent, Uncertain, "whether GRE (IP 47) passes is unknown"},
		{"control port open but not PPTP", control(probes.Open), greClosed, Uncertain, "did not answer as PPTP"},
		{"control port closed", control(probes.Closed), greClosed, NotListening, "TCP 1723 closed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fv := Judge(pptp, map[catalog.Endpoint]probes.Result{ep("tcp/1723"): tc.ctl, ep("ip/47"): tc.gre})
			if fv.Verdict != tc.want || !strings.Contains(fv.Explanation, tc.says) {
				t.Errorf("%v %q, want %v containing %q", fv.Verdict, fv.Explanation, tc.want, tc.says)
			}
		})
	}
}

// UDP 445 and UDP 68 are listed by the KB but served by nothing: a
// port-unreachable from the target proves the path, so SMB direct host
// and DHCP Lease follow their real ports.
func TestJudgePathOnlyPorts(t *testing.T) {
	c := catalog.Default()
	smbFn, _ := c.Function("smb-direct-host")
	dhcpFn, _ := c.Function("dhcp-lease")
	unreachable := probes.Result{State: probes.Closed, Reason: probes.ReasonPortUnreachable}
	confirmed := probes.Result{State: probes.Confirmed, Reason: probes.ReasonReply}
	filtered := probes.Result{State: probes.Filtered, Reason: probes.ReasonAdminProhibited}
	for _, tc := range []struct {
		fn      catalog.Function
		results map[catalog.Endpoint]probes.Result
		want    Verdict
	}{
		{smbFn, map[catalog.Endpoint]probes.Result{ep("tcp/445"): confirmed, ep("udp/445"): unreachable}, Reachable},
		{smbFn, map[catalog.Endpoint]probes.Result{ep("tcp/445"): unreachable, ep("udp/445"): unreachable}, NotListening},
		{smbFn, map[catalog.Endpoint]probes.Result{ep("tcp/445"): confirmed, ep("udp/445"): filtered}, Blocked},
		{dhcpFn, map[catalog.Endpoint]probes.Result{ep("udp/67"): confirmed, ep("udp/68"): unreachable}, Reachable},
		{dhcpFn, map[catalog.Endpoint]probes.Result{ep("udp/67"): unreachable, ep("udp/68"): unreachable}, NotListening},
	} {
		if fv := Judge(tc.fn, tc.results); fv.Verdict != tc.want {
			t.Errorf("%s %v: %v (%s), want %v", tc.fn.ID, tc.results, fv.Verdict, fv.Explanation, tc.want)
		}
	}
}

func TestUncertainExplanationCarriesTheNote(t *testing.T) {
	netlogon, _ := catalog.Default().Function("netlogon")
	r := probes.Result{State: probes.OpenFiltered, Reason: probes.ReasonNoResponse,
		Note: probes.NoProbeNote + "; UDP 137 on this host answered as NetBIOS, and NetBIOS stacks bind 138 with 137: likely open"}
	fv := Judge(netlogon, map[catalog.Endpoint]probes.Result{ep("udp/138"): r})
	if fv.Verdict != Uncertain || !strings.HasSuffix(fv.Explanation, "likely open") {
		t.Errorf("%v %q", fv.Verdict, fv.Explanation)
	}
}

// TestJudgeOneTransport: a function listing a port over TCP and UDP says
// when only one transport carries it, and an optional transport does not
// decide the verdict (issue 12).
func TestJudgeOneTransport(t *testing.T) {
	c, _ := catalog.Embedded(catalog.Modern)
	rdp, _ := c.Function("rdp")
	kpasswd, _ := c.Function("kpasswd")
	tcp := func(p uint16) catalog.Endpoint { return catalog.Endpoint{Transport: catalog.TCP, Port: p} }
	udp := func(p uint16) catalog.Endpoint { return catalog.Endpoint{Transport: catalog.UDP, Port: p} }
	confirmed := probes.Result{State: probes.Confirmed, Reason: probes.ReasonReply}
	unreach := probes.Result{State: probes.Closed, Reason: probes.ReasonPortUnreachable}

	fv := Judge(rdp, map[catalog.Endpoint]probes.Result{tcp(3389): confirmed, udp(3389): unreach})
	if fv.Verdict != Reachable || !slices.Equal(fv.DecidedBy, []catalog.Endpoint{tcp(3389)}) {
		t.Errorf("rdp: %v by %v", fv.Verdict, fv.DecidedBy)
	}
	want := "Remote Desktop (RDP) works over TCP only: UDP 3389 closed (port-unreachable), so no UDP transport"
	if !strings.HasSuffix(fv.Explanation, want) {
		t.Errorf("rdp explanation %q, want it to end %q", fv.Explanation, want)
	}
	fv = Judge(rdp, map[catalog.Endpoint]probes.Result{tcp(3389): confirmed, udp(3389): confirmed})
	if fv.Verdict != Reachable || strings.Contains(fv.Explanation, "only") {
		t.Errorf("rdp both: %v %q", fv.Verdict, fv.Explanation)
	}

	fv = Judge(kpasswd, map[catalog.Endpoint]probes.Result{tcp(464): {State: probes.Filtered, Reason: probes.ReasonTimeout}, udp(464): confirmed})
	if fv.Verdict != Blocked || !strings.Contains(fv.Explanation, "works over UDP only: TCP 464 filtered (timeout), so no TCP transport") {
		t.Errorf("kpasswd: %v %q", fv.Verdict, fv.Explanation)
	}
}

func TestJudgeOptionalUDPWithoutTCP(t *testing.T) {
	c, _ := catalog.Embedded(catalog.Modern)
	rdp, _ := c.Function("rdp")
	fv := Judge(rdp, map[catalog.Endpoint]probes.Result{
		{Transport: catalog.TCP, Port: 3389}: {State: probes.Closed, Reason: probes.ReasonReset},
		{Transport: catalog.UDP, Port: 3389}: {State: probes.Confirmed, Reason: probes.ReasonReply},
	})
	want := "Remote Desktop (RDP) answers on UDP 3389, but its UDP transport needs the TCP connection: TCP 3389 closed (rst)"
	if fv.Verdict != NotListening || !strings.HasSuffix(fv.Explanation, want) || len(fv.Uses()) != 2 {
		t.Errorf("%v %q", fv.Verdict, fv.Explanation)
	}
}

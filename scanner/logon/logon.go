package logon

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/dcerpc"
	"github.com/winreach/winreach/probes/suite"
	"github.com/winreach/winreach/scanner"
)

// Functions are the catalog functions a logon to and through a DC uses:
// the KB's NT 4.0 logon functions, Kerberos and SMB direct host from
// Windows 2000, LDAP, and the RPC endpoint mapper.
func Functions() []string {
	return []string{
		"logon-sequence", "netlogon", "pass-through-validation", "winnt-secure-channel",
		"trusts", "dns-resolution", "browsing", "kerberos", "smb-direct-host", "ldap", "rpc",
	}
}

// ExtraEndpoints are probed beside the functions' endpoints: the DC
// locator's CLDAP ping, which no KB function names.
func ExtraEndpoints() []catalog.Endpoint {
	return []catalog.Endpoint{{Transport: catalog.UDP, Port: 389}}
}

// Cause is what one endpoint's evidence says, in the words a logon needs.
type Cause string

const (
	Reachable    Cause = "reachable"     // the path carried it (and the service may have answered)
	NotListening Cause = "not-listening" // the DC answered that nothing listens there
	Rejected     Cause = "rejected"      // ICMP administratively prohibited from a firewall
	Unreachable  Cause = "unreachable"   // ICMP host/network unreachable or time exceeded
	Dropped      Cause = "dropped"       // TCP silence with no ICMP: dropped on the path
	Silent       Cause = "silent"        // UDP silence with no ICMP: open or dropped
	NotTested    Cause = "not-tested"    // the probe could not run, or the scan was interrupted
)

// Broken reports whether the cause proves the endpoint unusable.
func (c Cause) Broken() bool {
	return c == NotListening || c == Rejected || c == Unreachable || c == Dropped
}

// Status is the state of a step or a path.
type Status string

const (
	Works           Status = "works"      // every endpoint reachable
	Partly          Status = "partly"     // some reachable, some broken
	Uncertain       Status = "uncertain"  // nothing broken, something unproven
	Breaks          Status = "breaks"     // nothing reachable, something broken
	StatusNotTested Status = "not-tested" // not proven broken, but something needed was not tested
)

// Check is one endpoint of a step with its evidence.
type Check struct {
	Endpoint catalog.Endpoint `json:"endpoint"`
	Label    string           `json:"label"`
	State    probes.State     `json:"state"`
	Reason   probes.Reason    `json:"reason,omitempty"`
	ICMPFrom netip.Addr       `json:"icmp_from,omitzero"`
	Service  string           `json:"service,omitempty"`
	Cause    Cause            `json:"cause"`
	// Evidence says what was seen, Impact what it does to a logon, Fix
	// what to open or start.
	Evidence string `json:"evidence"`
	Impact   string `json:"impact,omitempty"`
	Fix      string `json:"fix,omitempty"`
}

// Step is one stage of a logon.
type Step struct {
	ID     string  `json:"id"`
	Title  string  `json:"title"`
	Status Status  `json:"status"`
	Checks []Check `json:"checks"`
}

// Path is one way a client gets logged on.
type Path struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Status Status `json:"status"`
	// Broken and Unproven list the labels of the endpoints that break
	// the path or that the scan could not prove.
	Broken   []string `json:"broken,omitempty"`
	Unproven []string `json:"unproven,omitempty"`
}

// Report is the explanation for one DC.
type Report struct {
	DC         netip.Addr `json:"dc"`
	Name       string     `json:"name,omitempty"`
	HostStatus string     `json:"host_status"`
	CanLogOn   bool       `json:"can_log_on"`
	Conclusion string     `json:"conclusion"`
	Paths      []Path     `json:"paths"`
	Steps      []Step     `json:"steps"`
	// Fixes is every check's fix, in logon order, for the "what to open"
	// list.
	Fixes []string `json:"fixes,omitempty"`
	// Vendor is whose DC it is (windows, samba, unknown), which the advice
	// speaks of.
	Vendor         string `json:"vendor"`
	VendorEvidence string `json:"vendor_evidence,omitempty"`
	// Facts are the realm, the clock and the SMB settings (AddFacts).
	Facts *Facts `json:"facts,omitempty"`
}

// Path IDs.
const (
	PathWindows2000 = "windows2000"
	PathNetBIOS     = "netbios"
)

// endpointInfo is what a logon does with one endpoint.
type endpointInfo struct {
	ep     catalog.Endpoint
	label  string
	plural bool   // the label is plural ("NetBIOS datagrams get")
	path   string // the path that needs it, "" when none does alone
	// answers: the probe gets a reply from a DC that serves it, so UDP
	// silence points to a drop; false where nothing answers any probe.
	answers bool
	impact  string // what breaks when it does not work
	service string // what should listen there
}

func tcp(p uint16) catalog.Endpoint { return catalog.Endpoint{Transport: catalog.TCP, Port: p} }
func udp(p uint16) catalog.Endpoint { return catalog.Endpoint{Transport: catalog.UDP, Port: p} }

type stepInfo struct {
	id, title string
	eps       []endpointInfo
}

// steps is the logon, in the order a client uses the network.
func steps() []stepInfo {
	return []stepInfo{
		{"name-resolution", "Name resolution", []endpointInfo{
			{ep: udp(53), label: "DNS (UDP 53)", path: PathWindows2000, answers: true, service: "a DNS server",
				impact: "Windows 2000 and later clients cannot look up the DC's SRV records (_ldap._tcp.dc._msdcs.DOMAIN) and cannot find a DC"},
			{ep: udp(137), label: "NetBIOS name service (UDP 137)", path: PathNetBIOS, answers: true, service: "the NetBIOS name service",
				impact: "NetBIOS name queries for the DC fail: an NT-style logon cannot find it (unless WINS or LMHOSTS answer elsewhere)"},
		}},
		{"dc-locator", "DC locator", []endpointInfo{
			{ep: udp(389), label: "CLDAP ping (UDP 389)", path: PathWindows2000, answers: true, service: "the DC's CLDAP service",
				impact: "the DC locator's LDAP ping goes unanswered: Windows 2000 and later report that no logon server is available"},
			{ep: udp(138), label: "NetBIOS datagrams (UDP 138)", plural: true, path: PathNetBIOS, service: "the NetBIOS datagram service",
				impact: "a logon through NetBIOS will stall: the NETLOGON mailslot queries that find a DC go unanswered"},
		}},
		{"kerberos", "Kerberos", []endpointInfo{
			{ep: tcp(88), label: "Kerberos (TCP 88)", answers: true, service: "the KDC",
				impact: "tickets too big for one datagram (users in many groups) cannot be fetched"},
			{ep: udp(88), label: "Kerberos (UDP 88)", answers: true, service: "the KDC",
				impact: "clients that try UDP first wait for a timeout before they use TCP"},
		}},
		{"ldap", "LDAP (directory and group policy)", []endpointInfo{
			{ep: tcp(389), label: "LDAP (TCP 389)", path: PathWindows2000, answers: true, service: "the DC's LDAP service",
				impact: "directory lookups and group policy fail: the logon gets no policy, and computers cannot find their account"},
		}},
		{"smb", "SMB (NETLOGON and SYSVOL shares)", []endpointInfo{
			{ep: tcp(445), label: "SMB direct host (TCP 445)", path: PathWindows2000, answers: true, service: "the SMB server",
				impact: "logon scripts and group policy files on the NETLOGON and SYSVOL shares cannot be read over SMB direct host, nor NetLogon RPC run over its named pipe"},
			{ep: tcp(139), label: "NetBIOS session (TCP 139)", path: PathNetBIOS, answers: true, service: "the SMB server's NetBIOS session service",
				impact: "a logon through NetBIOS cannot open a session: no NETLOGON share, no NetLogon pipe, no pass-through validation or trusts"},
		}},
		{"rpc", "RPC (secure channel, NetLogon RPC)", []endpointInfo{
			{ep: tcp(135), label: "RPC endpoint mapper (TCP 135)", answers: true, service: "the RPC endpoint mapper",
				impact: "the secure channel and NetLogon RPC cannot use RPC over TCP; they still run as named pipes inside SMB"},
		}},
	}
}

// Explain explains a scan of one DC (a host scanned for Functions and
// ExtraEndpoints).
func Explain(h scanner.HostResult) Report {
	rep := Report{DC: h.Address, Name: h.Name, HostStatus: h.Status}
	if h.Status == scanner.StatusUnresolved {
		rep.Conclusion = fmt.Sprintf("%s does not resolve (%s): a client that cannot resolve it cannot log on to it.", h.Name, h.Error)
		return rep
	}
	dc := h.Address.String()
	results := h.Results()
	rep.Vendor, rep.VendorEvidence = Vendor(h)
	causes := map[catalog.Endpoint]Cause{}
	labels := map[catalog.Endpoint]string{}
	for _, s := range steps() {
		for _, e := range s.eps {
			r, ok := results[e.ep]
			causes[e.ep] = classify(r, ok)
			labels[e.ep] = e.label
		}
	}

	// The paths first: a step's advice names the other path when it works.
	w2k := Path{ID: PathWindows2000, Name: "Windows 2000 and later (DNS, CLDAP, Kerberos, LDAP, SMB direct host)"}
	nb := Path{ID: PathNetBIOS, Name: "NT 4.0 NetBIOS (UDP 137, UDP 138, TCP 139)"}
	// Kerberos over TCP or over UDP will do.
	judgePath(&w2k, causes, labels, []catalog.Endpoint{udp(53), udp(389), tcp(389), tcp(445)}, []catalog.Endpoint{tcp(88), udp(88)})
	judgePath(&nb, causes, labels, []catalog.Endpoint{udp(137), udp(138), tcp(139)}, nil)
	rep.Paths = []Path{w2k, nb}
	rep.CanLogOn = w2k.Status != Breaks && w2k.Status != StatusNotTested || nb.Status != Breaks && nb.Status != StatusNotTested
	status := map[string]Status{PathWindows2000: w2k.Status, PathNetBIOS: nb.Status}

	for _, s := range steps() {
		step := Step{ID: s.id, Title: s.title}
		for _, e := range s.eps {
			r, ok := results[e.ep]
			e.service = serviceWords(e.ep, rep.Vendor, e.service)
			c := check(e, r, ok, dc)
			advise(&c, e, dc, causes, status, rep.Vendor)
			step.Checks = append(step.Checks, c)
		}
		if s.id == "kerberos" {
			kerberosImpact(step.Checks)
		}
		if s.id == "rpc" {
			step.Checks = append(step.Checks, dynamicChecks(results[tcp(135)], dc)...)
		}
		step.Status = stepStatus(step.Checks)
		rep.Steps = append(rep.Steps, step)
		for _, c := range step.Checks {
			if c.Fix != "" && !slices.Contains(rep.Fixes, c.Fix) {
				rep.Fixes = append(rep.Fixes, c.Fix)
			}
		}
	}
	rep.Conclusion = conclude(rep, dc)
	return rep
}

// classify turns a probe result into a cause.
func classify(r probes.Result, ok bool) Cause {
	if !ok {
		return NotTested
	}
	switch r.State {
	case probes.Open, probes.Confirmed:
		return Reachable
	case probes.Closed:
		return NotListening
	case probes.OpenFiltered:
		return Silent
	case probes.Filtered:
		switch r.Reason {
		case probes.ReasonAdminProhibited:
			return Rejected
		case probes.ReasonHostUnreachable, probes.ReasonNetUnreachable, probes.ReasonTimeExceeded:
			return Unreachable
		}
		return Dropped
	}
	return NotTested
}

// judgePath sets a path's status: every endpoint of need is required, and
// one of anyOf (when given) is.
func judgePath(p *Path, causes map[catalog.Endpoint]Cause, labels map[catalog.Endpoint]string, need, anyOf []catalog.Endpoint) {
	reachable, untested := true, false
	note := func(e catalog.Endpoint) {
		switch c := causes[e]; {
		case c.Broken():
			p.Broken = append(p.Broken, labels[e])
		case c != Reachable:
			p.Unproven = append(p.Unproven, labels[e])
		}
	}
	for _, e := range need {
		note(e)
		reachable = reachable && causes[e] == Reachable
		untested = untested || causes[e] == NotTested
	}
	if len(anyOf) > 0 {
		best := Cause("")
		for _, e := range anyOf {
			switch c := causes[e]; {
			case c == Reachable:
				best = Reachable
			case !c.Broken() && best != Reachable:
				best = c
			case best == "":
				best = c
			}
		}
		reachable = reachable && best == Reachable
		untested = untested || best == NotTested
		if best.Broken() {
			var l []string
			for _, e := range anyOf {
				l = append(l, labels[e])
			}
			p.Broken = append(p.Broken, strings.Join(l, " and "))
		} else if best != Reachable {
			p.Unproven = append(p.Unproven, labels[anyOf[0]])
		}
	}
	switch {
	case len(p.Broken) > 0:
		p.Status = Breaks
	case untested:
		// Not proven broken, but a needed endpoint was never probed.
		p.Status = StatusNotTested
	case reachable:
		p.Status = Works
	default:
		p.Status = Uncertain
	}
}

// check states one endpoint's evidence.
func check(e endpointInfo, r probes.Result, ok bool, dc string) Check {
	c := Check{Endpoint: e.ep, Label: e.label, State: r.State, Reason: r.Reason, Cause: classify(r, ok)}
	if r.ICMP != nil {
		c.ICMPFrom = r.ICMP.From
	}
	if r.Service != nil {
		c.Service = r.Service.Summary
	}
	c.Evidence = evidence(e.label, e.plural, e.answers, c, r, ok, dc)
	return c
}

func verb(plural bool, one, many string) string {
	if plural {
		return many
	}
	return one
}

// evidence is the sentence for what the probe saw.
func evidence(label string, plural, answers bool, c Check, r probes.Result, ok bool, dc string) string {
	from := "a firewall"
	if c.ICMPFrom.IsValid() {
		from = c.ICMPFrom.String()
		if from == dc {
			from = dc + " itself"
		}
	}
	switch c.Cause {
	case Reachable:
		if c.Service != "" {
			return fmt.Sprintf("%s %s: %s", label, verb(plural, "answers", "answer"), c.Service)
		}
		return fmt.Sprintf("%s %s (%s)", label, verb(plural, "is open", "are open"), r.Reason)
	case NotListening:
		how := "a TCP reset"
		if r.Reason == probes.ReasonPortUnreachable {
			how = "ICMP port unreachable"
		}
		return fmt.Sprintf("nothing listens on %s: %s answered with %s, so the path is open", label, dc, how)
	case Rejected:
		return fmt.Sprintf("%s %s rejected by %s (ICMP administratively prohibited)", label, verb(plural, "is", "are"), from)
	case Unreachable:
		what := "host unreachable"
		switch r.Reason {
		case probes.ReasonNetUnreachable:
			what = "network unreachable"
		case probes.ReasonTimeExceeded:
			what = "time exceeded (a routing loop or a TTL too small)"
		}
		if !c.ICMPFrom.IsValid() {
			return fmt.Sprintf("%s: %s (no route or no ARP answer here)", label, what)
		}
		return fmt.Sprintf("%s: %s says %s", label, from, what)
	case Dropped:
		return fmt.Sprintf("%s %s no answer and ICMP says nothing: likely dropped between here and %s", label, verb(plural, "gets", "get"), dc)
	case Silent:
		if answers {
			return fmt.Sprintf("%s %s no answer and ICMP says nothing: likely dropped between here and %s (a DC answers this probe)", label, verb(plural, "gets", "get"), dc)
		}
		return fmt.Sprintf("%s %s no answer and ICMP says nothing", label, verb(plural, "gets", "get"))
	}
	if !ok {
		return label + " was not probed (the scan was interrupted)"
	}
	s := fmt.Sprintf("%s was not tested (%s)", label, r.Reason)
	if r.Note != "" {
		s = fmt.Sprintf("%s was not tested (%s: %s)", label, r.Reason, r.Note)
	}
	return s
}

// advise fills a check's impact and fix, naming the other path when it
// carries the logon.
func advise(c *Check, e endpointInfo, dc string, causes map[catalog.Endpoint]Cause, paths map[string]Status, vendor string) {
	suspect := c.Cause == Silent && e.answers
	if c.Cause == Silent && !e.answers {
		// UDP 138: silence is all a working port gives. Judge by the
		// NetBIOS neighbours on the same host.
		var blocked []string
		for _, n := range []catalog.Endpoint{udp(137), tcp(139)} {
			if cn := causes[n]; cn == Dropped || cn == Rejected || cn == Unreachable {
				blocked = append(blocked, n.Label())
			}
		}
		switch {
		case len(blocked) > 0:
			c.Evidence += fmt.Sprintf(": likely dropped between here and %s, as %s %s", dc, strings.Join(blocked, " and "), verb(len(blocked) > 1, "is", "are"))
			suspect = true
		case causes[udp(137)] == Reachable:
			c.Evidence += ": nothing answers a bare datagram there, and the DC answers NetBIOS name queries (UDP 137), so it is probably delivered"
		default:
			c.Evidence += ": nothing answers a bare datagram there, so open and dropped look alike"
		}
	}
	if !c.Cause.Broken() && !suspect {
		return
	}
	c.Impact = e.impact
	if c.Cause == Silent {
		c.Impact = "if so, " + e.impact
	}
	switch c.Cause {
	case NotListening:
		c.Fix = fmt.Sprintf("start %s on %s (%s)", e.service, dc, e.ep.Label())
	case Rejected:
		where := ""
		if c.ICMPFrom.IsValid() {
			where = " on the firewall at " + c.ICMPFrom.String()
			if c.ICMPFrom.String() == dc {
				where = " in the DC's own firewall"
			}
		}
		if where == " in the DC's own firewall" {
			where += firewallWords(e.ep, vendor)
		}
		c.Fix = fmt.Sprintf("allow %s to %s%s", e.ep.Label(), dc, where)
	default:
		c.Fix = fmt.Sprintf("allow %s to %s%s", e.ep.Label(), dc, firewallWordsOr(e.ep, vendor))
	}
	// The other path, when it carries the logon.
	switch {
	case e.path == PathNetBIOS && paths[PathWindows2000] == Works:
		c.Fix += ", or use Kerberos/SMB direct host (TCP 445, reachable)"
	case e.path == PathWindows2000 && paths[PathNetBIOS] != Breaks && paths[PathNetBIOS] != StatusNotTested:
		c.Fix += ", or rely on the NetBIOS path (UDP 137, UDP 138, TCP 139, not blocked) for NT-style logons"
	case e.path == "" && e.ep.Port == 135 && causes[tcp(445)] == Reachable:
		c.Fix += " (optional while SMB direct host, TCP 445, carries the named pipes)"
	}
}

// kerberosImpact: a client needs Kerberos over one transport; say what
// losing the other costs, and what losing both does.
func kerberosImpact(checks []Check) {
	t, u := &checks[0], &checks[1]
	switch {
	case t.Cause.Broken() && u.Cause.Broken():
		for _, c := range []*Check{t, u} {
			c.Impact = "Kerberos fails: Windows falls back to NTLM, which needs NetLogon pass-through over SMB or NetBIOS, and some services refuse it"
		}
	case t.Cause == Reachable && u.Cause != Reachable:
		u.Impact, u.Fix = "", "" // TCP carries every Kerberos message
		if u.Cause.Broken() {
			u.Impact = "clients that try UDP first wait for a timeout before they use TCP 88, which works"
		}
	}
}

// dynamicChecks are the ports the endpoint mapper listed and the scan
// followed.
func dynamicChecks(r probes.Result, dc string) []Check {
	if r.Service == nil {
		return nil
	}
	var followed []dcerpc.FollowResult
	switch d := r.Service.Details.(type) {
	case suite.RPCDetails:
		followed = d.Followed
	case *suite.RPCDetails:
		followed = d.Followed
	}
	var out []Check
	for _, f := range followed {
		var names []string
		for _, i := range f.Interfaces {
			if i.Name != "" && !slices.Contains(names, i.Name) {
				names = append(names, i.Name)
			}
		}
		label := "RPC dynamic port TCP " + strconv.Itoa(int(f.Port))
		if len(names) > 0 {
			label += " (" + strings.Join(names, ", ") + ")"
		}
		e := endpointInfo{ep: tcp(f.Port), label: label, answers: true, service: "the RPC server",
			impact: "the endpoint mapper sends clients to this port: RPC over TCP to " + orWords(names, "its interfaces") + " fails after the lookup"}
		c := check(e, f.Result, true, dc)
		if c.Cause.Broken() {
			c.Impact = e.impact
			c.Fix = fmt.Sprintf("allow TCP %d to %s (or the DC's dynamic RPC range, 49152-65535 by default)", f.Port, dc)
		}
		out = append(out, c)
	}
	return out
}

func orWords(names []string, none string) string {
	if len(names) == 0 {
		return none
	}
	return strings.Join(names, ", ")
}

// stepStatus sums up a step's checks.
func stepStatus(checks []Check) Status {
	var reachable, broken, unproven, untested int
	for _, c := range checks {
		switch {
		case c.Cause == Reachable:
			reachable++
		case c.Cause.Broken():
			broken++
		case c.Cause == NotTested:
			untested++
		default:
			unproven++
		}
	}
	switch {
	case reachable > 0 && broken > 0:
		return Partly
	case broken > 0:
		return Breaks
	case unproven > 0 || (untested > 0 && reachable > 0):
		return Uncertain
	case reachable > 0:
		return Works
	}
	return StatusNotTested
}

// conclude is the answer in one or two sentences.
func conclude(rep Report, dc string) string {
	var parts []string
	for _, p := range rep.Paths {
		s := "the " + pathShort(p.ID) + " path "
		switch p.Status {
		case Breaks:
			s += "breaks at " + strings.Join(p.Broken, ", ")
		case Uncertain:
			s += "is not blocked, but " + strings.Join(p.Unproven, ", ") + " only stayed silent"
		case StatusNotTested:
			s += "was not fully tested (" + strings.Join(p.Unproven, ", ") + ")"
		default:
			s += string(p.Status)
		}
		parts = append(parts, s)
	}
	head := "A logon to " + dc + " can work: "
	if !rep.CanLogOn {
		head = "A logon to " + dc + " cannot work: "
	}
	if rep.HostStatus == scanner.StatusPartial {
		head = "The scan was interrupted; so far, " + strings.ToLower(head[:1]) + head[1:]
	}
	return head + strings.Join(parts, "; ") + "."
}

func pathShort(id string) string {
	if id == PathWindows2000 {
		return "Windows 2000 (DNS, CLDAP, Kerberos, LDAP, SMB 445)"
	}
	return "NetBIOS (UDP 137, UDP 138, TCP 139)"
}

package logon

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/dns"
	"github.com/winreach/winreach/probes/kerberos"
	"github.com/winreach/winreach/probes/ldap"
	"github.com/winreach/winreach/probes/netbios"
	"github.com/winreach/winreach/probes/ntp"
	"github.com/winreach/winreach/probes/smb"
	"github.com/winreach/winreach/probes/suite"
	"github.com/winreach/winreach/scanner"
	"github.com/winreach/winreach/scanner/locator"
)

// Vendors, told apart by what the DC said.
const (
	VendorWindows = "windows"
	VendorSamba   = "samba"
	VendorUnknown = "unknown"
)

// Vendor says whose DC it is and why: Samba names itself in the rootDSE's
// vendorName and registers __SAMBA__ in its NetBIOS name table; an Active
// Directory rootDSE (ldapServiceName, domainFunctionality) without a
// vendorName is Windows'.
func Vendor(h scanner.HostResult) (vendor, evidence string) {
	res := h.Results()
	if dse := rootDSE(res[tcp(389)]); dse != nil {
		switch {
		case strings.Contains(strings.ToLower(dse.VendorName), "samba"):
			return VendorSamba, "LDAP rootDSE vendorName " + strings.TrimSpace(dse.VendorName+" "+dse.VendorVersion)
		case dse.ActiveDirectory && dse.VendorName == "":
			return VendorWindows, "an Active Directory rootDSE without vendorName"
		}
	}
	if r := res[udp(137)]; r.Service != nil {
		if d, ok := r.Service.Details.(netbios.NodeStatusDetails); ok {
			for _, n := range d.Names {
				if n.Name == "__SAMBA__" {
					return VendorSamba, "the __SAMBA__ name in its NetBIOS name table"
				}
			}
			if d.MAC != "" {
				return VendorWindows, "a NetBIOS node status with an adapter address, as Windows sends"
			}
		}
	}
	return VendorUnknown, ""
}

func rootDSE(r probes.Result) *ldap.RootDSEInfo {
	if r.Service == nil {
		return nil
	}
	switch d := r.Service.Details.(type) {
	case suite.DCDetails:
		return d.RootDSE
	case ldap.RootDSEDetails:
		return d.RootDSE
	}
	return nil
}

// pingOf is the CLDAP answer the scan got, from UDP 389 or from the ping
// the LDAP probe sent beside the rootDSE.
func pingOf(res map[catalog.Endpoint]probes.Result) *ldap.NetlogonResponse {
	candidates := []probes.Result{res[udp(389)]}
	if r := res[tcp(389)]; r.Service != nil {
		if d, ok := r.Service.Details.(suite.DCDetails); ok && d.CLDAP != nil {
			candidates = append(candidates, *d.CLDAP)
		}
	}
	for _, r := range candidates {
		if r.Service == nil {
			continue
		}
		if d, ok := r.Service.Details.(ldap.NetlogonDetails); ok && d.Netlogon != nil {
			return d.Netlogon
		}
	}
	return nil
}

// LearnRealm is the Kerberos realm of the DC's domain: the CLDAP ping's
// DnsDomainName (from the locator, or the scan), else the rootDSE's
// ldapServiceName realm or its defaultNamingContext (DC=lab,DC=test ->
// LAB.TEST).
func LearnRealm(h scanner.HostResult, located *ldap.NetlogonResponse) (realm, from string) {
	if located != nil && located.DNSDomainName != "" {
		return strings.ToUpper(located.DNSDomainName), "the DC locator's CLDAP ping (DnsDomainName)"
	}
	res := h.Results()
	if nl := pingOf(res); nl != nil && nl.DNSDomainName != "" {
		return strings.ToUpper(nl.DNSDomainName), "the CLDAP ping (DnsDomainName)"
	}
	if dse := rootDSE(res[tcp(389)]); dse != nil {
		if dse.Realm != "" {
			return strings.ToUpper(dse.Realm), "the LDAP rootDSE (ldapServiceName)"
		}
		if r := realmOfDN(dse.DefaultNamingContext); r != "" {
			return r, "the LDAP rootDSE (defaultNamingContext)"
		}
	}
	return "", ""
}

// realmOfDN turns DC=lab,DC=test into LAB.TEST.
func realmOfDN(dn string) string {
	var parts []string
	for rdn := range strings.SplitSeq(dn, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(rdn), "=")
		if !ok || !strings.EqualFold(k, "DC") {
			return ""
		}
		parts = append(parts, strings.ToUpper(v))
	}
	return strings.Join(parts, ".")
}

// Realm is what the KDC said about the realm asked.
type Realm struct {
	Learned     string `json:"learned,omitempty"`
	LearnedFrom string `json:"learned_from,omitempty"`
	Asked       string `json:"asked"`
	// Served is "yes" (KDC_ERR_C_PRINCIPAL_UNKNOWN or PREAUTH_REQUIRED
	// for the realm asked), "no" (KDC_ERR_WRONG_REALM) or "unknown".
	Served   string `json:"served"`
	KDCError string `json:"kdc_error,omitempty"`
	Evidence string `json:"evidence"`
}

// judgeRealm reads a KDC's answer to an AS-REQ for realm.
func judgeRealm(realm string, r probes.Result) Realm {
	out := Realm{Asked: realm, Served: "unknown"}
	d := kdcDetails(r)
	if d == nil {
		out.Evidence = fmt.Sprintf("the KDC did not answer an AS-REQ for %s (%s)", realm, r.String())
		return out
	}
	out.KDCError = d.ErrorName
	switch {
	case d.MessageType == "AS-REP":
		out.Served, out.Evidence = "yes", "the KDC issued an AS-REP for "+realm
	case d.ErrorCode == 6 || d.ErrorCode == 25:
		out.Served = "yes"
		out.Evidence = fmt.Sprintf("the KDC serves %s: it answered %s for a principal of that realm", realm, d.ErrorName)
	case d.ErrorCode == 68:
		out.Served = "no"
		out.Evidence = fmt.Sprintf("the KDC does not serve %s: it answered KDC_ERR_WRONG_REALM", realm)
		if d.ClientRealm != "" && !strings.EqualFold(d.ClientRealm, realm) {
			out.Evidence += " and referred the client to " + d.ClientRealm
		}
	default:
		out.Evidence = fmt.Sprintf("the KDC answered %s for %s", d.ErrorName, realm)
	}
	return out
}

func kdcDetails(r probes.Result) *kerberos.Details {
	if r.Service == nil {
		return nil
	}
	d, _ := r.Service.Details.(*kerberos.Details)
	return d
}

// ClockSample is one server's clock as seen from here.
type ClockSample struct {
	Source     string    `json:"source"` // "kerberos", "smb2", "ntp"
	ServerTime time.Time `json:"server_time"`
	OffsetMS   int64     `json:"offset_ms"`
	// UncertaintyMS is half the time the exchange took: the server read
	// its clock somewhere inside it.
	UncertaintyMS int64 `json:"uncertainty_ms"`
}

// Offset is the server's clock minus ours at the moment it read it, taken
// as the midpoint of our send and receive (the NTP assumption of a
// symmetric path, RFC 5905 8), and half the round trip as the error bound.
func Offset(server, sent, received time.Time) (offset, uncertainty time.Duration) {
	rtt := received.Sub(sent)
	mid := sent.Add(rtt / 2)
	return server.Sub(mid), rtt / 2
}

// SkewLimit is Kerberos' default maximum clock skew (RFC 4120 1.6; the
// Windows "Maximum tolerance for computer clock synchronization" policy).
const SkewLimit = 5 * time.Minute

// Clock is the offset of this machine's clock to the DC's.
type Clock struct {
	// OffsetMS is the DC's clock minus this machine's, in milliseconds:
	// positive when this machine is behind.
	OffsetMS int64         `json:"clock_offset_ms"`
	Source   string        `json:"source"`
	Samples  []ClockSample `json:"samples"`
	Skewed   bool          `json:"skewed"`
	Summary  string        `json:"summary"`
}

// judgeClock picks the Kerberos sample (the clock Kerberos checks), else
// SMB2, else NTP, and says how far off this machine is.
func judgeClock(dc string, samples []ClockSample) *Clock {
	if len(samples) == 0 {
		return nil
	}
	best := samples[0]
	for _, src := range []string{"ntp", "smb2", "kerberos"} {
		for _, s := range samples {
			if s.Source == src {
				best = s
			}
		}
	}
	c := &Clock{OffsetMS: best.OffsetMS, Source: best.Source, Samples: samples}
	off := time.Duration(best.OffsetMS) * time.Millisecond
	c.Skewed = off > SkewLimit || off < -SkewLimit
	switch {
	case off > 0:
		c.Summary = fmt.Sprintf("this machine is %s behind %s", humanDuration(off), dc)
	case off < 0:
		c.Summary = fmt.Sprintf("this machine is %s ahead of %s", humanDuration(-off), dc)
	default:
		c.Summary = "this machine's clock agrees with " + dc
	}
	c.Summary += " (" + best.Source + ")"
	if c.Skewed {
		c.Summary += "; Kerberos will fail with KRB_AP_ERR_SKEW (more than 5 min apart)"
	}
	for _, s := range samples {
		if d := time.Duration(s.OffsetMS-best.OffsetMS) * time.Millisecond; d > 2*time.Second || d < -2*time.Second {
			c.Summary += fmt.Sprintf("; %s says %+d ms", s.Source, s.OffsetMS)
		}
	}
	return c
}

// humanDuration: "7 min 12 s", "850 ms", "2 h 3 min".
func humanDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%d min %d s", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%d h %d min", int(d.Hours()), int(d.Minutes())%60)
}

// SMBFacts are the SMB settings that decide which clients can log on.
type SMBFacts struct {
	Dialect         string   `json:"dialect,omitempty"`
	SigningRequired bool     `json:"signing_required"`
	SMB1            string   `json:"smb1,omitempty"` // accepted, rejected, unknown
	Notes           []string `json:"notes,omitempty"`
}

func smbFacts(r probes.Result) *SMBFacts {
	if r.Service == nil {
		return nil
	}
	d, ok := r.Service.Details.(smb.Details)
	if !ok {
		return nil
	}
	f := &SMBFacts{Dialect: d.Dialect, SigningRequired: d.SigningRequired}
	if d.Dialect != "" {
		f.Notes = append(f.Notes, "SMB dialect "+d.Dialect+" negotiated")
	}
	if d.SigningRequired {
		f.Notes = append(f.Notes, "SMB signing is required: clients with signing disabled cannot read NETLOGON and SYSVOL (every Windows client signs when asked)")
	}
	if d.SMB1 != nil {
		f.SMB1 = d.SMB1.Verdict
		switch d.SMB1.Verdict {
		case smb.SMB1Rejected:
			f.Notes = append(f.Notes, "SMB1 is disabled: NT 4.0, Windows 2000/XP/2003 and other SMB1-only clients cannot log on or read the NETLOGON share")
		case smb.SMB1Accepted:
			f.Notes = append(f.Notes, "SMB1 is enabled: old clients can log on, and so can attacks that SMB1 allows")
		}
	}
	return f
}

// Facts are what a logon needs beyond reachability.
type Facts struct {
	Vendor         string `json:"vendor"`
	VendorEvidence string `json:"vendor_evidence,omitempty"`
	Realm          *Realm `json:"realm,omitempty"`
	// DNS is the DC's own DNS server asked the client's question, the
	// SRV record of the DC locator (not the scan's root NS question,
	// which Samba answers with FORMERR).
	DNS   *locator.Lookup `json:"dns,omitempty"`
	Clock *Clock          `json:"clock,omitempty"`
	SMB   *SMBFacts       `json:"smb,omitempty"`
}

// Checker runs the probes behind Facts: Kerberos with the learned realm
// (its stime is the clock that matters), SMB2 NEGOTIATE (SystemTime), and
// NTP when NTP is set.
type Checker struct {
	Dialer  probes.Dialer
	Timeout time.Duration
	Retries int
	// Now is the clock that stamps sends and receives; time.Now when nil.
	// The probes keep the real clock for their deadlines.
	Now func() time.Time
	// NTP, when set, asks the DC's NTP server for its time.
	NTP func(ctx context.Context, dc netip.Addr) (ClockSample, bool)
}

func (c Checker) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

// timed runs one probe and returns its result with a clock sample from
// the server time it reports.
func (c Checker) timed(ctx context.Context, source string, p probes.Prober, t probes.Target, serverTime func(probes.Result) time.Time) (probes.Result, *ClockSample) {
	sent := c.now()
	r := p.Probe(ctx, t)
	received := c.now()
	st := serverTime(r)
	if st.IsZero() {
		return r, nil
	}
	if _, udp := p.(probes.UDP); udp && r.RTT > 0 && r.RTT < received.Sub(sent) {
		// A datagram's RTT is its last attempt's request and reply:
		// earlier attempts do not blur the midpoint. (A TCP probe's RTT
		// is the connect, so there the whole probe is the bound.)
		sent = received.Add(-r.RTT)
	}
	off, unc := Offset(st, sent, received)
	return r, &ClockSample{Source: source, ServerTime: st.UTC(), OffsetMS: off.Milliseconds(), UncertaintyMS: unc.Milliseconds()}
}

// Check gathers the facts about a scanned DC; located is the locator's
// CLDAP answer, nil when the DC was named directly.
func (c Checker) Check(ctx context.Context, h scanner.HostResult, located *ldap.NetlogonResponse) Facts {
	var f Facts
	f.Vendor, f.VendorEvidence = Vendor(h)
	res := h.Results()
	f.SMB = smbFacts(res[tcp(445)])
	if !h.Address.IsValid() {
		return f
	}
	dc := h.Address.String()
	if located != nil && located.NetBIOSComputerName != "" {
		dc = located.NetBIOSComputerName
	} else if h.Name != "" {
		dc = h.Name
	}
	realm, from := LearnRealm(h, located)
	// Kerberos, the DC's DNS, SMB2 and NTP at once: each goroutine
	// writes only its own slot.
	var slots [3]*ClockSample
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		var rl Realm
		rl, slots[0] = c.kerberos(gctx, h.Address, realm)
		rl.Learned, rl.LearnedFrom = realm, from
		f.Realm = &rl
		return nil
	})
	if realm != "" {
		g.Go(func() error {
			server := netip.AddrPortFrom(h.Address, 53)
			l := locator.Ask(gctx, locator.Config{Server: server.String(),
				Resolver: dns.Client{Server: server, Dialer: c.Dialer, Timeout: c.Timeout, Retries: c.Retries}},
				locator.DCRecord(realm), dns.TypeSRV)
			f.DNS = &l
			return nil
		})
	}
	g.Go(func() error {
		smbProbe := smb.Probe{Dialer: c.Dialer, Timeout: c.Timeout, Retries: c.Retries, SkipSMB1: true}
		_, slots[1] = c.timed(gctx, "smb2", smbProbe, probes.Target{Addr: h.Address, Port: 445}, func(r probes.Result) time.Time {
			if r.Service != nil {
				if d, ok := r.Service.Details.(smb.Details); ok {
					return d.SystemTime
				}
			}
			return time.Time{}
		})
		return nil
	})
	if c.NTP != nil {
		g.Go(func() error {
			if s, ok := c.NTP(gctx, h.Address); ok {
				slots[2] = &s
			}
			return nil
		})
	}
	_ = g.Wait() // the goroutines return no errors
	var samples []ClockSample
	for _, s := range slots {
		if s != nil {
			samples = append(samples, *s)
		}
	}
	f.Clock = judgeClock(dc, samples)
	return f
}

// kerberos asks the KDC for realm (the placeholder when it is not known),
// over UDP and then TCP when UDP gets no KRB message or RESPONSE_TOO_BIG,
// and reads the realm's verdict and the KDC's clock.
func (c Checker) kerberos(ctx context.Context, addr netip.Addr, realm string) (Realm, *ClockSample) {
	asked := realm
	if asked == "" {
		asked = kerberos.DefaultRealm
	}
	as := kerberos.ASRequest{Realm: asked}
	kdcTime := func(r probes.Result) time.Time {
		if d := kdcDetails(r); d != nil {
			return d.ServerTime
		}
		return time.Time{}
	}
	t := probes.Target{Addr: addr, Port: 88}
	udp := probes.UDP{Dialer: c.Dialer, Timeout: c.Timeout, Retries: max(c.Retries, 2), Exchange: as}
	r, s := c.timed(ctx, "kerberos", udp, t, kdcTime)
	if d := kdcDetails(r); d == nil || d.ErrorCode == 52 {
		tcpProbe := probes.TCP{Dialer: c.Dialer, Timeout: c.Timeout, Retries: c.Retries, Talk: as}
		if r2, s2 := c.timed(ctx, "kerberos", tcpProbe, t, kdcTime); kdcDetails(r2) != nil || s == nil {
			r, s = r2, s2
		}
	}
	rl := judgeRealm(asked, r)
	if realm == "" {
		rl.Evidence += "; the realm was not learned (no CLDAP or LDAP answer), so the placeholder " + asked + " was asked"
	}
	return rl, s
}

// AddFacts puts the facts into the report: a KDC that does not serve the
// realm or a clock beyond Kerberos' skew stops a logon.
func (r *Report) AddFacts(f Facts) {
	r.Facts = &f
	if f.DNS != nil {
		r.dnsQuestion(*f.DNS)
	}
	var stops []string
	if f.Realm != nil && f.Realm.Served == "no" {
		stops = append(stops, f.Realm.Evidence+": Kerberos logons to "+f.Realm.Asked+" fail there")
	}
	if f.Clock != nil && f.Clock.Skewed {
		stops = append(stops, f.Clock.Summary)
		r.Fixes = append(r.Fixes, "bring this machine's clock within 5 minutes of "+r.DC.String()+"'s: on a Windows domain member "+
			"w32tm /resync (it follows the domain's time hierarchy), elsewhere an NTP client pointed at the DC; if the DC's clock "+
			"is the wrong one, set its time source (the PDC emulator: w32tm /config /manualpeerlist:SERVER /syncfromflags:manual "+
			"/reliable:yes /update; a Samba DC: the machine's NTP daemon)")
	}
	if len(stops) > 0 && r.CanLogOn {
		r.CanLogOn = false
		paths := strings.TrimPrefix(r.Conclusion, "A logon to "+r.DC.String()+" can work: ")
		r.Conclusion = "A logon to " + r.DC.String() + " cannot work: " + strings.Join(stops, "; ") + ". The network lets it through: " + paths
	} else if len(stops) > 0 {
		r.Conclusion += " Also: " + strings.Join(stops, "; ") + "."
	}
}

// dnsQuestion restates the DNS check with the answer to the client's
// question.
func (r *Report) dnsQuestion(l locator.Lookup) {
	for i := range r.Steps {
		for j := range r.Steps[i].Checks {
			c := &r.Steps[i].Checks[j]
			if c.Endpoint != udp(53) || c.Cause != Reachable {
				continue
			}
			if l.Outcome == locator.Found {
				var t []string
				for _, s := range l.SRV {
					t = append(t, fmt.Sprintf("%s:%d", strings.TrimSuffix(s.Target, "."), s.Port))
				}
				c.Evidence = fmt.Sprintf("%s answers the DC locator's question: %s SRV -> %s", c.Label, l.Name, strings.Join(t, ", "))
				continue
			}
			if l.Outcome == locator.Timeout {
				continue // the scan's answer stands; the second question went unanswered
			}
			c.Evidence = fmt.Sprintf("%s answers, but has no SRV record %s: it answered %s", c.Label, l.Name, l.Said())
			c.Impact = "a client that uses this DC as its DNS server cannot find a DC"
			c.Fix = "register the DC locator records in the DNS server the clients use (they are in the AD-integrated _msdcs zone)"
			r.Fixes = append(r.Fixes, c.Fix)
		}
	}
}

// NTPSampler asks a DC's NTP server (UDP 123) for its clock with c; a
// server that does not answer, sends a Kiss-o'-Death or is not
// synchronized gives no sample.
func NTPSampler(c ntp.Clock) func(context.Context, netip.Addr) (ClockSample, bool) {
	return func(ctx context.Context, dc netip.Addr) (ClockSample, bool) {
		m, err := c.Measure(ctx, netip.AddrPortFrom(dc, 123))
		if err != nil {
			return ClockSample{}, false
		}
		return ClockSample{Source: "ntp", ServerTime: m.ServerTime.UTC(), OffsetMS: m.Offset.Milliseconds(), UncertaintyMS: (m.Delay / 2).Milliseconds()}, true
	}
}

// Unlocated adds to a locator result that found no DC what the scan of
// the DC probed instead showed (LDAP on TCP 389 answering while the CLDAP
// ping on UDP 389 did not is the DC locator's own failure), and says in
// each report that clients do not find that DC.
func Unlocated(loc *locator.Result, reps []Report) {
	if loc == nil || loc.Located() {
		return
	}
	for i := range reps {
		r := &reps[i]
		r.CanLogOn = false
		r.Conclusion = "Clients do not find " + r.DC.String() + ": the DC locator fails (above). Were it found: " + lowerFirst(r.Conclusion)
		var ldapOK, cldapOK bool
		for _, s := range r.Steps {
			for _, c := range s.Checks {
				switch c.Endpoint {
				case tcp(389):
					ldapOK = c.Cause == Reachable
				case udp(389):
					cldapOK = c.Cause == Reachable
				}
			}
		}
		if ldapOK && !cldapOK {
			fix := "allow UDP 389 to " + r.DC.String() + firewallWordsOr(udp(389), r.Vendor)
			loc.Problems = append(loc.Problems, fmt.Sprintf("%s answers LDAP on TCP 389 but not the CLDAP ping on UDP 389: the path or the DC drops the DC locator's datagrams; %s", r.DC, fix))
		}
	}
}

// ExplainAll explains each scanned DC and adds its facts, up to limit DCs
// at once; located holds the locator's CLDAP answers by address. The
// reports come in the order of hosts.
func (c Checker) ExplainAll(ctx context.Context, hosts []scanner.HostResult, located map[netip.Addr]*ldap.NetlogonResponse, limit int) []Report {
	reps := make([]Report, len(hosts))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(limit, 1))
	for i, h := range hosts {
		g.Go(func() error {
			reps[i] = Explain(h)
			if nl := located[h.Address]; nl != nil && reps[i].Name == "" {
				reps[i].Name = strings.ToLower(nl.DNSHostName) // the name the locator found it by
			}
			if gctx.Err() == nil {
				reps[i].AddFacts(c.Check(gctx, h, located[h.Address]))
			}
			return nil
		})
	}
	_ = g.Wait() // the goroutines return no errors
	return reps
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

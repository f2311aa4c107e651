package locator

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/dns"
	"github.com/winreach/winreach/probes/ldap"
)

// Resolver asks DNS one question; dns.Client is one.
type Resolver interface {
	Query(ctx context.Context, name string, qtype uint16) (dns.Exchange, error)
}

// Pinger sends the CLDAP ping for domain to addr (UDP 389).
type Pinger func(ctx context.Context, addr netip.Addr, domain string) Ping

// Ping is one CLDAP ping's outcome.
type Ping struct {
	Result   probes.Result          `json:"result"`
	Netlogon *ldap.NetlogonResponse `json:"netlogon,omitempty"`
}

// Answered reports whether a DC answered with a netlogon response.
func (p Ping) Answered() bool { return p.Netlogon != nil }

// PingUDP is the Pinger of a real client: ldap.NetlogonPing over probe.
func PingUDP(probe probes.UDP) Pinger {
	return func(ctx context.Context, addr netip.Addr, domain string) Ping {
		p := probe
		p.Exchange = ldap.NetlogonPing{DNSDomain: domain}
		r := p.Probe(ctx, probes.Target{Addr: addr, Port: 389})
		out := Ping{Result: r}
		if r.Service != nil {
			if d, ok := r.Service.Details.(ldap.NetlogonDetails); ok {
				out.Netlogon = d.Netlogon
			}
		}
		return out
	}
}

// Config is what Locate uses.
type Config struct {
	Resolver Resolver
	// Server names the DNS server for the report: "198.18.1.10:53 (from
	// /etc/resolv.conf)".
	Server      string
	Ping        Pinger
	Concurrency int // pings in flight; 8 when zero
}

// Outcomes of a lookup.
const (
	Found    = "found"    // records came
	NXDomain = "nxdomain" // the name does not exist (RCODE 3)
	Empty    = "empty"    // the name exists, without records of the type (NOERROR, no answer)
	Timeout  = "timeout"  // no answer
	Failed   = "failed"   // another RCODE (SERVFAIL, REFUSED, ...) or a network error
)

// Lookup is one DNS question and what the server said.
type Lookup struct {
	Name    string    `json:"name"`
	Type    string    `json:"type"`
	Server  string    `json:"server"`
	Outcome string    `json:"outcome"`
	Detail  string    `json:"detail,omitempty"` // RCODE name or error
	SRV     []dns.SRV `json:"srv,omitempty"`
	Addrs   []string  `json:"addrs,omitempty"`
	// Purpose says what a client uses the record for.
	Purpose string `json:"purpose,omitempty"`
}

// Said is what the server said, in words: "NXDOMAIN (the name does not
// exist)".
func (l Lookup) Said() string {
	switch l.Outcome {
	case NXDomain:
		if l.Type == "NB" {
			return "NAM_ERR (no such name)"
		}
		return "NXDOMAIN (no such name)"
	case Empty:
		return "an empty answer (the name exists, but has no " + l.Type + " record)"
	case Timeout:
		return "nothing (no answer in time)"
	case Failed:
		return l.Detail
	}
	return fmt.Sprintf("%d records", len(l.SRV)+len(l.Addrs))
}

// DC is one domain controller the SRV records name.
type DC struct {
	Name     string       `json:"name"` // the SRV target, without the final dot
	Port     uint16       `json:"port"`
	Priority uint16       `json:"priority"`
	Weight   uint16       `json:"weight"`
	Addrs    []netip.Addr `json:"addrs,omitempty"`
	// AddrSource is "additional section" or "A/AAAA lookup".
	AddrSource string `json:"addr_source,omitempty"`
	// Pinged is the address that answered the CLDAP ping (or the first
	// address tried when none did).
	Pinged netip.Addr `json:"pinged,omitzero"`
	Ping   *Ping      `json:"ping,omitempty"`
	InSite bool       `json:"in_site,omitempty"`
	Chosen bool       `json:"chosen,omitempty"`
}

// Result is what the locator found.
type Result struct {
	Domain string `json:"domain"`
	// Server is the server asked; Via says what it is ("DNS server",
	// "WINS server").
	Server string `json:"server"`
	Via    string `json:"via"`
	// Record is the SRV name that found the DCs.
	Record  string   `json:"record"`
	Lookups []Lookup `json:"lookups"`
	DCs     []DC     `json:"dcs,omitempty"`
	// ClientSite is the client's site as the first DC to answer saw it
	// (ClientSiteName); empty when the client's address is in no subnet
	// of AD Sites and Services.
	ClientSite string `json:"client_site,omitempty"`
	// Chosen is the index in DCs of the DC a client would use, -1 when
	// none answered.
	Chosen int `json:"chosen"`
	// Problems are what an admin must fix, Notes what is worth knowing.
	Problems []string `json:"problems,omitempty"`
	Notes    []string `json:"notes,omitempty"`
}

// Located reports whether a client would find a DC.
func (r Result) Located() bool { return r.Chosen >= 0 }

// ChosenDC is the DC a client would use.
func (r Result) ChosenDC() (DC, bool) {
	if r.Chosen < 0 || r.Chosen >= len(r.DCs) {
		return DC{}, false
	}
	return r.DCs[r.Chosen], true
}

// Record names ([MS-ADTS] 6.3.6.1, [MS-DNSSP]).
func dcRecord(domain string) string { return "_ldap._tcp.dc._msdcs." + domain }
func siteRecord(site, domain string) string {
	return "_ldap._tcp." + site + "._sites.dc._msdcs." + domain
}

// Locate runs the locator for domain (a DNS name, e.g. "lab.test").
func Locate(ctx context.Context, cfg Config, domain string) Result {
	domain = strings.TrimSuffix(strings.ToLower(domain), ".")
	res := Result{Domain: domain, Server: cfg.Server, Via: "DNS server", Record: dcRecord(domain), Chosen: -1}
	look := func(name string, qtype uint16, purpose string) (Lookup, dns.Message) {
		l, m := lookup(ctx, cfg, name, qtype)
		l.Purpose = purpose
		res.Lookups = append(res.Lookups, l)
		return l, m
	}
	l, msg := look(res.Record, dns.TypeSRV, "the DCs of the domain: every Windows client's DC locator asks it first")
	if l.Outcome != Found {
		res.Problems = append(res.Problems, missing(l, cfg.Server, "no client using this DNS server can find a DC of "+domain))
		// Is it the records or the whole domain? A client admin's first
		// question.
		if a, _ := look(domain, dns.TypeA, "the domain's own name"); a.Outcome == Found {
			res.Notes = append(res.Notes, fmt.Sprintf("%s has an A record on %s (%s): this DNS server knows the name but not the DC locator records; "+
				"point the client at a DNS server that holds the AD-integrated zone, or have the DCs register their records", domain, cfg.Server, strings.Join(a.Addrs, ", ")))
		}
		return res
	}
	res.DCs = dcsOf(msg)
	if len(res.DCs) == 0 {
		// RFC 2782: a single record with target "." says the service is
		// decidedly not available in the domain.
		res.Problems = append(res.Problems, fmt.Sprintf("DNS server %s has the SRV record %s, but with the target \".\" (RFC 2782: the service is not available): no client can find a DC of %s", cfg.Server, res.Record, domain))
		return res
	}
	resolveDCs(ctx, cfg, &res, msg, look)
	pingDCs(ctx, cfg, &res, domain)

	first := -1
	for i, dc := range res.DCs {
		if dc.Ping != nil && dc.Ping.Answered() {
			first = i
			break
		}
	}
	if first < 0 {
		res.Problems = append(res.Problems, noPing(res.DCs))
	} else {
		res.ClientSite = res.DCs[first].Ping.Netlogon.ClientSiteName
		res.Chosen = first
		site(cfg, &res, domain, look)
		res.DCs[res.Chosen].Chosen = true
	}
	forest := domain
	if first >= 0 && res.DCs[first].Ping.Netlogon.DNSForestName != "" {
		forest = strings.ToLower(res.DCs[first].Ping.Netlogon.DNSForestName)
	}
	for _, o := range []struct{ name, purpose string }{
		{"_kerberos._tcp." + domain, "the KDCs: Kerberos clients that do not use the DC locator (MIT, Heimdal, Java) find the KDC with it"},
		{"_kpasswd._tcp." + domain, "password changes over Kerberos (kpasswd, TCP 464)"},
		{"_kpasswd._udp." + domain, "password changes over Kerberos (kpasswd, UDP 464)"},
		{"_gc._tcp." + forest, "the forest's global catalogs: logons in a multi-domain forest need one for universal groups"},
	} {
		if l, _ := look(o.name, dns.TypeSRV, o.purpose); l.Outcome != Found {
			res.Problems = append(res.Problems, missing(l, cfg.Server, "it is used for "+o.purpose))
		}
	}
	return res
}

// Ask asks one question and says what the server answered.
func Ask(ctx context.Context, cfg Config, name string, qtype uint16) Lookup {
	l, _ := lookup(ctx, cfg, name, qtype)
	return l
}

// DCRecord is the SRV name that lists a domain's DCs.
func DCRecord(domain string) string {
	return dcRecord(strings.ToLower(strings.TrimSuffix(domain, ".")))
}

// lookup asks one question and sorts the answer into a Lookup.
func lookup(ctx context.Context, cfg Config, name string, qtype uint16) (Lookup, dns.Message) {
	l := Lookup{Name: name, Type: dns.TypeName(qtype), Server: cfg.Server}
	ex, err := cfg.Resolver.Query(ctx, name, qtype)
	switch {
	case errors.Is(err, dns.ErrTimeout):
		l.Outcome = Timeout
		return l, dns.Message{}
	case err != nil:
		l.Outcome, l.Detail = Failed, err.Error()
		return l, dns.Message{}
	}
	m := ex.Reply
	switch m.RCode {
	case 0:
	case 3:
		l.Outcome, l.Detail = NXDomain, "NXDOMAIN"
		return l, m
	default:
		l.Outcome, l.Detail = Failed, dns.RCodeName(m.RCode)
		return l, m
	}
	for _, rr := range m.Answers {
		switch {
		case rr.Type == qtype && rr.SRV != nil:
			l.SRV = append(l.SRV, *rr.SRV)
		case rr.Type == qtype && rr.Addr.IsValid():
			l.Addrs = append(l.Addrs, rr.Addr.String())
		}
	}
	l.Outcome = Found
	if len(l.SRV)+len(l.Addrs) == 0 {
		l.Outcome, l.Detail = Empty, "NOERROR, no records"
	}
	return l, m
}

// missing is the sentence for a record that is not there.
func missing(l Lookup, server, why string) string {
	return fmt.Sprintf("DNS server %s has no %s record %s: it answered %s; %s", server, l.Type, l.Name, l.Said(), why)
}

// dcsOf lists the SRV targets in the order of RFC 2782 (see doc.go).
func dcsOf(m dns.Message) []DC {
	var dcs []DC
	for _, rr := range m.Answers {
		if rr.SRV == nil || rr.SRV.Target == "." {
			continue
		}
		name := strings.TrimSuffix(strings.ToLower(rr.SRV.Target), ".")
		if slices.ContainsFunc(dcs, func(d DC) bool { return d.Name == name }) {
			continue
		}
		dcs = append(dcs, DC{Name: name, Port: rr.SRV.Port, Priority: rr.SRV.Priority, Weight: rr.SRV.Weight})
	}
	SortSRV(dcs)
	return dcs
}

// SortSRV orders DCs as doc.go states: priority ascending, weight
// descending, name.
func SortSRV(dcs []DC) {
	slices.SortStableFunc(dcs, func(a, b DC) int {
		return cmp.Or(cmp.Compare(a.Priority, b.Priority), cmp.Compare(b.Weight, a.Weight), strings.Compare(a.Name, b.Name))
	})
}

// resolveDCs fills each DC's addresses: from the additional section when
// it has them (RFC 2782 "Usage rules"), else by A and AAAA lookups.
func resolveDCs(ctx context.Context, cfg Config, res *Result, m dns.Message, look func(string, uint16, string) (Lookup, dns.Message)) {
	for i := range res.DCs {
		dc := &res.DCs[i]
		for _, rr := range m.Additional {
			if rr.Addr.IsValid() && strings.EqualFold(strings.TrimSuffix(rr.Name, "."), dc.Name) {
				dc.Addrs = append(dc.Addrs, rr.Addr)
			}
		}
		if len(dc.Addrs) > 0 {
			dc.AddrSource = "additional section"
			continue
		}
		dc.AddrSource = "A/AAAA lookup"
		var said []string
		for _, t := range []uint16{dns.TypeA, dns.TypeAAAA} {
			l, _ := look(dc.Name, t, "the address of a DC named by "+res.Record)
			for _, a := range l.Addrs {
				dc.Addrs = append(dc.Addrs, netip.MustParseAddr(a))
			}
			said = append(said, l.Type+": "+l.Said())
		}
		if len(dc.Addrs) == 0 {
			res.Problems = append(res.Problems, fmt.Sprintf("the SRV record %s names %s, which has no address on DNS server %s (%s): clients cannot reach that DC",
				res.Record, dc.Name, cfg.Server, strings.Join(said, "; ")))
		}
	}
}

// pingDCs pings every DC's addresses (IPv4 first, as the addresses came),
// keeping the first address that answers.
func pingDCs(ctx context.Context, cfg Config, res *Result, domain string) {
	limit := cfg.Concurrency
	if limit <= 0 {
		limit = 8
	}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	for i := range res.DCs {
		dc := &res.DCs[i]
		if len(dc.Addrs) == 0 {
			continue
		}
		g.Go(func() error {
			addrs := slices.Clone(dc.Addrs)
			slices.SortStableFunc(addrs, func(a, b netip.Addr) int { return cmpBool(b.Is4(), a.Is4()) })
			for _, a := range addrs {
				p := cfg.Ping(ctx, a, domain)
				if dc.Ping == nil || p.Answered() {
					dc.Pinged, dc.Ping = a, &p
				}
				if p.Answered() {
					break
				}
			}
			return nil
		})
	}
	_ = g.Wait() // the goroutines return no errors
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// noPing is the sentence for DCs that did not answer the CLDAP ping.
func noPing(dcs []DC) string {
	var names []string
	for _, dc := range dcs {
		if dc.Ping == nil {
			continue
		}
		s := fmt.Sprintf("%s (%s: %s)", dc.Name, dc.Pinged, dc.Ping.Result.String())
		names = append(names, s)
	}
	if len(names) == 0 {
		return "no DC named by the SRV records has an address: the DC locator cannot ping any"
	}
	return "no DC answered the DC locator's CLDAP ping (UDP 389): " + strings.Join(names, ", ") +
		"; Windows clients report that no logon server is available"
}

// site looks up the client's site's DCs and prefers them.
func site(cfg Config, res *Result, domain string, look func(string, uint16, string) (Lookup, dns.Message)) {
	if res.ClientSite == "" {
		res.Notes = append(res.Notes, fmt.Sprintf("%s puts this client's address in no site (no subnet for it in AD Sites and Services): the client uses any DC of the domain, possibly across a WAN link",
			res.DCs[res.Chosen].Name))
		return
	}
	l, _ := look(siteRecord(res.ClientSite, domain), dns.TypeSRV, "the DCs of the client's site "+res.ClientSite)
	if l.Outcome != Found {
		res.Problems = append(res.Problems, missing(l, cfg.Server,
			fmt.Sprintf("no DC in the client's site %s is registered, so the client uses a DC of another site", res.ClientSite)))
		return
	}
	for _, s := range l.SRV {
		name := strings.TrimSuffix(strings.ToLower(s.Target), ".")
		for i := range res.DCs {
			if res.DCs[i].Name == name {
				res.DCs[i].InSite = true
			}
		}
	}
	for i, dc := range res.DCs {
		if dc.InSite && dc.Ping != nil && dc.Ping.Answered() {
			res.Chosen = i
			return
		}
	}
	res.Problems = append(res.Problems, fmt.Sprintf("no DC of the client's site %s (%s) answered the CLDAP ping: the client uses %s, of site %s",
		res.ClientSite, l.Name, res.DCs[res.Chosen].Name, res.DCs[res.Chosen].Ping.Netlogon.DCSiteName))
}

// IsDomain tells a domain from a DC's host name, for `winreach logon
// NAME`: a name with a dot that is no address is a domain when
// _ldap._tcp.dc._msdcs.NAME exists; otherwise it is a host name when its
// parent domain has that record (dc1.lab.test in lab.test); otherwise it
// is taken as a domain, so the missing records are reported rather than
// a stray A record probed. A name ending in a numeric label (300.1.1.1)
// is never a domain.
func IsDomain(ctx context.Context, r Resolver, name string) bool {
	name = strings.TrimSuffix(name, ".")
	if _, err := netip.ParseAddr(name); err == nil || !strings.Contains(name, ".") {
		return false
	}
	if last := name[strings.LastIndex(name, ".")+1:]; strings.Trim(last, "0123456789") == "" {
		return false // 300.1.1.1: a bad address, and no top-level domain is numeric
	}
	if has(ctx, r, dcRecord(name)) {
		return true
	}
	_, parent, _ := strings.Cut(name, ".")
	return !has(ctx, r, dcRecord(parent))
}

func has(ctx context.Context, r Resolver, name string) bool {
	ex, err := r.Query(ctx, name, dns.TypeSRV)
	if err != nil || ex.Reply.RCode != 0 {
		return false
	}
	for _, rr := range ex.Reply.Answers {
		if rr.SRV != nil {
			return true
		}
	}
	return false
}

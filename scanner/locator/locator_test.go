package locator

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/dns"
	"github.com/winreach/winreach/probes/ldap"
	"github.com/winreach/winreach/probes/probetest"
)

// fakeDNS answers from a table; names not in it get NXDOMAIN.
type fakeDNS map[string]dns.Message

func key(name string, qtype uint16) string { return strings.ToLower(name) + " " + dns.TypeName(qtype) }

func (f fakeDNS) Query(_ context.Context, name string, qtype uint16) (dns.Exchange, error) {
	if m, ok := f[key(name, qtype)]; ok {
		if m.RCode == 255 {
			return dns.Exchange{}, dns.ErrTimeout
		}
		return dns.Exchange{Reply: m}, nil
	}
	return dns.Exchange{Reply: dns.Message{Reply: dns.Reply{RCode: 3}}}, nil
}

func srv(records ...dns.SRV) dns.Message {
	var m dns.Message
	for _, r := range records {
		m.Answers = append(m.Answers, dns.RR{Type: dns.TypeSRV, Class: 1, SRV: &r})
	}
	return m
}

func addr(qtype uint16, a string) dns.Message {
	return dns.Message{Answers: []dns.RR{{Type: qtype, Class: 1, Addr: netip.MustParseAddr(a)}}}
}

// capture parses a reply captured from a real server (probes/dns/testdata).
func capture(t *testing.T, file string) dns.Message {
	t.Helper()
	m, err := dns.ParseMessage(probetest.ReadHex(t, "../../probes/dns/testdata/"+file))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// pinger answers from the DCs given, with the client's site.
func pinger(site string, dcs map[string]string) Pinger {
	return func(_ context.Context, a netip.Addr, domain string) Ping {
		dcSite, ok := dcs[a.String()]
		if !ok {
			return Ping{Result: probes.Result{State: probes.OpenFiltered, Reason: probes.ReasonNoResponse}}
		}
		return Ping{Result: probes.Result{State: probes.Confirmed, Reason: probes.ReasonReply},
			Netlogon: &ldap.NetlogonResponse{DNSDomainName: domain, DNSForestName: domain, DCSiteName: dcSite, ClientSiteName: site}}
	}
}

const srvName = "_ldap._tcp.dc._msdcs.lab.test"

func samba(t *testing.T) fakeDNS {
	return fakeDNS{
		key(srvName, dns.TypeSRV):                                           capture(t, "srv_ldap_dc_msdcs_samba_ad.hex"),
		key("dc1.lab.test", dns.TypeA):                                      capture(t, "a_dc1_samba_ad.hex"),
		key("dc1.lab.test", dns.TypeAAAA):                                   capture(t, "aaaa_dc1_samba_ad.hex"),
		key(siteRecord("Default-First-Site-Name", "lab.test"), dns.TypeSRV): capture(t, "srv_ldap_site_samba_ad.hex"),
		key("_kerberos._tcp.lab.test", dns.TypeSRV):                         capture(t, "srv_kerberos_tcp_samba_ad.hex"),
		key("_kpasswd._tcp.lab.test", dns.TypeSRV):                          srv(dns.SRV{Port: 464, Target: "dc1.lab.test."}),
		key("_kpasswd._udp.lab.test", dns.TypeSRV):                          srv(dns.SRV{Port: 464, Target: "dc1.lab.test."}),
		key("_gc._tcp.lab.test", dns.TypeSRV):                               srv(dns.SRV{Port: 3268, Target: "dc1.lab.test."}),
	}
}

func cfg(r Resolver, p Pinger) Config { return Config{Resolver: r, Server: "198.18.1.10:53", Ping: p} }

func TestLocateSamba(t *testing.T) {
	res := Locate(t.Context(), cfg(samba(t), pinger("Default-First-Site-Name", map[string]string{"198.18.1.10": "Default-First-Site-Name"})), "LAB.TEST.")
	dc, ok := res.ChosenDC()
	if !ok || dc.Name != "dc1.lab.test" || dc.Pinged != netip.MustParseAddr("198.18.1.10") || !dc.InSite || dc.AddrSource != "A/AAAA lookup" || len(dc.Addrs) != 2 {
		t.Fatalf("chosen %+v (%v)", dc, ok)
	}
	if len(res.Problems) != 0 || res.ClientSite != "Default-First-Site-Name" || res.Record != srvName {
		t.Errorf("%+v", res)
	}
}

func TestLocateNXDOMAIN(t *testing.T) {
	// dnsmasq without the records (the lab's wr-dns2) answers NXDOMAIN
	// for the SRV name and knows the domain's A record.
	r := fakeDNS{
		key(srvName, dns.TypeSRV):  capture(t, "srv_ldap_dc_msdcs_dnsmasq_nxdomain.hex"),
		key("lab.test", dns.TypeA): addr(dns.TypeA, "198.18.1.10"),
	}
	res := Locate(t.Context(), Config{Resolver: r, Server: "198.18.1.12:53", Ping: pinger("", nil)}, "lab.test")
	if res.Located() || len(res.Problems) != 1 {
		t.Fatalf("%+v", res)
	}
	want := "DNS server 198.18.1.12:53 has no SRV record _ldap._tcp.dc._msdcs.lab.test: it answered NXDOMAIN (no such name); no client using this DNS server can find a DC of lab.test"
	if res.Problems[0] != want {
		t.Errorf("problem\n%q\nwant\n%q", res.Problems[0], want)
	}
	if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "lab.test has an A record on 198.18.1.12:53 (198.18.1.10)") {
		t.Errorf("notes %q", res.Notes)
	}
}

func TestLocateEmptyAndTimeout(t *testing.T) {
	for name, m := range map[string]dns.Message{
		"an empty answer (the name exists, but has no SRV record)": capture(t, "srv_domain_samba_ad_empty.hex"),
		"nothing (no answer in time)":                              {Reply: dns.Reply{RCode: 255}},
		"SERVFAIL":                                                 {Reply: dns.Reply{RCode: 2}},
	} {
		res := Locate(t.Context(), cfg(fakeDNS{key(srvName, dns.TypeSRV): m}, pinger("", nil)), "lab.test")
		if res.Located() || len(res.Problems) != 1 || !strings.Contains(res.Problems[0], "it answered "+name+";") {
			t.Errorf("%s: %q", name, res.Problems)
		}
	}
}

func TestLocateSRVWithoutAddress(t *testing.T) {
	r := samba(t)
	delete(r, key("dc1.lab.test", dns.TypeA))
	r[key("dc1.lab.test", dns.TypeAAAA)] = capture(t, "aaaa_domain_dnsmasq_empty.hex")
	res := Locate(t.Context(), cfg(r, pinger("", nil)), "lab.test")
	if res.Located() || len(res.Problems) < 2 {
		t.Fatalf("%+v", res)
	}
	want := "the SRV record _ldap._tcp.dc._msdcs.lab.test names dc1.lab.test, which has no address on DNS server 198.18.1.10:53 (A: NXDOMAIN (no such name); AAAA: an empty answer (the name exists, but has no AAAA record)): clients cannot reach that DC"
	if res.Problems[0] != want {
		t.Errorf("got  %q\nwant %q", res.Problems[0], want)
	}
}

func TestLocateAdditionalSection(t *testing.T) {
	m := srv(dns.SRV{Port: 389, Weight: 100, Target: "dc1.lab.test."})
	m.Additional = []dns.RR{{Name: "DC1.lab.test.", Type: dns.TypeA, Addr: netip.MustParseAddr("198.18.1.10")}}
	r := samba(t)
	r[key(srvName, dns.TypeSRV)] = m
	delete(r, key("dc1.lab.test", dns.TypeA))
	res := Locate(t.Context(), cfg(r, pinger("Default-First-Site-Name", map[string]string{"198.18.1.10": "Default-First-Site-Name"})), "lab.test")
	if dc, ok := res.ChosenDC(); !ok || dc.AddrSource != "additional section" || len(dc.Addrs) != 1 {
		t.Errorf("%+v", dc)
	}
}

// Three DCs: dc3 has the best SRV priority but is in another site; the
// client's site BRANCH has dc2 and dc4; dc2 does not answer the ping.
func sites(t *testing.T) fakeDNS {
	r := fakeDNS{
		key(srvName, dns.TypeSRV): srv(
			dns.SRV{Priority: 10, Weight: 100, Port: 389, Target: "dc2.lab.test."},
			dns.SRV{Priority: 0, Weight: 100, Port: 389, Target: "dc3.lab.test."},
			dns.SRV{Priority: 10, Weight: 50, Port: 389, Target: "dc4.lab.test."},
		),
		key(siteRecord("BRANCH", "lab.test"), dns.TypeSRV): srv(
			dns.SRV{Priority: 0, Weight: 100, Port: 389, Target: "dc2.lab.test."},
			dns.SRV{Priority: 0, Weight: 100, Port: 389, Target: "dc4.lab.test."},
		),
	}
	for i, n := range []string{"dc2", "dc3", "dc4"} {
		r[key(n+".lab.test", dns.TypeA)] = addr(dns.TypeA, "198.18.1."+string(rune('2'+i))+"0")
	}
	return r
}

func TestLocatePrefersClientSite(t *testing.T) {
	// dc3 (priority 0) answers first and says the client is in BRANCH;
	// dc4 is BRANCH's DC that answers.
	res := Locate(t.Context(), cfg(sites(t), pinger("BRANCH", map[string]string{"198.18.1.30": "HQ", "198.18.1.40": "BRANCH"})), "lab.test")
	var order []string
	for _, d := range res.DCs {
		order = append(order, d.Name)
	}
	if strings.Join(order, " ") != "dc3.lab.test dc2.lab.test dc4.lab.test" {
		t.Errorf("SRV order %v", order)
	}
	dc, _ := res.ChosenDC()
	if dc.Name != "dc4.lab.test" || !dc.InSite || res.ClientSite != "BRANCH" {
		t.Errorf("chosen %+v, site %q", dc, res.ClientSite)
	}
}

func TestLocateNoDCInSite(t *testing.T) {
	// The client's site has no SRV record: the client takes the first DC
	// that answered, and the problem names the site's record.
	res := Locate(t.Context(), cfg(sites(t), pinger("NOWHERE", map[string]string{"198.18.1.30": "HQ"})), "lab.test")
	dc, _ := res.ChosenDC()
	if dc.Name != "dc3.lab.test" {
		t.Errorf("chosen %+v", dc)
	}
	if !slicesContains(res.Problems, "has no SRV record _ldap._tcp.NOWHERE._sites.dc._msdcs.lab.test: it answered NXDOMAIN (no such name); no DC in the client's site NOWHERE is registered") {
		t.Errorf("problems %q", res.Problems)
	}
	// The site has DCs, none of which answers.
	res = Locate(t.Context(), cfg(sites(t), pinger("BRANCH", map[string]string{"198.18.1.30": "HQ"})), "lab.test")
	if dc, _ := res.ChosenDC(); dc.Name != "dc3.lab.test" ||
		!slicesContains(res.Problems, "no DC of the client's site BRANCH (_ldap._tcp.BRANCH._sites.dc._msdcs.lab.test) answered the CLDAP ping: the client uses dc3.lab.test, of site HQ") {
		t.Errorf("chosen %s, problems %q", dc.Name, res.Problems)
	}
}

func TestLocateNoPing(t *testing.T) {
	res := Locate(t.Context(), cfg(samba(t), pinger("", nil)), "lab.test")
	if res.Located() || !slicesContains(res.Problems, "no DC answered the DC locator's CLDAP ping (UDP 389): dc1.lab.test (198.18.1.10: open|filtered") {
		t.Errorf("%q", res.Problems)
	}
}

func slicesContains(list []string, part string) bool {
	for _, s := range list {
		if strings.Contains(s, part) {
			return true
		}
	}
	return false
}

func TestLocateDotTarget(t *testing.T) {
	r := fakeDNS{key(srvName, dns.TypeSRV): srv(dns.SRV{Target: "."})}
	res := Locate(t.Context(), cfg(r, pinger("", nil)), "lab.test")
	if res.Located() || len(res.Problems) != 1 || !strings.Contains(res.Problems[0], `with the target "." (RFC 2782: the service is not available)`) {
		t.Errorf("%q", res.Problems)
	}
}

func TestIsDomain(t *testing.T) {
	r := samba(t)
	for name, want := range map[string]bool{
		"lab.test":        true, // has the locator record
		"LAB.TEST.":       true,
		"dc1.lab.test":    false, // its parent domain has it: a DC's name
		"corp.other.test": true,  // neither has it: a domain without records, to report
		"dc1":             false, // no dot: a host name (or, with --wins, a NetBIOS domain)
		"198.18.1.10":     false,
		"fd77:7272:1::10": false,
		"300.1.1.1":       false, // a bad address, not a domain
	} {
		if got := IsDomain(t.Context(), r, name); got != want {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
	}
}

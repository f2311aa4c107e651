package logon

import (
	"bytes"
	"context"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/kerberos"
	"github.com/winreach/winreach/probes/ldap"
	"github.com/winreach/winreach/probes/probetest"
	"github.com/winreach/winreach/probes/suite"
	"github.com/winreach/winreach/scanner"
	"github.com/winreach/winreach/scanner/locator"
)

func TestOffset(t *testing.T) {
	sent := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	received := sent.Add(100 * time.Millisecond)
	// The server read its clock at our midpoint, 12:00:00.050, plus 7 min 12 s.
	server := sent.Add(50*time.Millisecond + 7*time.Minute + 12*time.Second)
	off, unc := Offset(server, sent, received)
	if off != 7*time.Minute+12*time.Second || unc != 50*time.Millisecond {
		t.Errorf("offset %v ± %v", off, unc)
	}
}

func TestJudgeClock(t *testing.T) {
	ms := func(d time.Duration) int64 { return d.Milliseconds() }
	for _, tc := range []struct {
		samples []ClockSample
		skewed  bool
		summary string
	}{
		{[]ClockSample{{Source: "smb2", OffsetMS: ms(7*time.Minute + 12*time.Second + 40*time.Millisecond)}, {Source: "kerberos", OffsetMS: ms(7*time.Minute + 12*time.Second)}},
			true, "this machine is 7 min 12 s behind DC1 (kerberos); Kerberos will fail with KRB_AP_ERR_SKEW (more than 5 min apart)"},
		{[]ClockSample{{Source: "kerberos", OffsetMS: ms(-6 * time.Minute)}},
			true, "this machine is 6 min 0 s ahead of DC1 (kerberos); Kerberos will fail with KRB_AP_ERR_SKEW (more than 5 min apart)"},
		{[]ClockSample{{Source: "kerberos", OffsetMS: ms(4*time.Minute + 59*time.Second)}},
			false, "this machine is 4 min 59 s behind DC1 (kerberos)"},
		{[]ClockSample{{Source: "kerberos", OffsetMS: ms(5 * time.Minute)}},
			false, "this machine is 5 min 0 s behind DC1 (kerberos)"},
		{[]ClockSample{{Source: "smb2", OffsetMS: -850}, {Source: "ntp", OffsetMS: 4000}},
			false, "this machine is 850 ms ahead of DC1 (smb2); ntp says +4000 ms"},
	} {
		c := judgeClock("DC1", tc.samples)
		if c.Skewed != tc.skewed || c.Summary != tc.summary {
			t.Errorf("%+v:\n got %v %q\nwant %v %q", tc.samples, c.Skewed, c.Summary, tc.skewed, tc.summary)
		}
	}
	if judgeClock("DC1", nil) != nil {
		t.Error("a clock without samples")
	}
}

func TestRealmOfDN(t *testing.T) {
	for dn, want := range map[string]string{"DC=lab,DC=test": "LAB.TEST", "dc=corp, dc=example, dc=test": "CORP.EXAMPLE.TEST", "CN=Configuration,DC=lab": "", "": ""} {
		if got := realmOfDN(dn); got != want {
			t.Errorf("%q: %q, want %q", dn, got, want)
		}
	}
}

func kdcResult(code int32, crealm string) probes.Result {
	return probes.Result{State: probes.Confirmed, Service: &probes.Service{Protocol: "kerberos", Details: &kerberos.Details{
		MessageType: "KRB-ERROR", ErrorCode: code, ErrorName: kerberos.ErrorName(code), ClientRealm: crealm}}}
}

func TestJudgeRealm(t *testing.T) {
	for _, tc := range []struct {
		r      probes.Result
		served string
		says   string
	}{
		{kdcResult(6, ""), "yes", "the KDC serves LAB.TEST: it answered KDC_ERR_C_PRINCIPAL_UNKNOWN"},
		{kdcResult(25, ""), "yes", "the KDC serves LAB.TEST: it answered KDC_ERR_PREAUTH_REQUIRED"},
		{kdcResult(68, "CORP.TEST"), "no", "the KDC does not serve LAB.TEST: it answered KDC_ERR_WRONG_REALM and referred the client to CORP.TEST"},
		{probes.Result{State: probes.OpenFiltered, Reason: probes.ReasonNoResponse}, "unknown", "the KDC did not answer an AS-REQ for LAB.TEST"},
	} {
		got := judgeRealm("LAB.TEST", tc.r)
		if got.Served != tc.served || !strings.HasPrefix(got.Evidence, tc.says) {
			t.Errorf("%+v: %+v", tc.r, got)
		}
	}
}

// shiftStime rewrites the stime (the [4] KerberosTime, RFC 4120 5.9.1) of
// a captured KRB-ERROR: the same length, another time.
func shiftStime(t *testing.T, msg []byte, to time.Time) []byte {
	t.Helper()
	i := bytes.Index(msg, []byte{0xa4, 0x11, 0x18, 0x0f})
	if i < 0 {
		t.Fatal("no stime in the fixture")
	}
	out := bytes.Clone(msg)
	copy(out[i+4:], to.UTC().Format("20060102150405Z"))
	return out
}

// udpOnly sends every UDP dial to one address and refuses TCP, so the
// Checker's Kerberos request reaches the stand-in KDC and its SMB and NTP
// requests fail at once.
type udpOnly struct{ kdc string }

func (u udpOnly) DialContext(ctx context.Context, network, _ string) (net.Conn, error) {
	if network != "udp" {
		return nil, &net.OpError{Op: "dial", Net: network, Err: errRefused{}}
	}
	var d net.Dialer
	return d.DialContext(ctx, network, u.kdc)
}

type errRefused struct{}

func (errRefused) Error() string { return "connection refused" }

// A loopback KDC stand-in answers with Samba's KRB-ERROR whose stime is 7
// min 12 s ahead of the injected clock: the Checker reports this machine
// behind by that much, and the logon fails.
func TestCheckerSkewedKDC(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	// Samba's susec is 489472 µs; the stand-in's stime is whole seconds.
	reply := shiftStime(t, probetest.ReadHex(t, "../../probes/kerberos/testdata/samba417_error6_udp.hex"), now.Add(7*time.Minute+12*time.Second))
	kdc := probetest.UDPServe(t, func([]byte) []byte { return reply })
	c := Checker{Dialer: udpOnly{kdc.String()}, Timeout: time.Second, Now: func() time.Time { return now }}
	h := scanner.HostResult{Address: netip.MustParseAddr("127.0.0.1"), Name: "DC1"}
	f := c.Check(t.Context(), h, nil)
	if f.Clock == nil || f.Clock.Source != "kerberos" || !f.Clock.Skewed || f.Clock.OffsetMS != (7*time.Minute+12*time.Second+489472*time.Microsecond).Milliseconds() {
		t.Fatalf("clock %+v", f.Clock)
	}
	if want := "this machine is 7 min 12 s behind DC1 (kerberos); Kerberos will fail with KRB_AP_ERR_SKEW"; !strings.HasPrefix(f.Clock.Summary, want) {
		t.Errorf("summary %q", f.Clock.Summary)
	}
	// The realm was not learned (no LDAP in the scan): the placeholder is
	// asked, and Samba's fixture answers it with principal unknown.
	if f.Realm == nil || f.Realm.Asked != kerberos.DefaultRealm || f.Realm.Learned != "" || f.Realm.Served != "yes" {
		t.Errorf("realm %+v", f.Realm)
	}
	rep := Report{DC: h.Address, CanLogOn: true, Conclusion: "A logon to 127.0.0.1 can work: paths."}
	rep.AddFacts(f)
	if rep.CanLogOn || !strings.Contains(rep.Conclusion, "cannot work: this machine is 7 min 12 s behind DC1") {
		t.Errorf("%v %q", rep.CanLogOn, rep.Conclusion)
	}
	// Within five minutes: reported, not fatal.
	ahead := shiftStime(t, reply, now.Add(-4*time.Minute))
	f = Checker{Dialer: udpOnly{probetest.UDPServe(t, func([]byte) []byte { return ahead }).String()}, Timeout: time.Second, Now: func() time.Time { return now }}.Check(t.Context(), h, nil)
	if f.Clock == nil || f.Clock.Skewed || !strings.HasPrefix(f.Clock.Summary, "this machine is 3 min 59 s ahead of DC1") {
		t.Errorf("clock %+v", f.Clock)
	}
}

func TestUnlocated(t *testing.T) {
	loc := &locator.Result{Chosen: -1}
	rep := Report{DC: netip.MustParseAddr("198.18.1.10"), Vendor: VendorWindows, Steps: []Step{{Checks: []Check{
		{Endpoint: udp(389), Cause: Dropped}, {Endpoint: tcp(389), Cause: Reachable},
	}}}}
	Unlocated(loc, []Report{rep})
	want := `198.18.1.10 answers LDAP on TCP 389 but not the CLDAP ping on UDP 389: the path or the DC drops the DC locator's datagrams; allow UDP 389 to 198.18.1.10 (on the way, or on the DC, the Windows Defender Firewall rule "Active Directory Domain Controller - LDAP (UDP-In)")`
	if len(loc.Problems) != 1 || loc.Problems[0] != want {
		t.Errorf("got  %q\nwant %q", loc.Problems, want)
	}
}

func rootDSEResult(info ldap.RootDSEInfo) probes.Result {
	r := confirmed
	r.Service = &probes.Service{Protocol: "ldap", Details: suite.DCDetails{RootDSEDetails: ldap.RootDSEDetails{RootDSE: &info}}}
	return r
}

// The advice speaks the DC's language: a Windows DC (an AD rootDSE without
// vendorName) gets its services and firewall rules, Samba its smb.conf
// server services, and an unknown server neutral words.
func TestAdviceInTheDCsTerms(t *testing.T) {
	for _, tc := range []struct {
		dse          ldap.RootDSEInfo
		vendor, want string
	}{
		{ldap.RootDSEInfo{ActiveDirectory: true, LDAPServiceName: "lab.test:dc1$@LAB.TEST"}, VendorWindows,
			`start the Kerberos Key Distribution Center service on 198.18.1.10 (TCP 88)`},
		{ldap.RootDSEInfo{ActiveDirectory: true, VendorName: "Samba Team (https://www.samba.org)"}, VendorSamba,
			`start samba's KDC ("kdc" in smb.conf's server services) on 198.18.1.10 (TCP 88)`},
		{ldap.RootDSEInfo{VendorName: "OpenLDAP"}, VendorUnknown, `start the KDC on 198.18.1.10 (TCP 88)`},
	} {
		rep := Explain(host(with(healthy(), map[string]probes.Result{"tcp/389": rootDSEResult(tc.dse), "tcp/88": rst})))
		if rep.Vendor != tc.vendor || !slices.Contains(rep.Fixes, tc.want) {
			t.Errorf("%s: vendor %s, fixes %q; want %q", tc.dse.VendorName, rep.Vendor, rep.Fixes, tc.want)
		}
	}
	// A drop at a Windows DC names the firewall rule.
	rep := Explain(host(with(healthy(), map[string]probes.Result{
		"tcp/389": rootDSEResult(ldap.RootDSEInfo{ActiveDirectory: true, DomainFunctionality: 7}), "tcp/445": timeout})))
	want := `allow TCP 445 to 198.18.1.10 (on the way, or on the DC, the Windows Defender Firewall rule "Active Directory Domain Controller - SAM/LSA (NP-TCP-In)")`
	if !slices.ContainsFunc(rep.Fixes, func(f string) bool { return strings.HasPrefix(f, want) }) {
		t.Errorf("fixes %q", rep.Fixes)
	}
}

// TestAddFactsSkewStopsALogon: a clock beyond Kerberos' skew turns a
// report whose paths work into one that cannot work, says the paths are
// fine, and adds the fix for the clock.
func TestAddFactsSkewStopsALogon(t *testing.T) {
	r := Report{DC: netip.MustParseAddr("198.18.1.15"), CanLogOn: true,
		Conclusion: "A logon to 198.18.1.15 can work: the Windows 2000 (DNS, CLDAP, Kerberos, LDAP, SMB 445) path works."}
	r.AddFacts(Facts{Clock: &Clock{OffsetMS: 600_000, Source: "kerberos", Skewed: true,
		Summary: "this machine is 10 min 0 s behind 198.18.1.15 (kerberos); Kerberos will fail with KRB_AP_ERR_SKEW (more than 5 min apart)"}})
	want := "A logon to 198.18.1.15 cannot work: this machine is 10 min 0 s behind 198.18.1.15 (kerberos); Kerberos will fail with " +
		"KRB_AP_ERR_SKEW (more than 5 min apart). The network lets it through: the Windows 2000 (DNS, CLDAP, Kerberos, LDAP, SMB 445) path works."
	if r.CanLogOn || r.Conclusion != want {
		t.Errorf("can log on %v\n got %q\nwant %q", r.CanLogOn, r.Conclusion, want)
	}
	if len(r.Fixes) != 1 || !strings.Contains(r.Fixes[0], "w32tm /resync") || !strings.Contains(r.Fixes[0], "198.18.1.15") {
		t.Errorf("fixes %q", r.Fixes)
	}
}

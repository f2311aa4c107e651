//go:build lab

package lab

import (
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The logon tests run winreach from a client namespace of their own,
// wrdev-logon-cli (198.18.1.201 on the lab bridge), so that the nftables
// rules they add to the DC's input chain, scoped to that address, change
// nothing for other tests using the lab at the same time.
const (
	logonClientNS   = "wrdev-logon-cli"
	logonClientAddr = "198.18.1.201"
	logonDC         = "198.18.1.10"
)

// winreachBinary builds the command under test once per test.
func winreachBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "winreach")
	if out, err := exec.CommandContext(t.Context(), "go", "build", "-o", bin, "github.com/winreach/winreach/cmd/winreach").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// runIn runs the binary in namespace ns and returns its exit code,
// stdout and stderr.
func runIn(t *testing.T, ns, bin string, args ...string) (int, string, string) {
	t.Helper()
	cmd := CommandContext(t.Context(), ns, append([]string{bin}, args...)...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return ee.ExitCode(), out.String(), errb.String()
	case err != nil:
		t.Fatal(err)
	}
	return 0, out.String(), errb.String()
}

func mustRun(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.CommandContext(t.Context(), args[0], args[1:]...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// logonClient plugs wrdev-logon-cli into the lab bridge; Cleanup removes it.
func logonClient(t *testing.T) {
	t.Helper()
	exec.Command("ip", "netns", "del", logonClientNS).Run() // an interrupted run's leftovers
	mustRun(t, "ip", "netns", "add", logonClientNS)
	t.Cleanup(func() {
		if out, err := exec.Command("ip", "netns", "del", logonClientNS).CombinedOutput(); err != nil {
			t.Errorf("ip netns del %s: %v\n%s", logonClientNS, err, out)
		}
	})
	mustRun(t, "ip", "-n", logonClientNS, "link", "set", "lo", "up")
	mustRun(t, "ip", "-n", logonClientNS, "link", "add", "eth0", "type", "veth", "peer", "name", "p-wrdevlogon", "netns", BridgeNS)
	mustRun(t, "ip", "-n", BridgeNS, "link", "set", "p-wrdevlogon", "master", "br0", "up")
	mustRun(t, "ip", "-n", logonClientNS, "addr", "add", logonClientAddr+"/24", "dev", "eth0")
	mustRun(t, "ip", "-n", logonClientNS, "link", "set", "eth0", "up")
}

// dropAtDC drops, in the DC's input chain, what the test client sends to
// the given "tcp dport N" / "udp dport N" matches, until Cleanup.
func dropAtDC(t *testing.T, matches ...string) {
	t.Helper()
	ruleset := "table inet wrdevlogon {\n\tchain input {\n\t\ttype filter hook input priority -10; policy accept;\n"
	for _, m := range matches {
		ruleset += "\t\tip saddr " + logonClientAddr + " " + m + " drop\n"
	}
	ruleset += "\t}\n}\n"
	exec.Command("ip", "netns", "exec", "wr-dc", "nft", "delete", "table", "inet", "wrdevlogon").Run()
	cmd := exec.CommandContext(t.Context(), "ip", "netns", "exec", "wr-dc", "nft", "-f", "-")
	cmd.Stdin = strings.NewReader(ruleset)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("nft: %v\n%s\n%s", err, out, ruleset)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("ip", "netns", "exec", "wr-dc", "nft", "delete", "table", "inet", "wrdevlogon").CombinedOutput(); err != nil {
			t.Errorf("nft delete table: %v\n%s", err, out)
		}
	})
}

// logonJSON is what the tests read of `winreach logon --format json`.
type logonJSON struct {
	CanLogOn bool `json:"can_log_on"`
	DCs      []struct {
		DC         string `json:"dc"`
		CanLogOn   bool   `json:"can_log_on"`
		Conclusion string `json:"conclusion"`
		Paths      []struct {
			ID, Status string
			Broken     []string `json:"broken"`
		} `json:"paths"`
		Steps []struct {
			ID, Status string
			Checks     []struct {
				Endpoint, Cause, Evidence, Fix string
			} `json:"checks"`
		} `json:"steps"`
		Fixes []string `json:"fixes"`
	} `json:"dcs"`
}

func logon(t *testing.T, ns, bin string, dc string) (int, logonJSON, string) {
	t.Helper()
	code, out, stderr := runIn(t, ns, bin, "logon", "--no-progress", "--timeout", "1s", "--format", "json", dc)
	var doc logonJSON
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.DCs) != 1 {
		t.Fatalf("logon JSON: %v (exit %d)\n%s\n%s", err, code, out, stderr)
	}
	_, text, _ := runIn(t, ns, bin, "logon", "--no-progress", "--timeout", "1s", dc)
	t.Logf("winreach logon %s (from %s):\n%s", dc, ns, text)
	return code, doc, text
}

func (d logonJSON) path(id string) (status string, broken []string) {
	for _, p := range d.DCs[0].Paths {
		if p.ID == id {
			return p.Status, p.Broken
		}
	}
	return "", nil
}

func (d logonJSON) check(ep string) (cause, evidence string) {
	for _, s := range d.DCs[0].Steps {
		for _, c := range s.Checks {
			if c.Endpoint == ep {
				return c.Cause, c.Evidence
			}
		}
	}
	return "", ""
}

func (d logonJSON) steps() map[string]string {
	m := map[string]string{}
	for _, s := range d.DCs[0].Steps {
		m[s.ID] = s.Status
	}
	return m
}

// TestLogonLab: winreach logon against the lab's Samba DC says a logon can
// work; with UDP 138 and TCP 139 dropped on the way it names the NetBIOS
// steps and still lets the logon through SMB direct host; with TCP 445
// dropped too, and against the host that drops everything, it says a logon
// cannot work and exits 1.
func TestLogonLab(t *testing.T) {
	Up(t)
	t.Cleanup(func() { Down(t) })
	bin := winreachBinary(t)

	t.Run("healthy DC", func(t *testing.T) {
		code, doc, text := logon(t, ClientNS, bin, logonDC)
		if code != 0 || !doc.CanLogOn {
			t.Errorf("exit %d, can_log_on %v; want 0, true", code, doc.CanLogOn)
		}
		if st, _ := doc.path("windows2000"); st != "works" {
			t.Errorf("Windows 2000 path %s, want works", st)
		}
		for step, want := range map[string]string{"name-resolution": "works", "kerberos": "works", "ldap": "works", "smb": "works", "rpc": "works"} {
			if got := doc.steps()[step]; got != want {
				t.Errorf("step %s %s, want %s", step, got, want)
			}
		}
		if !strings.Contains(text, "A logon to 198.18.1.10 can work") {
			t.Errorf("text does not say a logon can work")
		}
	})

	logonClient(t)

	t.Run("UDP 138 and TCP 139 dropped", func(t *testing.T) {
		dropAtDC(t, "udp dport 138", "tcp dport 139")
		code, doc, text := logon(t, logonClientNS, bin, logonDC)
		if code != 0 || !doc.CanLogOn {
			t.Errorf("exit %d, can_log_on %v; want 0, true: SMB direct host still carries the logon", code, doc.CanLogOn)
		}
		if st, broken := doc.path("netbios"); st != "breaks" || !slices.Equal(broken, []string{"NetBIOS session (TCP 139)"}) {
			t.Errorf("NetBIOS path %s at %v, want breaks at TCP 139", st, broken)
		}
		if cause, ev := doc.check("tcp/139"); cause != "dropped" || !strings.Contains(ev, "likely dropped between here and 198.18.1.10") {
			t.Errorf("tcp/139: %s %q", cause, ev)
		}
		if _, ev := doc.check("udp/138"); !strings.Contains(ev, "likely dropped between here and 198.18.1.10, as TCP 139 is") {
			t.Errorf("udp/138: %q", ev)
		}
		if got := doc.steps()["smb"]; got != "partly" {
			t.Errorf("smb step %s, want partly", got)
		}
		for _, want := range []string{
			// The lab DC is Samba: the advice names its host firewall.
			"allow TCP 139 to 198.18.1.10 (on the way, or on the DC, in its host firewall: nftables or iptables), or use Kerberos/SMB direct host (TCP 445, reachable)",
			"allow UDP 138 to 198.18.1.10 (on the way, or on the DC, in its host firewall: nftables or iptables), or use Kerberos/SMB direct host (TCP 445, reachable)",
		} {
			if !slices.Contains(doc.DCs[0].Fixes, want) || !strings.Contains(text, want) {
				t.Errorf("fixes %q lack %q", doc.DCs[0].Fixes, want)
			}
		}
	})

	t.Run("UDP 138, TCP 139 and TCP 445 dropped", func(t *testing.T) {
		dropAtDC(t, "udp dport 138", "tcp dport { 139, 445 }")
		code, doc, text := logon(t, logonClientNS, bin, logonDC)
		if code != 1 || doc.CanLogOn {
			t.Errorf("exit %d, can_log_on %v; want 1, false", code, doc.CanLogOn)
		}
		if st, broken := doc.path("windows2000"); st != "breaks" || !slices.Equal(broken, []string{"SMB direct host (TCP 445)"}) {
			t.Errorf("Windows 2000 path %s at %v, want breaks at TCP 445", st, broken)
		}
		if got := doc.steps()["smb"]; got != "breaks" {
			t.Errorf("smb step %s, want breaks", got)
		}
		if !strings.Contains(text, "A logon to 198.18.1.10 cannot work: the Windows 2000 (DNS, CLDAP, Kerberos, LDAP, SMB 445) path breaks at SMB direct host (TCP 445); the NetBIOS (UDP 137, UDP 138, TCP 139) path breaks at NetBIOS session (TCP 139).") {
			t.Errorf("text does not name the blocked steps")
		}
	})

	t.Run("drop host", func(t *testing.T) {
		code, doc, _ := logon(t, ClientNS, bin, "198.18.1.60")
		if code != 1 || doc.CanLogOn {
			t.Errorf("exit %d, can_log_on %v; want 1, false", code, doc.CanLogOn)
		}
		for _, id := range []string{"windows2000", "netbios"} {
			if st, _ := doc.path(id); st != "breaks" {
				t.Errorf("%s path %s, want breaks", id, st)
			}
		}
	})
}

// locatorJSON is what the locator tests read of `winreach logon --format
// json DOMAIN`.
type locatorJSON struct {
	CanLogOn      bool   `json:"can_log_on"`
	RealmLearned  string `json:"realm_learned"`
	RealmAsked    string `json:"realm_asked"`
	ClockOffsetMS *int64 `json:"clock_offset_ms"`
	ClockSource   string `json:"clock_source"`
	Locator       *struct {
		Domain, Server, Record string
		Lookups                []struct{ Name, Type, Outcome string }
		DCs                    []struct {
			Name, Pinged string
			Chosen       bool
		} `json:"dcs"`
		ClientSite string   `json:"client_site"`
		Chosen     int      `json:"chosen"`
		Problems   []string `json:"problems"`
	} `json:"locator"`
	DCs []struct {
		DC       string `json:"dc"`
		CanLogOn bool   `json:"can_log_on"`
		Vendor   string `json:"vendor"`
		Facts    struct {
			Realm struct{ Learned, Asked, Served string }
			Clock struct {
				OffsetMS int64 `json:"clock_offset_ms"`
				Source   string
				Skewed   bool
			}
		} `json:"facts"`
		Steps []struct {
			ID     string
			Checks []struct{ Endpoint, Cause, Evidence string }
		} `json:"steps"`
	} `json:"dcs"`
}

func locate(t *testing.T, ns, bin string, args ...string) (int, locatorJSON, string) {
	t.Helper()
	args = append([]string{"logon", "--no-progress", "--timeout", "1s"}, args...)
	code, out, stderr := runIn(t, ns, bin, append(args, "--format", "json")...)
	var doc locatorJSON
	if err := json.Unmarshal([]byte(out), &doc); err != nil || doc.Locator == nil {
		t.Fatalf("logon JSON: %v (exit %d)\n%s\n%s", err, code, out, stderr)
	}
	textCode, text, _ := runIn(t, ns, bin, args...)
	t.Logf("winreach %s (from %s), exit %d:\n%s", strings.Join(args, " "), ns, textCode, text)
	if textCode != code {
		t.Errorf("exit %d with text, %d with JSON", textCode, code)
	}
	return code, doc, text
}

// TestLogonLocatorLab: winreach logon DOMAIN finds the lab's Samba DC
// through its SRV record (the client's resolv.conf names the DC's DNS),
// learns the realm and measures the clock; asked of wr-dns2, a DNS server
// without the locator records, it names the missing record and exits 1;
// with UDP 389 dropped at the DC it says the DC answers LDAP but not the
// CLDAP ping; --wins finds the DC by LAB<1C>.
func TestLogonLocatorLab(t *testing.T) {
	Up(t)
	t.Cleanup(func() { Down(t) })
	bin := winreachBinary(t)

	t.Run("domain through the SRV record", func(t *testing.T) {
		code, doc, text := locate(t, ClientNS, bin, "lab.test")
		if code != 0 || !doc.CanLogOn {
			t.Errorf("exit %d, can_log_on %v; want 0, true", code, doc.CanLogOn)
		}
		l := doc.Locator
		if l.Record != "_ldap._tcp.dc._msdcs.lab.test" || l.Chosen != 0 || len(l.DCs) != 1 || l.DCs[0].Name != "dc1.lab.test" || l.DCs[0].Pinged != logonDC {
			t.Errorf("locator %+v", l)
		}
		if l.ClientSite != "Default-First-Site-Name" || len(l.Problems) != 0 {
			t.Errorf("site %q, problems %q", l.ClientSite, l.Problems)
		}
		if doc.RealmLearned != "LAB.TEST" || doc.RealmAsked != "LAB.TEST" || doc.DCs[0].Facts.Realm.Served != "yes" {
			t.Errorf("realm learned %q asked %q served %q", doc.RealmLearned, doc.RealmAsked, doc.DCs[0].Facts.Realm.Served)
		}
		if doc.ClockOffsetMS == nil || doc.ClockSource != "kerberos" || doc.DCs[0].Facts.Clock.Skewed {
			t.Errorf("clock %v from %q, skewed %v", doc.ClockOffsetMS, doc.ClockSource, doc.DCs[0].Facts.Clock.Skewed)
		} else if off := *doc.ClockOffsetMS; off < -2000 || off > 2000 {
			// The lab DC shares this machine's clock.
			t.Errorf("clock offset %d ms to a DC on the same clock", off)
		}
		if doc.DCs[0].Vendor != "samba" {
			t.Errorf("vendor %q", doc.DCs[0].Vendor)
		}
		for _, want := range []string{
			"ok  SRV _ldap._tcp.dc._msdcs.lab.test: dc1.lab.test:389",
			"A client finds dc1.lab.test (198.18.1.10) through _ldap._tcp.dc._msdcs.lab.test.",
			"Clock: this machine",
			"DNS (UDP 53) answers the DC locator's question: _ldap._tcp.dc._msdcs.lab.test SRV -> dc1.lab.test:389",
			"Kerberos realm: asked LAB.TEST, learned from the DC locator's CLDAP ping (DnsDomainName); the KDC serves LAB.TEST",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("text lacks %q", want)
			}
		}
	})

	t.Run("DNS server without the records", func(t *testing.T) {
		code, doc, text := locate(t, ClientNS, bin, "--dns", "198.18.1.12", "lab.test")
		if code != 1 || doc.CanLogOn || len(doc.DCs) != 0 {
			t.Errorf("exit %d, can_log_on %v, %d DCs; want 1, false, none", code, doc.CanLogOn, len(doc.DCs))
		}
		want := "DNS server 198.18.1.12:53 has no SRV record _ldap._tcp.dc._msdcs.lab.test: it answered NXDOMAIN (no such name)"
		if len(doc.Locator.Problems) == 0 || !strings.HasPrefix(doc.Locator.Problems[0], want) || !strings.Contains(text, want) {
			t.Errorf("problems %q, want %q", doc.Locator.Problems, want)
		}
	})

	t.Run("a DC's host name is no domain", func(t *testing.T) {
		code, out, _ := runIn(t, ClientNS, bin, "logon", "--no-progress", "--timeout", "1s", "--format", "json", "dc1.lab.test")
		if code != 0 || strings.Contains(out, `"locator"`) {
			t.Errorf("exit %d; dc1.lab.test was located as a domain:\n%s", code, out)
		}
	})

	t.Run("WINS", func(t *testing.T) {
		code, doc, _ := locate(t, ClientNS, bin, "--wins", logonDC, "lab")
		if code != 0 || doc.Locator.Record != "LAB<1C>" || doc.Locator.Chosen != 0 || doc.Locator.DCs[0].Name != "dc1.lab.test" {
			t.Errorf("exit %d, locator %+v", code, doc.Locator)
		}
		code, doc, _ = locate(t, ClientNS, bin, "--wins", logonDC, "NOSUCH")
		if code != 1 || len(doc.Locator.Problems) == 0 || !strings.Contains(doc.Locator.Problems[0], "has no name NOSUCH<1C>: it answered NAM_ERR") {
			t.Errorf("exit %d, problems %q", code, doc.Locator.Problems)
		}
	})

	logonClient(t)

	t.Run("CLDAP dropped", func(t *testing.T) {
		dropAtDC(t, "udp dport 389")
		code, doc, text := locate(t, logonClientNS, bin, "--dns", logonDC, "lab.test")
		if code != 1 || doc.CanLogOn || doc.Locator.Chosen != -1 {
			t.Errorf("exit %d, can_log_on %v, chosen %d; want 1, false, -1", code, doc.CanLogOn, doc.Locator.Chosen)
		}
		want := "no DC answered the DC locator's CLDAP ping (UDP 389): dc1.lab.test (198.18.1.10: open|filtered"
		if len(doc.Locator.Problems) == 0 || !strings.HasPrefix(doc.Locator.Problems[0], want) {
			t.Errorf("problems %q, want %q", doc.Locator.Problems, want)
		}
		// The steps still run against the DC: LDAP answers, CLDAP does not.
		if len(doc.DCs) != 1 || doc.DCs[0].DC != logonDC {
			t.Fatalf("DCs %+v", doc.DCs)
		}
		for _, s := range doc.DCs[0].Steps {
			for _, c := range s.Checks {
				if c.Endpoint == "tcp/389" && c.Cause != "reachable" || c.Endpoint == "udp/389" && c.Cause == "reachable" {
					t.Errorf("%s: %s %q", c.Endpoint, c.Cause, c.Evidence)
				}
			}
		}
		if !strings.Contains(text, "198.18.1.10 answers LDAP on TCP 389 but not the CLDAP ping on UDP 389") {
			t.Errorf("text does not say LDAP answers and CLDAP does not")
		}
	})
}

// TestLogonClockSkewLab: wr-skew runs the lab DC's own tree under
// libfaketime, its clock 10 minutes ahead (lab.sh skew_up). winreach
// logon measures that from the KDC's KRB-ERROR stime and from the SMB2
// negotiate SystemTime, which agree, and says the logon fails with
// KRB_AP_ERR_SKEW, exit 1, though every port of the Windows 2000 path
// answers, and how to fix the clock.
func TestLogonClockSkewLab(t *testing.T) {
	Up(t)
	t.Cleanup(func() { Down(t) })
	bin := winreachBinary(t)
	const skewDC = "198.18.1.15"
	const ahead = 10 * 60 * 1000 // ms, lab.sh SKEW_OFFSET

	code, out, stderr := runIn(t, ClientNS, bin, "logon", "--no-progress", "--timeout", "1s", "--format", "json", skewDC)
	var doc struct {
		CanLogOn bool `json:"can_log_on"`
		DCs      []struct {
			Facts struct {
				Clock *struct {
					OffsetMS int64 `json:"clock_offset_ms"`
					Source   string
					Skewed   bool
					Summary  string
					Samples  []struct {
						Source   string
						OffsetMS int64 `json:"offset_ms"`
					}
				}
			} `json:"facts"`
			Paths []struct {
				ID, Status string
				Broken     []string `json:"broken"`
			} `json:"paths"`
			Fixes []string `json:"fixes"`
		} `json:"dcs"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.DCs) != 1 {
		t.Fatalf("logon JSON: %v (exit %d)\n%s\n%s", err, code, out, stderr)
	}
	_, text, _ := runIn(t, ClientNS, bin, "logon", "--no-progress", "--timeout", "1s", skewDC)
	t.Logf("winreach logon %s:\n%s", skewDC, text)

	if code != 1 || doc.CanLogOn {
		t.Errorf("exit %d, can_log_on %v; want 1, false", code, doc.CanLogOn)
	}
	c := doc.DCs[0].Facts.Clock
	if c == nil {
		t.Fatal("no clock measured")
	}
	near := func(ms int64) bool { return ms > ahead-30_000 && ms < ahead+30_000 }
	if !c.Skewed || c.Source != "kerberos" || !near(c.OffsetMS) {
		t.Errorf("clock: offset %d ms from %q, skewed %v; want about +%d ms from kerberos, skewed", c.OffsetMS, c.Source, c.Skewed, ahead)
	}
	sources := map[string]bool{}
	for _, s := range c.Samples {
		sources[s.Source] = true
		if !near(s.OffsetMS) {
			t.Errorf("%s says %d ms, want about +%d", s.Source, s.OffsetMS, ahead)
		}
	}
	if !sources["kerberos"] || !sources["smb2"] {
		t.Errorf("samples from %v, want kerberos and smb2", sources)
	}
	// Every port of the Windows 2000 path answers (its NetBIOS servers
	// are off, the name being wr-dc's): the clock alone stops the logon,
	// and the fix says how to set it.
	for _, p := range doc.DCs[0].Paths {
		if p.ID == "windows2000" && (p.Status != "works" || len(p.Broken) != 0) {
			t.Errorf("Windows 2000 path %s at %v, want works", p.Status, p.Broken)
		}
	}
	if fixes := strings.Join(doc.DCs[0].Fixes, "\n"); !strings.Contains(fixes, "w32tm /resync") {
		t.Errorf("fixes %q lack the clock's", fixes)
	}
	for _, want := range []string{"behind", "KRB_AP_ERR_SKEW"} {
		if !strings.Contains(c.Summary, want) || !strings.Contains(text, want) {
			t.Errorf("the clock summary %q (or the text) lacks %q", c.Summary, want)
		}
	}
}

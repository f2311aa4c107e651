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
			"allow TCP 139 to 198.18.1.10, or use Kerberos/SMB direct host (TCP 445, reachable)",
			"allow UDP 138 to 198.18.1.10, or use Kerberos/SMB direct host (TCP 445, reachable)",
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

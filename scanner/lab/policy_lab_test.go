//go:build lab

package lab

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPolicyLab: scan --expect against the lab. The policy says what the
// lab really does, plus one deliberate violation (the DC serves LDAP,
// the policy says it must be blocked): the scan exits 1 and names exactly
// that one; without that line it exits 0, although SMTP on the DC and SMB
// on the reject host are not reachable, because the policy says so.
func TestPolicyLab(t *testing.T) {
	Up(t)
	t.Cleanup(func() { Down(t) })
	bin := winreachBinary(t)
	dir := t.TempDir()
	rules := []string{
		"# lab policy",
		"198.18.1.0/24   smtp                     blocked",
		"198.18.1.20     smtp                     reachable   # the last matching rule wins",
		"198.18.1.10     kerberos,dns-resolution  reachable",
		"198.18.1.10     ldap                     blocked     # deliberate violation",
		"198.18.1.61     smb-direct-host          blocked",
	}
	violated := filepath.Join(dir, "violated.txt")
	holds := filepath.Join(dir, "holds.txt")
	os.WriteFile(violated, []byte(strings.Join(rules, "\n")+"\n"), 0o644)
	os.WriteFile(holds, []byte(strings.Join(append(rules[:4:4], rules[5]), "\n")+"\n"), 0o644)
	targets := []string{"198.18.1.10", "198.18.1.20", "198.18.1.61"}

	args := append([]string{"scan", "--no-progress", "--timeout", "1s", "--expect", violated}, targets...)
	code, text, stderr := runIn(t, ClientNS, bin, args...)
	t.Logf("winreach scan --expect (one violation):\n%s%s", text, stderr)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if !strings.Contains(text, "Policy violations (1):\n  ! 198.18.1.10 ldap: expected blocked, is reachable ("+violated+":5") ||
		!strings.Contains(text, "! LDAP") {
		t.Errorf("table does not name the violation")
	}

	code, out, stderr := runIn(t, ClientNS, bin, append(args, "--format", "json")...)
	var doc struct {
		Violations []struct {
			Host, Function, Expected, Actual string
			Line                             int
		} `json:"violations"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s%s", err, out, stderr)
	}
	if code != 1 || len(doc.Violations) != 1 {
		t.Fatalf("exit %d, violations %+v; want 1, one", code, doc.Violations)
	}
	if v := doc.Violations[0]; v.Host != "198.18.1.10" || v.Function != "ldap" || v.Expected != "blocked" || v.Actual != "reachable" || v.Line != 5 {
		t.Errorf("violation %+v", v)
	}

	code, text, stderr = runIn(t, ClientNS, bin, append([]string{"scan", "--no-progress", "--timeout", "1s", "--expect", holds}, targets...)...)
	if code != 0 || !strings.Contains(text, "Policy: no violation.") {
		t.Errorf("policy that holds: exit %d, want 0\n%s%s", code, text, stderr)
	}
}

package main

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A policy run through the built binary: a loopback listener on the ICA
// port makes ica-client reachable, the closed RDP and SMTP ports make
// their functions not-listening. The exit code follows the policy, not
// the reachability.
func TestExpectPolicy(t *testing.T) {
	// A loopback address of our own, so the port is free whatever else runs.
	ln, err := net.Listen("tcp", "127.77.0.1:1494")
	if err != nil {
		t.Skipf("cannot listen on the ICA port: %v", err)
	}
	defer ln.Close()
	go acceptAndClose(ln)
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}

	holds := write("holds.txt", "# the ICA server only\n127.77.0.1 ica-client reachable\n127.77.0.1 rdp-client blocked\n")
	r := runBin(t, "", "scan", "--expect", holds, "--timeout", "1s")
	if r.code != exitOK {
		t.Errorf("policy that holds: exit %d, want 0 (rdp-client is not reachable, as the policy says)\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "Policy: no violation.") || strings.Contains(r.stdout, "\n! ") {
		t.Errorf("table:\n%s", r.stdout)
	}

	violated := write("violated.txt", "127.77.0.1 ica-client reachable\n127.77.0.1 rdp-client blocked\n127.77.0.1 smtp reachable # nothing listens\n")
	r = runBin(t, "", "scan", "--expect", violated, "--timeout", "1s")
	if r.code != exitNotAll {
		t.Errorf("violated policy: exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "! SMTP") || !strings.Contains(r.stdout, "Policy violations (1):\n  ! 127.77.0.1 smtp: expected reachable, is not-listening") {
		t.Errorf("table does not name the violation:\n%s", r.stdout)
	}

	r = runBin(t, "", "scan", "--expect", violated, "--timeout", "1s", "--format", "json")
	var doc struct {
		Violations []struct {
			Host, Function, Expected, Actual, File, Rule string
			Line                                         int
		} `json:"violations"`
		Unproven []json.RawMessage `json:"unproven"`
		Hosts    []struct {
			Functions []struct{ ID string } `json:"functions"`
		} `json:"hosts"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if r.code != exitNotAll || len(doc.Violations) != 1 || doc.Unproven == nil {
		t.Fatalf("exit %d, violations %+v, unproven %v", r.code, doc.Violations, doc.Unproven)
	}
	v := doc.Violations[0]
	if v.Host != "127.77.0.1" || v.Function != "smtp" || v.Expected != "reachable" || v.Actual != "not-listening" ||
		v.File != violated || v.Line != 3 || v.Rule != "127.77.0.1 smtp reachable" {
		t.Errorf("violation %+v", v)
	}
	// Only the functions the policy covers are judged.
	if len(doc.Hosts) != 1 || len(doc.Hosts[0].Functions) != 3 {
		t.Errorf("hosts %+v", doc.Hosts)
	}

	r = runBin(t, "", "scan", "--expect", violated, "--timeout", "1s", "--format", "csv")
	if !strings.Contains(r.stdout, ",smtp,SMTP,exchange,not-listening,tcp/25,,") || !strings.Contains(r.stdout, "violation: expected reachable ("+violated+":3)") {
		t.Errorf("csv:\n%s", r.stdout)
	}

	bad := write("bad.txt", "127.77.0.1 ica-client reachable\n\n127.77.0.1 ica-client open\n")
	r = runBin(t, "", "scan", "--expect", bad)
	if r.code != exitUsage || !strings.HasPrefix(r.stderr, "winreach: "+bad+":3: ") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("bad policy: exit %d, stderr %q", r.code, r.stderr)
	}
}

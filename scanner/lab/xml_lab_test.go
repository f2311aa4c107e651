//go:build lab

package lab

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestNmapXMLLab: the nmap XML of two lab scans (winreach listen, before
// and after an nftables change) validates against nmap's DTD, and ndiff
// compares them and shows the dropped endpoints.
func TestNmapXMLLab(t *testing.T) {
	const dtd = "/usr/share/nmap/nmap.dtd"
	if _, err := os.Stat(dtd); err != nil {
		t.Fatalf("%s: %v (the lab installs nmap: scanner/lab/packages.txt)", dtd, err)
	}
	for _, tool := range []string{"xmllint", "ndiff"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not installed: add libxml2-utils and ndiff to scanner/lab/packages.txt", tool)
		}
	}
	before, after := scansAroundChange(t, "xml")
	for _, f := range []string{before, after} {
		if out, err := exec.Command("xmllint", "--noout", "--dtdvalid", dtd, f).CombinedOutput(); err != nil {
			b, _ := os.ReadFile(f)
			t.Fatalf("xmllint --dtdvalid %s: %v\n%s\n%s", f, err, out, b)
		}
	}
	out, err := exec.Command("ndiff", before, after).CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 { // 1: the scans differ
		t.Fatalf("ndiff: %v\n%s", err, out)
	}
	t.Logf("ndiff before.xml after.xml:\n%s", out)
	for _, port := range []string{"138/udp", "445/tcp", "47/ip"} {
		if !strings.Contains(string(out), "-"+port) || !strings.Contains(string(out), "+"+port) {
			t.Errorf("ndiff does not show %s changing:\n%s", port, out)
		}
	}
	// The host scripts carry the function verdicts: some changed.
	if !strings.Contains(string(out), "\n-|") || !strings.Contains(string(out), "\n+|") {
		t.Errorf("ndiff shows no function verdict changing in the winreach-functions host script:\n%s", out)
	}
	// Nothing else changed among the ports (script lines start with |).
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "-|") || strings.HasPrefix(l, "+|") {
			continue
		}
		if (strings.HasPrefix(l, "-") || strings.HasPrefix(l, "+")) && strings.Contains(l, "/") && !strings.Contains(l, "Nmap") &&
			!strings.Contains(l, "138/udp") && !strings.Contains(l, "445/tcp") && !strings.Contains(l, "47/ip") {
			t.Errorf("ndiff shows an unexpected change: %q", l)
		}
	}
}

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winreach/winreach/scanner/report"
)

// winreach report renders a saved scan, json or jsonl, in every format;
// the XML validates against nmap's DTD with a host script per host.
func TestReportRendersSavedScans(t *testing.T) {
	dir := t.TempDir()
	scan := loopbackScan(t)
	saved := map[string]string{}
	for _, f := range []string{"json", "jsonl"} {
		saved[f] = filepath.Join(dir, "scan."+f)
		if code, _, stderr := runCLI(t, append([]string{"scan", "--format", f, "-o", saved[f]}, scan...)...); code != exitNotAll {
			t.Fatalf("scan --format %s: exit %d: %s", f, code, stderr)
		}
	}
	for _, in := range []string{saved["json"], saved["jsonl"]} {
		for _, format := range report.Formats {
			out := filepath.Join(dir, filepath.Base(in)+"."+format)
			if code, _, stderr := runCLI(t, "report", "--format", format, "-o", out, in); code != 0 {
				t.Fatalf("report --format %s %s: exit %d: %s", format, in, code, stderr)
			}
			b, err := os.ReadFile(out)
			if err != nil || !strings.Contains(string(b), "127.0.0.") {
				t.Fatalf("report --format %s: %v\n%s", format, err, b)
			}
			if format == "xml" {
				if n := strings.Count(string(b), `<script id="winreach-functions"`); n != 4 {
					t.Errorf("%s: %d host scripts, want 4", out, n)
				}
				checkNmapDTD(t, out)
			}
		}
	}
	// The json rendering of a saved json scan is the scan.
	want, _ := os.ReadFile(saved["json"])
	got, _ := os.ReadFile(filepath.Join(dir, "scan.json.json"))
	if string(got) != string(want) {
		t.Errorf("report --format json of a json scan differs:\n%s\nwant\n%s", got, want)
	}
	if code, _, _ := runCLI(t, "report", "--format", "yaml", saved["json"]); code != exitUsage {
		t.Errorf("--format yaml: exit %d", code)
	}
	if code, _, _ := runCLI(t, "report", filepath.Join(dir, "nope.json")); code != exitUsage {
		t.Errorf("missing file: exit %d", code)
	}
}

// checkNmapDTD validates an nmap XML file with xmllint, when installed.
func checkNmapDTD(t *testing.T, path string) {
	t.Helper()
	const dtd = "/usr/share/nmap/nmap.dtd"
	xmllint, err := exec.LookPath("xmllint")
	if _, serr := os.Stat(dtd); err != nil || serr != nil {
		t.Log("!!! xmllint or nmap.dtd missing: XML not validated")
		return
	}
	if out, err := exec.Command(xmllint, "--noout", "--dtdvalid", dtd, path).CombinedOutput(); err != nil {
		t.Errorf("xmllint %s: %v\n%s", path, err, out)
	}
}

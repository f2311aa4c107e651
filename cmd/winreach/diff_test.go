package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// scanJSON is a `scan --format json` document of one host, as winreach
// 0.1.0 writes it, with the verdicts given; its endpoints are the ones
// the verdicts cite.
func scanJSON(netlogon, smtp, udp138 string) string {
	return `{
  "scanner": "winreach", "version": "0.1.0-dev",
  "start_time": "2026-11-25T21:40:00Z", "end_time": "2026-11-25T21:40:05Z",
  "interrupted": false,
  "options": {"concurrency": 64, "timeout_ms": 2000, "retries": 1, "functions": ["netlogon", "smtp"], "endpoints": ["tcp/25", "udp/138"]},
  "targets": ["198.18.1.70"],
  "hosts": [{
    "address": "198.18.1.70", "status": "complete",
    "endpoints": [
      {"endpoint": "tcp/25", "transport": "tcp", "port": 25, "state": "open", "reason": "syn-ack"},
      {"endpoint": "udp/138", "transport": "udp", "port": 138, "state": "` + udp138 + `", "reason": "no-response"}
    ],
    "functions": [
      {"id": "netlogon", "name": "NetLogon", "group": "nt4", "endpoints": ["udp/138"], "verdict": "` + netlogon + `", "decided_by": ["udp/138"], "explanation": "UDP 138 ` + udp138 + `"},
      {"id": "smtp", "name": "SMTP", "group": "exchange", "endpoints": ["tcp/25"], "verdict": "` + smtp + `", "decided_by": ["tcp/25"], "explanation": "TCP 25"}
    ]
  }],
  "summary": {"hosts": 1, "probes": 2, "verdicts": {}, "all_reachable": false}
}
`
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDiffExitCodes(t *testing.T) {
	reachable := writeFile(t, "a.json", scanJSON("reachable", "blocked", "confirmed"))
	dropped := writeFile(t, "b.json", scanJSON("blocked", "blocked", "filtered"))
	silent := writeFile(t, "c.json", scanJSON("uncertain", "blocked", "open|filtered"))
	exposed := writeFile(t, "d.json", scanJSON("blocked", "reachable", "filtered"))

	r := runBin(t, "", "diff", reachable, dropped)
	if r.code != 1 || !strings.Contains(r.stdout, "REGRESSION  NetLogon  reachable -> blocked") || !strings.Contains(r.stdout, "1 regression(s)") {
		t.Errorf("regression: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runBin(t, "", "diff", dropped, exposed)
	if r.code != 0 || !strings.Contains(r.stdout, "EXPOSURE") || !strings.Contains(r.stdout, "SMTP") {
		t.Errorf("exposure: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// open|filtered <-> filtered only: ignored, listed with --all.
	r = runBin(t, "", "diff", dropped, silent)
	if r.code != 0 || strings.Contains(r.stdout, "NetLogon") || !strings.Contains(r.stdout, "1 ignored") {
		t.Errorf("ignored: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runBin(t, "", "diff", "--all", dropped, silent)
	if r.code != 0 || !strings.Contains(r.stdout, "(ignored)  NetLogon  blocked -> uncertain") {
		t.Errorf("--all: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runBin(t, "", "diff", reachable, reachable)
	if r.code != 0 || !strings.Contains(r.stdout, "no function changed") {
		t.Errorf("same: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	r = runBin(t, "", "diff", "--format", "json", reachable, dropped)
	var d struct {
		Old   struct{ File string } `json:"old"`
		Hosts []struct {
			Address string
			Changes []struct{ ID, Old, New, Kind string }
		} `json:"hosts"`
		Regressions int `json:"regressions"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
		t.Fatalf("json: %v\n%s", err, r.stdout)
	}
	if r.code != 1 || d.Old.File != reachable || d.Regressions != 1 || len(d.Hosts) != 1 || d.Hosts[0].Address != "198.18.1.70" ||
		len(d.Hosts[0].Changes) != 1 || d.Hosts[0].Changes[0].ID != "netlogon" || d.Hosts[0].Changes[0].Kind != "regression" {
		t.Errorf("json: exit %d %+v", r.code, d)
	}
}

func TestDiffBadInput(t *testing.T) {
	good := writeFile(t, "good.json", scanJSON("reachable", "reachable", "confirmed"))
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"diff"}, "want two files"},
		{[]string{"diff", good}, "want two files"},
		{[]string{"diff", good, filepath.Join(t.TempDir(), "missing.json")}, "missing.json"},
		{[]string{"diff", good, writeFile(t, "broken.json", "{\n\"scanner\": \"winreach\",\n  oops\n}")}, "line 3"},
		{[]string{"diff", good, writeFile(t, "other.json", `{"hello": "world"}`)}, "not a winreach JSON scan"},
		{[]string{"diff", good, writeFile(t, "nmap.xml", `<?xml version="1.0"?><nmaprun/>`)}, "not a winreach JSON scan"},
		{[]string{"diff", good, writeFile(t, "two.json", scanJSON("reachable", "reachable", "confirmed")+"{}")}, "data after"},
		{[]string{"diff", good, writeFile(t, "badstate.json", strings.Replace(scanJSON("reachable", "reachable", "confirmed"), `"state": "open"`, `"state": "wide-open"`, 1))}, "wide-open"},
		{[]string{"diff", "--format", "yaml", good, good}, "--format"},
	} {
		r := runBin(t, "", tc.args...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.says) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line with %q", tc.args[1:], r.code, r.stderr, tc.says)
		}
	}
}

// diff reads JSON Lines too (through the one reader of saved scans): a
// scan rendered as jsonl by winreach report compares equal to itself, and
// a regression shows across the two formats.
func TestDiffReadsJSONLines(t *testing.T) {
	dir := t.TempDir()
	old := writeFile(t, "old.json", scanJSON("reachable", "reachable", "confirmed"))
	oldLines := filepath.Join(dir, "old.jsonl")
	if r := runBin(t, "", "report", "--format", "jsonl", "-o", oldLines, old); r.code != 0 {
		t.Fatalf("report: exit %d: %s", r.code, r.stderr)
	}
	if r := runBin(t, "", "diff", old, oldLines); r.code != 0 || !strings.Contains(r.stdout, "no function changed") {
		t.Errorf("json vs its jsonl: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	regressed := writeFile(t, "new.json", scanJSON("blocked", "reachable", "filtered"))
	if r := runBin(t, "", "diff", oldLines, regressed); r.code != 1 || !strings.Contains(r.stdout, "REGRESSION") {
		t.Errorf("jsonl vs a regressed json: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestDiffAcrossCatalogs: a Q150543 scan against a modern-catalog scan of
// the same host compares no function (they share none), names both
// catalogs and counts what only one asked for, instead of calling every
// Q150543 function a change to "not-scanned".
func TestDiffAcrossCatalogs(t *testing.T) {
	old := writeFile(t, "q.json", scanJSON("reachable", "reachable", "confirmed"))
	modern := strings.Replace(scanJSON("reachable", "reachable", "confirmed"),
		`"functions": ["netlogon", "smtp"]`, `"catalog": "modern", "functions": ["exchange-smtp"]`, 1)
	modern = strings.Replace(modern, `"id": "smtp", "name": "SMTP", "group": "exchange"`,
		`"id": "exchange-smtp", "name": "SMTP (mail flow)", "group": "exchange-server"`, 1)
	neu := writeFile(t, "m.json", modern)

	r := runBin(t, "", "diff", old, neu)
	for _, want := range []string{
		"The scans used different catalogs: OLD q150543, NEW modern.",
		"Not compared: 2 functions only OLD asked for, 1 function only NEW asked for (netlogon, smtp, exchange-smtp)",
		"no function changed; 0 regression(s)",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("missing %q in\n%s", want, r.stdout)
		}
	}
	if r.code != 0 || strings.Contains(r.stdout, "not-scanned") {
		t.Errorf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runBin(t, "", "diff", "--format", "json", old, neu)
	var out struct {
		Old, New struct{ Catalog string }
		Hosts    []json.RawMessage
		OnlyOld  []string `json:"only_old"`
		OnlyNew  []string `json:"only_new"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if out.Old.Catalog != "q150543" || out.New.Catalog != "modern" || out.Hosts == nil || len(out.OnlyOld) != 2 {
		t.Errorf("json: %+v\n%s", out, r.stdout)
	}
}

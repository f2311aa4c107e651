package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winreach/winreach/catalog"
)

// Issue 12 acceptance: 'winreach catalog --catalog modern' lists every
// function with its endpoints and source document.
func TestCatalogModernListsEveryFunction(t *testing.T) {
	c, _ := catalog.Embedded(catalog.Modern)
	r := runBin(t, "", "catalog", "--catalog", "modern")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	lines := strings.Split(r.stdout, "\n")
	for _, f := range c.Functions {
		var line string
		for _, l := range lines {
			if fs := strings.Fields(l); len(fs) > 0 && fs[0] == f.ID {
				line = l
			}
		}
		if line == "" {
			t.Errorf("%s not listed", f.ID)
			continue
		}
		for _, e := range f.Endpoints {
			if !strings.Contains(line, e.String()) {
				t.Errorf("%s: endpoint %s missing from %q", f.ID, e, line)
			}
		}
		for _, e := range f.Optional {
			if !strings.Contains(line, e.String()+"?") {
				t.Errorf("%s: optional endpoint %s? missing from %q", f.ID, e, line)
			}
		}
		if !strings.Contains(line, "source: ") {
			t.Errorf("%s: no source in %q", f.ID, line)
		}
	}
	for _, doc := range []string{"KB 832017", "KB 179442", "KB 154596", "Exchange Server network ports", "SMB over QUIC"} {
		if !strings.Contains(r.stdout, doc) {
			t.Errorf("catalog table does not name %s", doc)
		}
	}

	r = runBin(t, "", "catalog", "--catalog", "modern", "--format", "json")
	var doc struct {
		Catalog   string
		Sources   []catalog.Source
		Functions []catalog.Function
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || doc.Catalog != "modern" || len(doc.Functions) != len(c.Functions) || len(doc.Sources) == 0 {
		t.Errorf("json: %v %q %d functions", err, doc.Catalog, len(doc.Functions))
	}
	for _, f := range doc.Functions {
		if len(f.Sources) == 0 {
			t.Errorf("json: %s without sources", f.ID)
		}
	}
}

// Issue 12 acceptance: --catalog FILE scans a user's function, the saved
// scan records the catalog, and merge follows it.
func TestUserCatalogScan(t *testing.T) {
	port := acceptingPort(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "mine.txt")
	os.WriteFile(file, fmt.Appendf(nil, "# our application\nsource runbook | Our runbook, section 4\ngroup app | Our application\napp-api | App API | tcp/%d | the API port | runbook\n", port), 0o644)

	out := filepath.Join(dir, "scan.json")
	r := runBin(t, "", "scan", "--catalog", file, "--format", "json", "-o", out, "--timeout", "1s", "127.0.0.1")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	b, _ := os.ReadFile(out)
	var doc struct {
		Options struct{ Catalog string }
		Hosts   []struct {
			Functions []struct{ ID, Verdict string }
		}
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Options.Catalog != file {
		t.Errorf("options.catalog %q, want %q", doc.Options.Catalog, file)
	}
	if len(doc.Hosts) != 1 || len(doc.Hosts[0].Functions) != 1 || doc.Hosts[0].Functions[0].ID != "app-api" || doc.Hosts[0].Functions[0].Verdict != "reachable" {
		t.Errorf("hosts %+v", doc.Hosts)
	}
	// merge reads the catalog the scan recorded: app-api is in no embedded one.
	r = runBin(t, "", "merge", "--format", "json", out)
	if r.code != 0 || !strings.Contains(r.stdout, `"app-api"`) {
		t.Errorf("merge: exit %d %s", r.code, r.stderr)
	}
}

// Issue 12 acceptance: a bad line of a catalog file exits 2 naming FILE:LINE.
func TestUserCatalogErrorsNameFileAndLine(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.txt")
	os.WriteFile(bad, []byte("group app | App\n# two\napp-api | App API | tcp/8443\napp-db | App DB | tcp/99999\n"), 0o644)
	noGroup := filepath.Join(dir, "nogroup.txt")
	os.WriteFile(noGroup, []byte("\napp-api | App API | tcp/8443\n"), 0o644)
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"scan", "--catalog", bad, "127.0.0.1"}, bad + ":4: "},
		{[]string{"catalog", "--catalog", bad}, bad + ":4: "},
		{[]string{"listen", "--catalog", noGroup, "--addr", "127.0.0.1"}, noGroup + ":2: function before any group"},
		{[]string{"scan", "--catalog", "modren", "127.0.0.1"}, `"modren"`},
		{[]string{"scan", "--catalog", "q150543,q150543", "127.0.0.1"}, "in both"},
	} {
		r := runBin(t, "", tc.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.says) || strings.Count(r.stderr, "\n") != 1 || r.stdout != "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line with %q", tc.args, r.code, r.stderr, tc.says)
		}
	}
}

//go:build lab

package lab

import (
	"bytes"
	"context"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/scanner"
	"github.com/winreach/winreach/scanner/report"
	"github.com/winreach/winreach/scanner/report/htmlkit/htmltest"
)

// TestHTMLReportLab renders the lab scan as an HTML report and reads it
// in Debian's Chromium (headless, driven over the DevTools protocol by
// chromedp; the lab installs it):
//
//   - the shared run's JSON scan of every lab host, rendered by
//     `winreach report --format html`: every matrix cell the browser shows
//     carries the JSON's verdict for that host and function, the page
//     requests nothing but itself and breaks no rule of its CSP,
//     sorting and filtering work when clicked and typed, and without
//     JavaScript every row and its evidence still show;
//   - `winreach scan --format html --expect` of three lab hosts whose
//     answers do not depend on timing (mail, reject, reset): the same
//     verdicts as the shared JSON run, and the policy's one violation
//     marked in its cell;
//   - a page built from a host whose banner is HostileBanner runs no
//     script, with its CSP and without it.
//
// The screenshot of the lab report and the page are left in
// $WINREACH_ARTIFACTS (default /tmp/winreach-artifacts) for people.
func TestHTMLReportLab(t *testing.T) {
	r := e2eResults(t)
	ctx := htmltest.Browser(t, true)
	dir := t.TempDir()
	art := htmltest.ArtifactDir(t)

	// 1. The shared scan, saved as JSON and rendered by `winreach report`.
	htmlCheckReport(t, ctx, r.bin, &r.main.doc, dir, art)

	// 2. scan --format html itself, with a policy violated once.
	policyFile := filepath.Join(dir, "policy.txt")
	if err := os.WriteFile(policyFile, []byte("198.18.1.20 smtp blocked\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var byAddr = map[string]scanner.HostResult{}
	for _, h := range r.main.doc.Hosts {
		byAddr[h.Address.String()] = h
	}
	var targets []string
	var want []scanner.HostResult
	for _, n := range []string{"mail", "reject", "reset"} {
		h, _ := HostByName(n)
		targets = append(targets, h.IPv4)
		want = append(want, byAddr[h.IPv4])
	}
	direct := filepath.Join(dir, "direct.html")
	args := append(append([]string{"scan", "--format", "html", "-o", direct, "--no-progress", "--expect", policyFile}, e2eSelection...), targets...)
	code, _, stderr := runIn(t, ClientNS, r.bin, args...)
	if code != 1 {
		t.Fatalf("winreach %s: exit %d, want 1 (one violation)\n%s", strings.Join(args, " "), code, stderr)
	}
	b, err := os.ReadFile(direct)
	if err != nil {
		t.Fatal(err)
	}
	htmltest.SelfContained(t, b)
	p := htmltest.Open(t, ctx, direct, false)
	rows := p.Matrix(t)
	htmlCompare(t, "scan --format html", rows, want, r.main.doc.Options.Functions)
	marked := htmltest.Eval[[]string](t, p, `Array.prototype.map.call(document.querySelectorAll("#matrix > tbody > tr.row > td.pv"),
		function (c) { return c.closest("tr").cells[0].getAttribute("data-host") + " " + c.getAttribute("data-verdict") + " " + c.textContent.trim(); })`)
	if len(marked) != 1 || !strings.HasPrefix(marked[0], "198.18.1.20 reachable !") {
		t.Errorf("violation cells %q, want one: 198.18.1.20's SMTP, reachable, marked !", marked)
	}

	// 3. A hostile banner.
	hostile := filepath.Join(dir, "hostile.html")
	if err := os.WriteFile(hostile, hostilePage(t), 0o644); err != nil {
		t.Fatal(err)
	}
	htmltest.CheckHostile(t, ctx, hostile)
}

// htmlCheckReport saves doc as JSON, renders it with `bin report --format
// html`, and checks the page statically and in the browser: every cell
// against doc, no CSP violation, sorting and filtering, the page without
// JavaScript; it leaves the page and its screenshot in art.
func htmlCheckReport(t *testing.T, ctx context.Context, bin string, doc *report.Document, dir, art string) {
	t.Helper()
	saved := filepath.Join(dir, "lab.json")
	var js bytes.Buffer
	if err := report.WriteDocument(report.NewJSON(&js), doc); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(saved, js.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(dir, "lab.html")
	if out, err := exec.CommandContext(t.Context(), bin, "report", "--format", "html", "-o", page, saved).CombinedOutput(); err != nil {
		t.Fatalf("winreach report --format html: %v\n%s", err, out)
	}
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	htmltest.SelfContained(t, b)
	p := htmltest.Open(t, ctx, page, false)
	cells := htmlCompare(t, "report of the shared scan", p.Matrix(t), doc.Hosts, doc.Options.Functions)
	if want := len(doc.Hosts) * len(doc.Options.Functions); cells != want || cells == 0 {
		t.Errorf("compared %d cells, want %d (%d hosts x %d functions)", cells, want, len(doc.Hosts), len(doc.Options.Functions))
	}
	t.Logf("the browser shows the JSON's verdict in all %d cells (%d hosts x %d functions)", cells, len(doc.Hosts), len(doc.Options.Functions))
	if v := p.CSPViolations(t); len(v) > 0 {
		t.Errorf("CSP violations: %q", v)
	}
	shot := filepath.Join(art, "html-lab-report.png")
	if err := os.WriteFile(shot, p.Screenshot(t), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(art, "html-lab-report.html"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot of the lab report: %s (page: %s)", shot, filepath.Join(art, "html-lab-report.html"))
	htmltest.CheckSortFilter(t, p)
	p.CheckOffline(t)
	htmltest.CheckWithoutScript(t, ctx, page, len(doc.Hosts))
}

// htmlCompare checks every cell of the matrix rows against the hosts'
// verdicts, for the functions of the scan, and returns how many it
// compared.
func htmlCompare(t *testing.T, what string, rows []htmltest.MatrixRow, hosts []scanner.HostResult, functions []string) int {
	t.Helper()
	byHost := map[string]htmltest.MatrixRow{}
	for _, row := range rows {
		byHost[row.Host] = row
	}
	if len(rows) != len(hosts) {
		t.Errorf("%s: %d rows, want %d hosts", what, len(rows), len(hosts))
	}
	n := 0
	for _, h := range hosts {
		label := h.Address.String()
		if !h.Address.IsValid() {
			label = h.Name
		}
		row, ok := byHost[label]
		if !ok {
			t.Errorf("%s: no row for host %s", what, label)
			continue
		}
		judged := map[string]string{}
		for _, f := range h.Functions {
			judged[f.ID] = f.Verdict.String()
		}
		for _, id := range functions {
			n++
			if got, want := row.Cells[id], judged[id]; got != want {
				t.Errorf("%s: host %s, %s: the page says %q (%q), the JSON %q", what, label, id, got, row.Labels[id], want)
			}
		}
	}
	return n
}

// hostilePage is the HTML report of one host whose SMTP server greets
// with HostileBanner and whose DNS name is hostile too.
func hostilePage(t *testing.T) []byte {
	c := catalog.Default()
	smtp, _ := c.Function("smtp")
	results := map[catalog.Endpoint]probes.Result{
		{Transport: catalog.TCP, Port: 25}: {State: probes.Confirmed, Reason: probes.ReasonReply, Attempts: 1,
			Note:    htmltest.HostileBanner,
			Service: &probes.Service{Protocol: "smtp", Summary: "220 " + htmltest.HostileBanner, Details: map[string]any{"banner": "220 " + htmltest.HostileBanner}}},
	}
	h := scanner.HostResult{Address: netip.MustParseAddr("198.18.1.20"), Name: htmltest.HostileBanner, Status: scanner.StatusComplete,
		Endpoints: []scanner.EndpointResult{{Endpoint: catalog.Endpoint{Transport: catalog.TCP, Port: 25}, Result: results[catalog.Endpoint{Transport: catalog.TCP, Port: 25}]}},
		Functions: []scanner.FunctionVerdict{scanner.Judge(smtp, results)}}
	other := h
	other.Address, other.Name = netip.MustParseAddr("198.18.1.61"), "reject"
	other.Functions = []scanner.FunctionVerdict{scanner.Judge(smtp, map[catalog.Endpoint]probes.Result{
		{Transport: catalog.TCP, Port: 25}: {State: probes.Filtered, Reason: probes.ReasonAdminProhibited}})}
	d := &report.Document{Scanner: "winreach", Version: "lab", Targets: []string{htmltest.HostileBanner},
		Options: report.Options{Functions: []string{"smtp"}, Endpoints: []string{"tcp/25"}}, Hosts: []scanner.HostResult{h, other}}
	d.Summary = report.Summarize(d.Hosts)
	var b bytes.Buffer
	if err := report.WriteDocument(report.NewHTML(&b), d); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

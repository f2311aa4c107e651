package report

import (
	"bytes"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/scanner"
	"github.com/winreach/winreach/scanner/policy"
	"github.com/winreach/winreach/scanner/report/htmlkit"
	"github.com/winreach/winreach/scanner/report/htmlkit/htmltest"
)

// hostileText is a server's text that would run script if a report put
// it into a page as markup.
const hostileText = htmltest.HostileBanner

// htmlTestHosts is a scan of every catalog function on three hosts,
// judged by scanner.Judge: a DC-like host with every kind of state (an
// ICMP reject from a firewall among them), a host whose every server
// text (banner, note, protocol details, its DNS name) is hostile, and an
// unresolved name with a hostile error; policy findings from "every
// function blocked" rules, so reachable functions are violations.
func htmlTestHosts(t *testing.T, hostile string) (*Document, []Host) {
	t.Helper()
	c := catalog.Default()
	fw := netip.MustParseAddr("198.18.1.61")
	dc := map[catalog.Endpoint]probes.Result{}
	for _, e := range catalog.Endpoints(c.Functions) {
		var r probes.Result
		switch {
		case slices.Contains([]uint16{88, 135, 139, 389, 445}, e.Port) && e.Transport == catalog.TCP:
			r = probes.Result{State: probes.Confirmed, Reason: probes.ReasonReply, RTT: 310 * time.Microsecond, Attempts: 1,
				Service: &probes.Service{Protocol: "smb2", Summary: "SMB 3.1.1, signing required", Details: map[string]any{"dialect": "3.1.1"}}}
		case e.Port == 42:
			r = probes.Result{State: probes.Open, Reason: probes.ReasonSynAck, Attempts: 1}
		case e.Transport == catalog.TCP:
			r = probes.Result{State: probes.Closed, Reason: probes.ReasonReset, Attempts: 1}
		case e.Transport == catalog.UDP && e.Port == 137:
			r = probes.Result{State: probes.Filtered, Reason: probes.ReasonAdminProhibited, Attempts: 1,
				ICMP: &probes.ICMP{Type: 3, Code: 13, From: fw}}
		case e.Transport == catalog.UDP:
			r = probes.Result{State: probes.OpenFiltered, Reason: probes.ReasonNoResponse, Wait: 1500 * time.Millisecond, Attempts: 3}
		default:
			r = probes.Result{State: probes.NotTested, Reason: probes.ReasonNeedsPrivilege}
		}
		dc[e] = r
	}
	smtp := catalog.Endpoint{Transport: catalog.TCP, Port: 25}
	evil := map[catalog.Endpoint]probes.Result{
		smtp: {State: probes.Confirmed, Reason: probes.ReasonReply, Attempts: 1, Note: hostile,
			Service: &probes.Service{Protocol: "smtp", Summary: hostile, Details: map[string]any{"banner": hostile}}},
		{Transport: catalog.TCP, Port: 110}: {State: probes.Open, Reason: probes.ReasonUnexpectedReply, Note: "first bytes: " + hostile},
	}
	host := func(addr, name string, results map[catalog.Endpoint]probes.Result) scanner.HostResult {
		h := scanner.HostResult{Address: netip.MustParseAddr(addr), Name: name, Status: scanner.StatusComplete}
		for _, e := range catalog.Endpoints(c.Functions) {
			if r, ok := results[e]; ok {
				h.Endpoints = append(h.Endpoints, scanner.EndpointResult{Endpoint: e, Result: r})
			}
		}
		for _, f := range c.Functions {
			h.Functions = append(h.Functions, scanner.Judge(f, results))
		}
		return h
	}
	results := []scanner.HostResult{
		host("198.18.1.10", "dc1.lab.test", dc),
		host("198.18.1.20", hostile, evil),
		{Name: "nowhere.invalid" + hostile, Status: scanner.StatusUnresolved, Error: "lookup: " + hostile, Endpoints: []scanner.EndpointResult{}},
	}
	p, err := policy.Parse(strings.NewReader("198.18.1.0/24 * blocked except ldap\n198.18.1.10 ldap reachable\n198.18.1.10 dns-resolution blocked\n"), "policy.txt", c)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 12, 6, 19, 0, 0, 0, time.UTC)
	d := &Document{
		Scanner: "winreach", Version: "test", StartTime: start, EndTime: start.Add(2 * time.Second),
		Options:    Options{Concurrency: 8, TimeoutMS: 2000, Retries: 1},
		Targets:    []string{"198.18.1.10", "198.18.1.20", "nowhere.invalid" + hostile},
		Violations: []policy.Violation{}, Unproven: []policy.Violation{},
	}
	for _, f := range c.Functions {
		d.Options.Functions = append(d.Options.Functions, f.ID)
	}
	for _, e := range catalog.Endpoints(c.Functions) {
		d.Options.Endpoints = append(d.Options.Endpoints, e.String())
	}
	var hosts []Host
	for _, h := range results {
		v, u := p.Check(h)
		hosts = append(hosts, Host{HostResult: h, Violations: v, Unproven: u})
		d.Violations = append(d.Violations, v...)
		d.Unproven = append(d.Unproven, u...)
	}
	d.Summary = Summarize(results)
	return d, hosts
}

// renderHTML streams the hosts through the HTML writer as a scan does.
func renderHTML(t *testing.T, d *Document, hosts []Host) []byte {
	t.Helper()
	var b bytes.Buffer
	w := NewHTML(&b)
	head := *d
	head.Violations, head.Unproven = []policy.Violation{}, []policy.Violation{}
	if err := w.Begin(&head); err != nil {
		t.Fatal(err)
	}
	for _, h := range hosts {
		if err := w.Host(h); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.End(d); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	htmltest.Walk(n, func(c *html.Node) {
		if c.Type == html.ElementNode && match(c) {
			out = append(out, c)
		}
	})
	return out
}

func hasClass(n *html.Node, class string) bool {
	v, _ := htmltest.Attr(n, "class")
	return slices.Contains(strings.Fields(v), class)
}

// TestHTMLMatrix: the matrix has the catalog's groups as headings over
// their functions, one row per host whose every cell carries the host's
// verdict for that column's function as data, colour class, symbol and
// word; policy violations are marked; the evidence lists every endpoint
// with its state, reason and ICMP sender.
func TestHTMLMatrix(t *testing.T) {
	d, hosts := htmlTestHosts(t, "Postfix ESMTP")
	page := renderHTML(t, d, hosts)
	doc := htmltest.Parse(t, page)
	c := catalog.Default()

	// Group headings: every catalog group, in order, spanning its functions.
	var groups []string
	span := 0
	for _, th := range findAll(doc, func(n *html.Node) bool { return hasClass(n, "grp") }) {
		groups = append(groups, htmltest.Text(th))
		cs, _ := htmltest.Attr(th, "colspan")
		var g catalog.Group
		for _, cg := range c.Groups {
			if cg.Name == htmltest.Text(th) {
				g = cg
			}
		}
		if want := len(c.InGroup(g.ID)); cs != itoa(want) {
			t.Errorf("group %q spans %s columns, want %d", htmltest.Text(th), cs, want)
		}
		span += len(c.InGroup(g.ID))
	}
	var wantGroups []string
	for _, g := range c.Groups {
		wantGroups = append(wantGroups, g.Name)
	}
	if !slices.Equal(groups, wantGroups) {
		t.Errorf("group headings %q, want the catalog's %q", groups, wantGroups)
	}
	if span != len(c.Functions) {
		t.Errorf("groups span %d columns, want %d functions", span, len(c.Functions))
	}

	rows := htmltest.StaticMatrix(t, doc)
	if len(rows) != len(hosts) {
		t.Fatalf("%d matrix rows, want %d", len(rows), len(hosts))
	}
	violations := 0
	for i, h := range hosts {
		row := rows[i]
		if row.Host != hostLabel(h.HostResult) {
			t.Errorf("row %d is host %q, want %q", i, row.Host, hostLabel(h.HostResult))
		}
		if len(row.Cells) != len(c.Functions) {
			t.Errorf("host %s: %d cells, want %d", row.Host, len(row.Cells), len(c.Functions))
		}
		judged := map[string]string{}
		for _, f := range h.Functions {
			judged[f.ID] = f.Verdict.String()
		}
		for _, f := range c.Functions {
			got, want := row.Cells[f.ID], judged[f.ID]
			if got != want {
				t.Errorf("host %s %s: cell verdict %q, want %q", row.Host, f.ID, got, want)
			}
			tone := htmlkit.VerdictTone(want)
			if label := row.Labels[f.ID]; !strings.HasSuffix(label, tone.Symbol+" "+tone.Label) {
				t.Errorf("host %s %s: cell says %q, want the words %q", row.Host, f.ID, label, tone.Symbol+" "+tone.Label)
			}
		}
		violations += len(h.Violations)
	}
	if violations == 0 {
		t.Fatal("the fixture has no policy violation")
	}
	cells := findAll(doc, func(n *html.Node) bool { _, ok := htmltest.Attr(n, "data-verdict"); return ok })
	marked := 0
	for _, cell := range cells {
		v, _ := htmltest.Attr(cell, "data-verdict")
		if tone := htmlkit.VerdictTone(v); !hasClass(cell, tone.Class) {
			t.Errorf("a %q cell without class %s", v, tone.Class)
		}
		if hasClass(cell, "pv") {
			marked++
			if !strings.HasPrefix(htmltest.Text(cell), "!") {
				t.Errorf("a violation cell without its ! mark: %q", htmltest.Text(cell))
			}
		}
	}
	if marked != violations {
		t.Errorf("%d cells marked as violations, want %d", marked, violations)
	}

	// The evidence: the firewall's reject with its sender, the timing of
	// silence, the service's words; and the policy table.
	text := htmltest.Text(doc)
	for _, want := range []string{
		"ICMP type 3 code 13 from 198.18.1.61", "admin-prohibited", "no-response after 1.5s", "open|filtered",
		"SMB 3.1.1, signing required", `"dialect": "3.1.1"`, "0.31 ms", "Postfix ESMTP",
		"policy violation: expected blocked (policy.txt:1", "Windows NT 4.0 services",
		itoa(len(d.Violations)) + " violation(s)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the page does not say %q", want)
		}
	}
	htmltest.SelfContained(t, page)
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestHTMLEscapesServerText: a banner, note, protocol detail, host name
// and resolver error carrying <script> and onerror= stay text: the page
// has the kit's script and nothing else that runs, no <img>, no event
// attribute, and the hostile words are in its text, whole.
func TestHTMLEscapesServerText(t *testing.T) {
	d, hosts := htmlTestHosts(t, hostileText)
	page := renderHTML(t, d, hosts)
	htmltest.SelfContained(t, page)
	doc := htmltest.Parse(t, page)
	if n := len(findAll(doc, func(n *html.Node) bool { return n.DataAtom == atom.Script })); n != 1 {
		t.Errorf("%d <script> elements, want the kit's one", n)
	}
	if n := len(findAll(doc, func(n *html.Node) bool { return n.DataAtom == atom.Img })); n != 0 {
		t.Errorf("%d <img> elements, want none", n)
	}
	// In text: banner, note, details (JSON-escaped there), name, error, targets.
	texts := 0
	htmltest.Walk(doc, func(n *html.Node) {
		if n.Type == html.TextNode && strings.Contains(n.Data, hostileText) {
			texts++
		}
	})
	if texts < 5 {
		t.Errorf("the hostile text is whole in %d text nodes, want at least 5 (banner, note, name, error, targets)", texts)
	}
	// In attributes (cell titles, data-host) it is an attribute value.
	for _, raw := range []string{"<script>window", "<img src", `onerror="window`} {
		if bytes.Contains(page, []byte(raw)) {
			t.Errorf("the page holds %q as markup", raw)
		}
	}
}

// TestHTMLNoExternalURL: nothing in a whole report names anything to
// fetch: no src=, no href= but #fragments, no url(), no @import, no
// http: or https: at all.
func TestHTMLNoExternalURL(t *testing.T) {
	d, hosts := htmlTestHosts(t, "Postfix ESMTP")
	page := renderHTML(t, d, hosts)
	for _, re := range []string{`(?i)\bsrc\s*=`, `(?i)\bhref\s*=\s*"?[^"#]`, `(?i)url\(`, `(?i)@import`, `(?i)https?:`, `(?i)\baction\s*=`} {
		if loc := regexp.MustCompile(re).FindIndex(page); loc != nil {
			t.Errorf("%s matches %q", re, page[max(0, loc[0]-40):min(len(page), loc[1]+40)])
		}
	}
	htmltest.SelfContained(t, page)
}

// TestHTMLEmpty: a scan of no host is still a whole page.
func TestHTMLEmpty(t *testing.T) {
	d := &Document{Scanner: "winreach", Version: "test"}
	page := renderHTML(t, d, nil)
	htmltest.SelfContained(t, page)
	if !bytes.Contains(page, []byte("No host was scanned.")) || !bytes.HasSuffix(page, []byte("</html>\n")) {
		t.Errorf("empty report:\n%s", page)
	}
}

// TestHTMLInChromium opens reports in headless Chromium: a hostile
// banner runs no script, with the page's CSP and without it, and the
// page fetches nothing (htmltest.CheckHostile); every matrix cell the
// browser shows has the host's verdict; sorting and filtering work when
// clicked and typed (htmltest.CheckSortFilter). Skipped, loudly, where
// chromium is not installed; the lab test (scanner/lab/html_lab_test.go)
// runs the same checks where it must be.
func TestHTMLInChromium(t *testing.T) {
	ctx := htmltest.Browser(t, false)
	d, hosts := htmlTestHosts(t, hostileText)
	path := filepath.Join(t.TempDir(), "hostile.html")
	if err := os.WriteFile(path, renderHTML(t, d, hosts), 0o644); err != nil {
		t.Fatal(err)
	}
	htmltest.CheckHostile(t, ctx, path)

	// The control: the same banner put in as markup (what the writer must
	// never do) does run without the CSP, and the CSP refuses it, so the
	// checks above can fail.
	var raw bytes.Buffer
	htmlkit.Head(&raw, "control")
	raw.WriteString(`<div class="js-only" hidden></div><table><tr><td class="v-blocked">` + hostileText + `</td></tr></table>`)
	htmlkit.Foot(&raw)
	control := filepath.Join(t.TempDir(), "control.html")
	if err := os.WriteFile(control, raw.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, h := htmltest.LoadHostile(t, ctx, control, true); h.Pwned == "undefined" {
		t.Errorf("control, CSP bypassed: markup injected as is did not run (%+v): the check cannot fail", h)
	}
	if _, h := htmltest.LoadHostile(t, ctx, control, false); h.Pwned != "undefined" || len(h.Violations) == 0 {
		t.Errorf("control under the CSP: window.pwned is a %s, violations %q; want undefined and the refusals", h.Pwned, h.Violations)
	} else {
		t.Logf("control under the CSP: refused %q", h.Violations)
	}

	d, hosts = htmlTestHosts(t, "Postfix ESMTP")
	path = filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(path, renderHTML(t, d, hosts), 0o644); err != nil {
		t.Fatal(err)
	}
	p := htmltest.Open(t, ctx, path, false)
	rows := p.Matrix(t)
	if len(rows) != len(hosts) {
		t.Fatalf("the browser shows %d rows, want %d", len(rows), len(hosts))
	}
	for i, h := range hosts {
		for _, f := range h.Functions {
			if got := rows[i].Cells[f.ID]; got != f.Verdict.String() {
				t.Errorf("browser: host %s %s: %q, want %q", rows[i].Host, f.ID, got, f.Verdict)
			}
		}
	}
	shot := filepath.Join(htmltest.ArtifactDir(t), "html-unit-report.png")
	if err := os.WriteFile(shot, p.Screenshot(t), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", shot)
	htmltest.CheckSortFilter(t, p)
	p.CheckOffline(t)
	htmltest.CheckWithoutScript(t, ctx, path, len(hosts))
}

// BenchmarkHTMLHost is the cost of one host of every catalog function
// (35 endpoints) in the HTML report.
func BenchmarkHTMLHost(b *testing.B) {
	t := &testing.T{}
	d, hosts := htmlTestHosts(t, "Postfix ESMTP")
	w := NewHTML(io.Discard)
	if err := w.Begin(d); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := w.Host(hosts[0]); err != nil {
			b.Fatal(err)
		}
	}
}

// TestHTMLFollowsTheScansCatalog: a modern-catalog scan's matrix is
// grouped by the modern catalog's groups, with its function names, not
// dumped under "Other" as the default catalog would leave it; a user's
// catalog is found through LoadCatalog.
func TestHTMLFollowsTheScansCatalog(t *testing.T) {
	heads := func(page []byte) (groups, fns []string) {
		doc := htmltest.Parse(t, page)
		for _, th := range findAll(doc, func(n *html.Node) bool { return n.Data == "th" }) {
			switch class, _ := htmltest.Attr(th, "class"); class {
			case "grp":
				groups = append(groups, htmltest.Text(th))
			case "fn":
				fns = append(fns, htmltest.Text(th))
			}
		}
		return groups, fns
	}

	d := &Document{Scanner: "winreach", Version: "test"}
	d.Options.Catalog = "modern"
	d.Options.Functions = []string{"rdp", "winrm-http", "trust-kerberos"}
	groups, fns := heads(renderHTML(t, d, nil))
	if want := []string{"Domains and trusts (PortQryUI's set)", "Remote Desktop", "Remote management"}; !slices.Equal(groups, want) {
		t.Errorf("modern groups %q, want %q", groups, want)
	}
	if want := []string{"Trusts: Kerberos", "Remote Desktop (RDP)", "WinRM over HTTP (WS-Management)"}; !slices.Equal(fns, want) {
		t.Errorf("modern columns %q, want %q", fns, want)
	}

	mine := "group app | Our application\napp-api | App API | tcp/8443\n"
	d.Options.Catalog, d.Options.Functions = "mine.txt", []string{"app-api"}
	var b bytes.Buffer
	w := NewHTML(&b)
	w.LoadCatalog = func(name string) (*catalog.Catalog, error) {
		return catalog.Load(name, func(string) ([]byte, error) { return []byte(mine), nil })
	}
	if err := WriteDocument(w, d); err != nil {
		t.Fatal(err)
	}
	if groups, fns = heads(b.Bytes()); !slices.Equal(groups, []string{"Our application"}) || !slices.Equal(fns, []string{"App API"}) {
		t.Errorf("user catalog: groups %q columns %q", groups, fns)
	}
	// Without a way to read the file the functions stay, under "Other".
	if groups, fns = heads(renderHTML(t, d, nil)); !slices.Equal(groups, []string{"Other"}) || !slices.Equal(fns, []string{"app-api"}) {
		t.Errorf("unreadable user catalog: groups %q columns %q", groups, fns)
	}
}

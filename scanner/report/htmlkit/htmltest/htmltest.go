// Package htmltest checks pages built on htmlkit, for tests: statically
// (SelfContained: nothing in the page can fetch anything, and its only
// style and script are the kit's, under the kit's CSP) and in a real
// browser (Browser, Open: Debian's headless Chromium driven over the
// DevTools protocol by chromedp, with every request the page makes
// recorded and any network access refused).
package htmltest

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/winreach/winreach/scanner/report/htmlkit"
)

// Parse parses a page, failing the test on a parse error.
func Parse(t testing.TB, b []byte) *html.Node {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("parse the page: %v", err)
	}
	return doc
}

// Walk calls fn on every node under n, n included, in document order.
func Walk(n *html.Node, fn func(*html.Node)) {
	fn(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		Walk(c, fn)
	}
}

// Attr returns an element's attribute.
func Attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// Text is the text under n.
func Text(n *html.Node) string {
	var b strings.Builder
	Walk(n, func(c *html.Node) {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	})
	return b.String()
}

// fetching are the elements that load or embed something, or send a form.
var fetching = map[atom.Atom]bool{
	atom.Link: true, atom.Img: true, atom.Iframe: true, atom.Frame: true, atom.Object: true,
	atom.Embed: true, atom.Base: true, atom.Audio: true, atom.Video: true, atom.Source: true,
	atom.Track: true, atom.Picture: true, atom.Svg: true, atom.Math: true, atom.Form: true,
	atom.Applet: true, atom.Image: true,
}

// fetchingAttrs are the attributes that name something to load.
var fetchingAttrs = map[string]bool{
	"src": true, "srcset": true, "action": true, "formaction": true, "poster": true,
	"background": true, "ping": true, "data": true, "codebase": true, "manifest": true,
	"xlink:href": true, "style": true,
}

// SelfContained fails the test unless the page can neither fetch nor
// run anything but the kit's own code: its only <style> and <script> are
// htmlkit.CSS and htmlkit.Script, its CSP meta is htmlkit.CSP and comes
// first, no element loads, embeds or submits anything, no attribute
// names a URL (a link's href is a #fragment), no event-handler or style
// attribute exists, and the kit's CSS and script contain no url(),
// @import or fetching call.
func SelfContained(t testing.TB, page []byte) {
	t.Helper()
	doc := Parse(t, page)
	var styles, scripts, csps int
	Walk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		switch {
		case n.DataAtom == atom.Style:
			styles++
			if got := Text(n); got != htmlkit.CSS {
				t.Errorf("a <style> that is not htmlkit.CSS: %.200q", got)
			}
		case n.DataAtom == atom.Script:
			scripts++
			if got := Text(n); got != htmlkit.Script {
				t.Errorf("a <script> that is not htmlkit.Script: %.200q", got)
			}
			if len(n.Attr) != 0 {
				t.Errorf("<script> with attributes %v", n.Attr)
			}
		case n.DataAtom == atom.Meta:
			if v, _ := Attr(n, "http-equiv"); strings.EqualFold(v, "Content-Security-Policy") {
				csps++
				if c, _ := Attr(n, "content"); c != htmlkit.CSP {
					t.Errorf("CSP %q, want %q", c, htmlkit.CSP)
				}
				if styles+scripts > 0 {
					t.Errorf("the CSP meta comes after a style or script")
				}
			}
		case fetching[n.DataAtom]:
			t.Errorf("<%s> element: it loads, embeds or submits something", n.Data)
		}
		for _, a := range n.Attr {
			k := strings.ToLower(a.Key)
			switch {
			case strings.HasPrefix(k, "on"):
				t.Errorf("<%s %s=%q>: an event-handler attribute", n.Data, a.Key, a.Val)
			case fetchingAttrs[k]:
				t.Errorf("<%s %s=%q>: an attribute that loads something", n.Data, a.Key, a.Val)
			case k == "href" && !strings.HasPrefix(a.Val, "#"):
				t.Errorf("<%s href=%q>: a link out of the page", n.Data, a.Val)
			case k == "http-equiv" && strings.EqualFold(a.Val, "refresh"):
				t.Errorf("<meta http-equiv=refresh>")
			}
		}
	})
	if styles != 1 || scripts != 1 || csps != 1 {
		t.Errorf("%d <style>, %d <script>, %d CSP meta; want one each", styles, scripts, csps)
	}
	for _, bad := range []string{"url(", "@import", "http:", "https:", "//", "image-set("} {
		if strings.Contains(htmlkit.CSS, bad) {
			t.Errorf("htmlkit.CSS contains %q", bad)
		}
	}
	for _, bad := range []string{"fetch(", "XMLHttpRequest", "import(", "WebSocket", "EventSource", "sendBeacon",
		"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "Function(", "setTimeout(\"", "http:", "https:", ".src"} {
		if strings.Contains(htmlkit.Script, bad) {
			t.Errorf("htmlkit.Script contains %q", bad)
		}
	}
}

// Chromium is where Debian's chromium package installs the browser.
const Chromium = "/usr/bin/chromium"

// Browser starts a headless Chromium with a fresh profile for the test
// and returns its chromedp context; the browser stops when the test ends.
// Chromium is missing: with required (the lab installs it) the test
// fails, otherwise it is skipped, loudly.
//
// The browser is kept off the network: background networking, component
// updates and sync are off, every host name resolves to nothing, and any
// connection goes to a proxy on a closed loopback port.
func Browser(t testing.TB, required bool) context.Context {
	t.Helper()
	if _, err := os.Stat(Chromium); err != nil {
		msg := fmt.Sprintf("!!! %s not installed (Debian package chromium, in scanner/lab/packages.txt): the browser test cannot run", Chromium)
		if required {
			t.Fatal(msg)
		}
		fmt.Fprintln(os.Stderr, msg+": SKIPPED "+t.Name())
		t.Skip(msg)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(Chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 900),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND"),
		chromedp.Flag("proxy-server", "socks5://127.0.0.1:9"),
		chromedp.Flag("proxy-bypass-list", "<-loopback>"),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(t.Context(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	// Start it now (no timeout on this first call: it would stop the
	// browser), so a browser that cannot start fails here.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", Chromium, err)
	}
	return ctx
}

// Page is a page loaded in the browser.
type Page struct {
	Ctx context.Context
	URL string
	mu  sync.Mutex
	req []string
}

// Requests are the URLs the page asked for, the page itself included.
func (p *Page) Requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.req...)
}

// cspRecorder runs before the page's own code (DevTools injects it, the
// page's CSP does not apply) and records every CSP violation the page
// causes in window.__cspViolations.
const cspRecorder = `if (!window.__cspViolations) {
  window.__cspViolations = [];
  document.addEventListener("securitypolicyviolation", function (e) {
    window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI + " " + (e.sample || ""));
  });
}`

// Open loads the file at path in the browser's tab. With bypassCSP the
// page's Content-Security-Policy is ignored, to see what escaping alone
// does.
func Open(t testing.TB, ctx context.Context, path string, bypassCSP bool) *Page {
	t.Helper()
	p := &Page{Ctx: ctx, URL: (&url.URL{Scheme: "file", Path: path}).String()}
	err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok && e.Request != nil {
			p.mu.Lock()
			p.req = append(p.req, e.Request.URL)
			p.mu.Unlock()
		}
	})
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatalf("Network.enable: %v", err)
	}
	if _, err := chromedp.Call(ctx, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: bypassCSP}); err != nil {
		t.Fatalf("Page.setBypassCSP: %v", err)
	}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspRecorder}); err != nil {
		t.Fatalf("Page.addScriptToEvaluateOnNewDocument: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(p.URL), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		t.Fatalf("open %s: %v", p.URL, err)
	}
	return p
}

// Eval evaluates a JavaScript expression in the page and decodes its
// value, failing the test on an error.
func Eval[T any](t testing.TB, p *Page, expr string) T {
	t.Helper()
	v, err := chromedp.Run(p.Ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// CSPViolations are the violations of the page's CSP so far.
func (p *Page) CSPViolations(t testing.TB) []string {
	t.Helper()
	return Eval[[]string](t, p, `window.__cspViolations || []`)
}

// CheckOffline fails the test when the page asked for anything but
// itself.
func (p *Page) CheckOffline(t testing.TB) {
	t.Helper()
	for _, u := range p.Requests() {
		if u != p.URL {
			t.Errorf("the page requested %s", u)
		}
	}
}

// Screenshot is a PNG of the whole page, as wide as its widest
// scrolling box (the matrix) and as long as the page.
func (p *Page) Screenshot(t testing.TB) []byte {
	t.Helper()
	wide := Eval[int64](t, p, `Array.prototype.reduce.call(document.querySelectorAll(".scroll"),
		function (w, e) { return Math.max(w, e.scrollWidth + 60); }, 1400)`)
	if err := chromedp.Do(p.Ctx, chromedp.EmulateViewport(min(wide, 4000), 900)); err != nil {
		t.Fatalf("viewport: %v", err)
	}
	b, err := chromedp.Run(p.Ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	return b
}

// Click clicks the first element matching a CSS selector.
func (p *Page) Click(t testing.TB, selector string) {
	t.Helper()
	if err := chromedp.Do(p.Ctx, chromedp.Click(chromedp.CSS(selector))); err != nil {
		t.Fatalf("click %s: %v", selector, err)
	}
}

// Type types text into the first element matching a CSS selector.
func (p *Page) Type(t testing.TB, selector, text string) {
	t.Helper()
	if err := chromedp.Do(p.Ctx, chromedp.SendKeys(chromedp.CSS(selector), text, chromedp.NodeVisible)); err != nil {
		t.Fatalf("type into %s: %v", selector, err)
	}
}

// ArtifactDir is where a test leaves files for people to look at:
// $WINREACH_ARTIFACTS, or /tmp/winreach-artifacts.
func ArtifactDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("WINREACH_ARTIFACTS")
	if dir == "" {
		dir = "/tmp/winreach-artifacts"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("artifact dir: %v", err)
	}
	return dir
}

// MatrixRow is one host's row of a report's matrix (table#matrix): the
// host (the first cell's data-host), whether the row is hidden (filtered out), and per
// function id (the data-function of the column heading) the cell's
// data-verdict and text.
type MatrixRow struct {
	Host   string            `json:"host"`
	Text   string            `json:"text"` // the row's text
	Hidden bool              `json:"hidden"`
	Cells  map[string]string `json:"cells"`
	Labels map[string]string `json:"labels"`
}

// matrixJS reads the matrix in the browser, rows in their shown order.
const matrixJS = `(function () {
  var table = document.getElementById("matrix"), cols = {};
  Array.prototype.forEach.call(table.querySelectorAll("thead th[data-function]"), function (th) {
    cols[th.getAttribute("data-sort-col")] = th.getAttribute("data-function");
  });
  return Array.prototype.map.call(table.tBodies, function (tb) {
    var row = tb.rows[0], r = {host: row.cells[0].getAttribute("data-host"), text: row.textContent, hidden: tb.hidden, cells: {}, labels: {}};
    Array.prototype.forEach.call(row.cells, function (c, i) {
      if (cols[i] !== undefined) { r.cells[cols[i]] = c.getAttribute("data-verdict"); r.labels[cols[i]] = c.textContent.trim(); }
    });
    return r;
  });
}())`

// Matrix reads the matrix as the browser shows it now.
func (p *Page) Matrix(t testing.TB) []MatrixRow {
	t.Helper()
	return Eval[[]MatrixRow](t, p, matrixJS)
}

// StaticMatrix reads the matrix from a parsed page, the same way.
func StaticMatrix(t testing.TB, doc *html.Node) []MatrixRow {
	t.Helper()
	var table *html.Node
	Walk(doc, func(n *html.Node) {
		if id, _ := Attr(n, "id"); n.DataAtom == atom.Table && id == "matrix" {
			table = n
		}
	})
	if table == nil {
		t.Fatal("no table#matrix")
	}
	cols := map[int]string{}
	var rows []MatrixRow
	for c := table.FirstChild; c != nil; c = c.NextSibling {
		switch c.DataAtom {
		case atom.Thead:
			Walk(c, func(n *html.Node) {
				if f, ok := Attr(n, "data-function"); ok && n.DataAtom == atom.Th {
					col, _ := Attr(n, "data-sort-col")
					var i int
					fmt.Sscan(col, &i)
					cols[i] = f
				}
			})
		case atom.Tbody:
			var tr *html.Node
			for r := c.FirstChild; r != nil && tr == nil; r = r.NextSibling {
				if r.DataAtom == atom.Tr {
					tr = r
				}
			}
			if tr == nil {
				t.Fatal("a tbody without rows")
			}
			_, hidden := Attr(c, "hidden")
			row := MatrixRow{Text: Text(tr), Hidden: hidden, Cells: map[string]string{}, Labels: map[string]string{}}
			i := 0
			for cell := tr.FirstChild; cell != nil; cell = cell.NextSibling {
				if cell.Type != html.ElementNode {
					continue
				}
				if i == 0 {
					row.Host, _ = Attr(cell, "data-host")
				}
				if f, ok := cols[i]; ok {
					row.Cells[f], _ = Attr(cell, "data-verdict")
					row.Labels[f] = strings.TrimSpace(Text(cell))
				}
				i++
			}
			rows = append(rows, row)
		}
	}
	return rows
}

// HostileBanner is a server's text that runs script wherever a report
// puts it into a page as markup: window.pwned becomes 1 or 2.
const HostileBanner = `<script>window.pwned=1</script><img src=x onerror="window.pwned=2">`

// Hostile is what became of a page built with HostileBanner.
type Hostile struct {
	Pwned      string   // typeof window.pwned: "undefined" unless a script ran
	Scripts    int      // <script> elements in the DOM
	Images     int      // <img> elements
	Handlers   int      // elements with an onerror attribute
	Text       bool     // the banner is in the page's text, whole
	Violations []string // CSP violations (none when escaping held)
	ScriptRan  bool     // the kit's script ran (it reveals .js-only)
	Styled     bool     // the kit's style sheet applies (a blocked cell has a background)
}

// LoadHostile opens the page (with or without its CSP) and reports what
// happened.
func LoadHostile(t testing.TB, ctx context.Context, path string, bypassCSP bool) (*Page, Hostile) {
	t.Helper()
	p := Open(t, ctx, path, bypassCSP)
	h := Hostile{
		Pwned:     Eval[string](t, p, `typeof window.pwned`),
		Scripts:   Eval[int](t, p, `document.getElementsByTagName("script").length`),
		Images:    Eval[int](t, p, `document.getElementsByTagName("img").length`),
		Handlers:  Eval[int](t, p, `document.querySelectorAll("[onerror]").length`),
		Text:      Eval[bool](t, p, `document.body.textContent.indexOf(`+jsString(HostileBanner)+`) >= 0`),
		ScriptRan: Eval[bool](t, p, `(function () { var e = document.querySelector(".js-only"); return !!e && !e.hidden; }())`),
		Styled: Eval[bool](t, p, `(function () { var e = document.querySelector(".v-blocked");
			return !!e && getComputedStyle(e).backgroundColor !== "rgba(0, 0, 0, 0)"; }())`),
	}
	h.Violations = p.CSPViolations(t)
	return p, h
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == '<' || r == '>':
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// CheckHostile fails the test unless a page built with HostileBanner
// runs no script: not with its CSP, and not without it either (escaping
// alone holds). With the CSP nothing is even refused (nothing tried to
// run), the kit's own style and script apply, and the page requests
// nothing but itself.
func CheckHostile(t testing.TB, ctx context.Context, path string) {
	t.Helper()
	for _, bypass := range []bool{true, false} {
		p, h := LoadHostile(t, ctx, path, bypass)
		t.Logf("hostile page (CSP bypassed: %v): %+v", bypass, h)
		if h.Pwned != "undefined" {
			t.Errorf("CSP bypassed %v: window.pwned is a %s: the banner ran as script", bypass, h.Pwned)
		}
		if h.Scripts != 1 || h.Images != 0 || h.Handlers != 0 {
			t.Errorf("CSP bypassed %v: %d scripts, %d images, %d onerror handlers in the DOM; want the kit's script only", bypass, h.Scripts, h.Images, h.Handlers)
		}
		if !h.Text {
			t.Errorf("CSP bypassed %v: the banner is not in the page's text", bypass)
		}
		if !h.ScriptRan || !h.Styled {
			t.Errorf("CSP bypassed %v: the kit's script ran: %v, its style applies: %v", bypass, h.ScriptRan, h.Styled)
		}
		if !bypass && len(h.Violations) > 0 {
			t.Errorf("CSP violations: %q", h.Violations)
		}
		p.CheckOffline(t)
	}
}

// sortKeysJS are the host rows' keys in a column, in shown order.
const sortKeysJS = `(function (col) {
  return Array.prototype.map.call(document.getElementById("matrix").tBodies, function (tb) {
    var c = tb.rows[0].cells[col];
    return c.getAttribute("data-sort");
  });
})`

func (p *Page) sortKeys(t testing.TB, col int) []string {
	t.Helper()
	return Eval[[]string](t, p, sortKeysJS+"("+fmt.Sprint(col)+")")
}

// CheckSortFilter clicks the matrix's headings and uses its filters, and
// fails the test unless the rows follow: host ascending then descending,
// worst verdict ascending (numerically), a host's address typed into
// the filter box shows that host and hides every row without the text,
// and the verdict filter shows exactly the rows with such a cell.
func CheckSortFilter(t testing.TB, p *Page) {
	t.Helper()
	rows := p.Matrix(t)
	if len(rows) < 2 {
		t.Fatalf("sorting needs at least two hosts, the page has %d", len(rows))
	}
	p.Click(t, `#matrix thead th[data-sort-col="0"] button`)
	up := p.sortKeys(t, 0)
	if !slices.IsSorted(up) {
		t.Errorf("after one click on Host the rows are %q, want ascending", up)
	}
	p.Click(t, `#matrix thead th[data-sort-col="0"] button`)
	down := p.sortKeys(t, 0)
	if !slices.IsSortedFunc(down, func(a, b string) int { return strings.Compare(b, a) }) {
		t.Errorf("after two clicks on Host the rows are %q, want descending", down)
	}
	if got := Eval[string](t, p, `document.querySelector('#matrix th[data-sort-col="0"]').getAttribute("aria-sort")`); got != "descending" {
		t.Errorf("aria-sort %q after two clicks, want descending", got)
	}
	p.Click(t, `#matrix thead th[data-sort-col="2"] button`)
	var worst []int
	for _, k := range p.sortKeys(t, 2) {
		var n int
		fmt.Sscan(k, &n)
		worst = append(worst, n)
	}
	if !slices.IsSorted(worst) {
		t.Errorf("after a click on Worst the ranks are %v, want ascending", worst)
	}

	// Filter by the text of one host.
	q := rows[len(rows)-1].Host
	p.Type(t, `input[data-filter="matrix"]`, q)
	shown := 0
	for _, r := range p.Matrix(t) {
		if r.Host == q && r.Hidden {
			t.Errorf("filter %q hides host %s", q, r.Host)
		}
		if !r.Hidden {
			shown++
			if !strings.Contains(strings.ToLower(r.Text), strings.ToLower(q)) {
				t.Errorf("filter %q shows host %s", q, r.Host)
			}
		}
	}
	if shown == len(rows) {
		t.Errorf("filter %q hides no row", q)
	}
	if got, want := Eval[string](t, p, `document.querySelector('[data-filter-count="matrix"]').textContent`), fmt.Sprintf("%d of %d shown", shown, len(rows)); got != want {
		t.Errorf("filter count says %q, want %q", got, want)
	}
	Eval[bool](t, p, `(function () { var e = document.querySelector('input[data-filter="matrix"]'); e.value = ""; e.dispatchEvent(new Event("input")); return true; }())`)

	// Filter by verdict: pick one that some rows have and some do not.
	has := func(r MatrixRow, v string) bool {
		for _, c := range r.Cells {
			if c == v {
				return true
			}
		}
		return false
	}
	verdict := ""
	for _, v := range []string{"blocked", "not-listening", "uncertain", "reachable", "not-tested"} {
		n := 0
		for _, r := range rows {
			if has(r, v) {
				n++
			}
		}
		if n > 0 && n < len(rows) {
			verdict = v
			break
		}
	}
	if verdict == "" {
		t.Logf("no verdict tells the hosts apart: the verdict filter is not checked")
		return
	}
	if err := chromedp.Do(p.Ctx, chromedp.SetValue(chromedp.CSS(`select[data-filter-verdict="matrix"]`), verdict)); err != nil {
		t.Fatalf("choose %s: %v", verdict, err)
	}
	Eval[bool](t, p, `document.querySelector('select[data-filter-verdict="matrix"]').dispatchEvent(new Event("change"))`)
	for _, r := range p.Matrix(t) {
		if r.Hidden == has(r, verdict) {
			t.Errorf("verdict filter %s: host %s hidden %v", verdict, r.Host, r.Hidden)
		}
	}
}

// CheckWithoutScript opens the page with JavaScript off and fails the
// test unless the matrix still shows its rows (want of them) with their
// evidence, and the controls that need the script stay hidden.
func CheckWithoutScript(t testing.TB, ctx context.Context, path string, want int) {
	t.Helper()
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatalf("Emulation.setScriptExecutionDisabled: %v", err)
	}
	defer chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false})
	p := Open(t, ctx, path, false)
	rows, err := chromedp.Run(p.Ctx, chromedp.Nodes(chromedp.CSSAll("#matrix > tbody > tr.row")))
	if err != nil {
		t.Fatalf("matrix rows: %v", err)
	}
	evidence, err := chromedp.Run(p.Ctx, chromedp.Nodes(chromedp.CSSAll("#matrix > tbody > tr.detail > td > div > details")))
	if err != nil {
		t.Fatalf("evidence: %v", err)
	}
	if len(rows) != want || len(evidence) != want {
		t.Errorf("without JavaScript: %d host rows and %d evidence blocks, want %d", len(rows), len(evidence), want)
	}
	hidden, err := chromedp.Run(p.Ctx, chromedp.AttributeValue(chromedp.CSS(".js-only"), "hidden"))
	if err != nil {
		t.Fatalf(".js-only: %v", err)
	}
	if !hidden.Exists {
		t.Errorf("without JavaScript the sorting and filtering controls show, and do nothing")
	}
}

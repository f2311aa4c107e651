package htmlkit

import (
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"io"
)

// Tone is one entry of the palette: a CSS class, the symbol and the word
// that say the same as its colour.
type Tone struct {
	Name   string // what it stands for: "reachable"
	Class  string // CSS class of a cell in this tone: "v-reachable"
	Symbol string // "✓"
	Label  string // short word shown beside the symbol: "ok"
	// Meaning is the legend's sentence.
	Meaning string
}

// Verdicts are the five function verdicts, best first, as the scanner
// names them (scanner.Verdict's strings).
var Verdicts = []Tone{
	{"reachable", "v-reachable", "✓", "ok", "every endpoint the function needs answered (open or confirmed)"},
	{"uncertain", "v-uncertain", "?", "unsure", "nothing blocked or closed, but some endpoint was silent (open|filtered)"},
	{"not-tested", "v-not-tested", "–", "untested", "some endpoint could not be probed (privilege, OS, interrupted)"},
	{"not-listening", "v-not-listening", "○", "no svc", "the path works, but a service is closed (RST, port unreachable)"},
	{"blocked", "v-blocked", "✕", "blocked", "an endpoint is filtered on the path (silence or ICMP prohibited)"},
}

// None is the tone of a cell with no verdict (a function not judged on
// that host: unresolved, or not covered by -p).
var None = Tone{"", "v-none", "·", "n/a", "not judged on this host"}

// VerdictTone returns the tone of a verdict name, None for any other.
func VerdictTone(name string) Tone {
	for _, t := range Verdicts {
		if t.Name == name {
			return t
		}
	}
	return None
}

// VerdictRank orders verdicts for sorting: 1 (reachable) to 5 (blocked),
// 0 for none.
func VerdictRank(name string) int {
	for i, t := range Verdicts {
		if t.Name == name {
			return i + 1
		}
	}
	return 0
}

// Funcs are template functions for pages built on this kit: verdictTone
// (name -> Tone) and verdictRank (name -> int).
func Funcs() template.FuncMap {
	return template.FuncMap{"verdictTone": VerdictTone, "verdictRank": VerdictRank}
}

// CSS is the page's whole style sheet. Classes: v-* (verdict cells, see
// Verdicts), pv (policy violation mark), up (unproven mark), mono,
// muted, warn (a warning banner), legend, matrix (the host x function
// table), grp (a group heading), fn (a rotated function heading),
// detail (a host's evidence row), kv (a two-column table of facts).
const CSS = `
:root{color-scheme:light;--fg:#1b1b1b;--muted:#5a5a5a;--line:#c8c8c8;--head:#f2f2f2}
*{box-sizing:border-box}
body{margin:1rem 1.25rem;font:14px/1.4 "DejaVu Sans",system-ui,sans-serif;color:var(--fg);background:#fff}
h1{font-size:1.4rem;margin:.2rem 0 .6rem}h2{font-size:1.15rem;margin:1.4rem 0 .5rem}h3{font-size:1rem;margin:.8rem 0 .3rem}
.muted{color:var(--muted)}.mono,code{font-family:"DejaVu Sans Mono",ui-monospace,monospace;font-size:.92em;overflow-wrap:anywhere}
.warn{border:2px solid #b34700;background:#fff4e5;padding:.4rem .6rem;margin:.6rem 0;font-weight:bold}
table{border-collapse:collapse}
th,td{border:1px solid var(--line);padding:.2rem .35rem;vertical-align:top;text-align:left}
thead th{background:var(--head)}
.legend{display:flex;flex-wrap:wrap;gap:.4rem 1rem;margin:.5rem 0 1rem;padding:0;list-style:none}
.legend li{display:flex;align-items:center;gap:.4rem}
.legend .cell{min-width:6.2rem;display:inline-block;border:1px solid var(--line);padding:.1rem .35rem}
.controls{margin:.4rem 0;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
.controls input,.controls select{font:inherit;padding:.15rem .3rem}
.scroll{overflow-x:auto;max-width:100%}
.matrix td.cell{white-space:nowrap;text-align:center;font-size:.8em;line-height:1.25;padding:.2rem .15rem;min-width:3.3rem}
.matrix td.cell .lbl{display:block}
.matrix th.grp{text-align:left;border-bottom:3px solid #555;border-left:3px solid #555}
.matrix th.grp>span{position:sticky;left:11.5rem;padding:0 .4rem}
.matrix th.fn{height:10.5rem;vertical-align:bottom;padding:.3rem .1rem}
.matrix th.fn>span,.matrix th.fn>button>span{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;display:inline-block}
.matrix th.host,.matrix td.host{position:sticky;left:0;background:#fff;z-index:1;min-width:11rem;max-width:11rem;overflow-wrap:anywhere}
.matrix thead th.host{background:var(--head)}
.matrix tbody{border-top:2px solid #888}
.matrix tr.detail>td{background:#fafafa;padding:.3rem .5rem}
.matrix tr.detail .inner{position:sticky;left:0;max-width:calc(100vw - 3rem)}
th button{all:unset;cursor:pointer;display:block;width:100%}
th button:focus-visible{outline:2px solid #0057a8}
th[aria-sort=ascending] button::after{content:" ▲"}th[aria-sort=descending] button::after{content:" ▼"}
.v-reachable{background:#a8d1f2;color:#002b4d}
.v-uncertain{background:#bdbdbd;color:#1a1a1a;border-style:dashed}
.v-not-tested{background:#fff;color:#4d4d4d;border-style:dotted}
.v-not-listening{background:#f3e85c;color:#2e2800}
.v-blocked{background:#a84300;color:#fff;font-weight:bold}
.v-none{background:#fff;color:#8a8a8a}
td.pv,span.pv{outline:3px solid #000;outline-offset:-3px}
.pv-mark{font-weight:bold;padding-right:.15rem}
.kv th{background:var(--head);font-weight:normal;white-space:nowrap}
.detail table{margin:.2rem 0 .5rem;font-size:.92em}
.detail details{margin:.2rem 0}
.detail summary{cursor:pointer}
pre.said{margin:0;max-height:16rem;overflow:auto;white-space:pre-wrap;overflow-wrap:anywhere;font-size:.85em}
@media print{.controls{display:none}.scroll{overflow:visible}}
`

// Script is the page's whole script: sorting and filtering only (see the
// package documentation). It reads no data from the page into code and
// makes no request.
const Script = `
(function () {
  "use strict";
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };
  var key = function (tb, col) {
    var row = tb.rows[0], c = row ? row.cells[col] : null;
    if (!c) { return ""; }
    var k = c.getAttribute("data-sort");
    return k === null ? c.textContent.trim() : k;
  };
  var compare = function (a, b) {
    var x = Number(a), y = Number(b);
    if (a !== "" && b !== "" && !isNaN(x) && !isNaN(y)) { return x - y; }
    return a < b ? -1 : (a > b ? 1 : 0);
  };
  each(document.querySelectorAll("table.sortable"), function (table) {
    each(table.querySelectorAll("thead th[data-sort-col]"), function (th) {
      var col = parseInt(th.getAttribute("data-sort-col"), 10);
      var b = document.createElement("button");
      b.type = "button";
      while (th.firstChild) { b.appendChild(th.firstChild); }
      th.appendChild(b);
      b.addEventListener("click", function () {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        each(table.querySelectorAll("thead th[aria-sort]"), function (o) { o.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var items = [];
        each(table.tBodies, function (tb, i) { items.push({tb: tb, k: key(tb, col), i: i}); });
        items.sort(function (p, q) { return (asc ? 1 : -1) * compare(p.k, q.k) || p.i - q.i; });
        each(items, function (it) { table.appendChild(it.tb); });
      });
    });
  });
  var tables = {};
  var control = function (el, attr) {
    var id = el.getAttribute(attr);
    tables[id] = tables[id] || {text: [], verdict: [], count: []};
    return tables[id];
  };
  each(document.querySelectorAll("[data-filter]"), function (el) { control(el, "data-filter").text.push(el); });
  each(document.querySelectorAll("[data-filter-verdict]"), function (el) { control(el, "data-filter-verdict").verdict.push(el); });
  each(document.querySelectorAll("[data-filter-count]"), function (el) { control(el, "data-filter-count").count.push(el); });
  var apply = function (id) {
    var t = tables[id], table = document.getElementById(id);
    if (!table) { return; }
    var shown = 0;
    each(table.tBodies, function (tb) {
      var row = tb.rows[0], ok = !!row;
      each(t.text, function (el) {
        var q = el.value.trim().toLowerCase();
        if (q && row && row.textContent.toLowerCase().indexOf(q) < 0) { ok = false; }
      });
      each(t.verdict, function (el) {
        var v = el.value, hit = false;
        if (!v || !row) { return; }
        each(row.cells, function (c) { if (c.getAttribute("data-verdict") === v) { hit = true; } });
        if (!hit) { ok = false; }
      });
      tb.hidden = !ok;
      if (ok) { shown++; }
    });
    each(t.count, function (el) { el.textContent = shown + " of " + table.tBodies.length + " shown"; });
  };
  Object.keys(tables).forEach(function (id) {
    var t = tables[id];
    each(t.text, function (el) { el.addEventListener("input", function () { apply(id); }); });
    each(t.verdict, function (el) { el.addEventListener("change", function () { apply(id); }); });
    apply(id);
  });
  each(document.querySelectorAll(".js-only"), function (el) { el.hidden = false; });
}());
`

// CSP is the Content-Security-Policy of every page: nothing may load
// from anywhere (default-src 'none'), and only this package's style
// sheet and script, named by their hashes, may apply or run: no other
// inline script, no event-handler attribute, no style attribute, no
// image, font, frame, form target or base URL.
var CSP = "default-src 'none'; style-src " + hashSource(CSS) + "; script-src " + hashSource(Script) +
	"; img-src 'none'; font-src 'none'; connect-src 'none'; form-action 'none'; base-uri 'none'"

func hashSource(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

var head = template.Must(template.New("head").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{.CSP}}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>{{.CSS}}</style>
</head>
<body>
`))

var foot = template.Must(template.New("foot").Parse(`<script>{{.}}</script>
</body>
</html>
`))

// Head writes the page up to and including <body>: the CSP, the title
// (escaped) and the style sheet.
func Head(w io.Writer, title string) error {
	return head.Execute(w, struct {
		CSP, Title string
		CSS        template.CSS
	}{CSP, title, template.CSS(CSS)})
}

// Foot writes the script and closes the page.
func Foot(w io.Writer) error {
	return foot.Execute(w, template.JS(Script))
}

// Legend is a template ("legend") listing the verdict tones with their
// symbols, words and meanings, and the policy marks; pages Parse it into
// their own template set with AddLegend.
const Legend = `{{define "legend"}}<ul class="legend" aria-label="Legend">
{{- range .}}
<li><span class="cell {{.Class}}">{{.Symbol}} {{.Label}}</span> <span><b>{{.Name}}</b>: {{.Meaning}}</span></li>
{{- end}}
<li><span class="cell pv"><span class="pv-mark">!</span>blocked</span> <span><b>policy violation</b> (thick frame and “!”): the verdict contradicts --expect</span></li>
</ul>{{end}}`

// AddLegend parses the "legend" template into t; execute it with
// Verdicts ({{template "legend" .Verdicts}}).
func AddLegend(t *template.Template) *template.Template {
	return template.Must(t.Parse(Legend))
}

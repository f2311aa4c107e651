package main

import (
	"html/template"
	"io"
	"strings"

	"github.com/winreach/winreach/scanner/logon"
)

// logonHTML is winreach logon --format html: one self-contained page;
// html/template escapes everything a server said.
var logonHTML = template.Must(template.New("logon").Funcs(template.FuncMap{
	"mark": func(c logon.Cause) string {
		switch {
		case c == logon.Reachable:
			return "ok"
		case c.Broken():
			return "no"
		}
		return "unproven"
	},
	"text": func(d logonDocument) string {
		var b strings.Builder
		_ = d.writeText(&b)
		return b.String()
	},
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>winreach logon {{range .Targets}}{{.}} {{end}}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}
.ok{color:#176b2c}.no{color:#b00020;font-weight:bold}.unproven{color:#8a6d00}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}
pre{background:#f6f6f6;padding:1em;overflow-x:auto}
</style></head><body>
<h1>Why can't this workstation log on?</h1>
<p class="{{if .CanLogOn}}ok{{else}}no{{end}}">{{if .CanLogOn}}A logon can work: some DC can serve it.{{else}}A logon cannot work: no DC found can serve it.{{end}}</p>
{{with .Locator}}<h2>DC locator for {{.Domain}} (DNS server {{.Server}})</h2>
<table><tr><th>Record</th><th>Type</th><th>Answer</th></tr>
{{range .Lookups}}<tr><td>{{.Name}}</td><td>{{.Type}}</td><td class="{{if eq .Outcome "found"}}ok{{else}}no{{end}}">{{if eq .Outcome "found"}}{{range .SRV}}{{.Target}}:{{.Port}} {{end}}{{range .Addrs}}{{.}} {{end}}{{else}}{{.Said}}{{end}}</td></tr>
{{end}}</table>
{{range .Problems}}<p class="no">{{.}}</p>{{end}}{{range .Notes}}<p>{{.}}</p>{{end}}{{end}}
{{if .ClockOffsetMS}}<p>Clock offset: {{.ClockOffsetMS}} ms ({{.ClockSource}}); Kerberos realm asked {{.RealmAsked}}{{with .RealmLearned}}, learned {{.}}{{end}}</p>{{end}}
{{range .DCs}}<h2>Logon to {{.DC}}{{with .Name}} ({{.}}){{end}}</h2>
<p class="{{if .CanLogOn}}ok{{else}}no{{end}}">{{.Conclusion}}</p>
{{with .Facts}}{{with .Clock}}<p class="{{if .Skewed}}no{{else}}ok{{end}}">Clock: {{.Summary}}</p>{{end}}{{with .Realm}}<p>Kerberos realm {{.Asked}}: {{.Evidence}}</p>{{end}}{{with .SMB}}{{range .Notes}}<p>{{.}}</p>{{end}}{{end}}{{end}}
<table><tr><th>Step</th><th>Status</th><th>Evidence</th><th>Fix</th></tr>
{{range .Steps}}{{$s := .}}{{range .Checks}}<tr><td>{{$s.Title}}</td><td class="{{mark .Cause}}">{{.Cause}}</td><td>{{.Evidence}}{{with .Impact}}<br>{{.}}{{end}}</td><td>{{.Fix}}</td></tr>
{{end}}{{end}}</table>
{{with .Fixes}}<h3>What to fix</h3><ul>{{range .}}<li>{{.}}</li>{{end}}</ul>{{end}}{{end}}
<h2>As text</h2><pre>{{text .}}</pre>
<p>winreach {{.Version}}, {{.StartTime.Format "2006-01-02 15:04:05Z"}}</p>
</body></html>
`))

func writeLogonHTML(w io.Writer, d logonDocument) error { return logonHTML.Execute(w, d) }

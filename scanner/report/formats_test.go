package report

import (
	"bytes"
	"encoding/csv"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/scanner"
	"github.com/winreach/winreach/scanner/policy"
)

// fixedDocument is a small scan with every kind of row: a confirmed
// service whose summary holds a pipe, a function blocked by an ICMP
// reject, an endpoint probed for no function, and an unresolved name.
func fixedDocument() *Document {
	c := catalog.Default()
	smtp, _ := c.Function("smtp")
	pptp, _ := c.Function("pptp")
	ep := func(s string) catalog.Endpoint { e, _ := catalog.ParseEndpoint(s); return e }
	results := map[catalog.Endpoint]probes.Result{
		ep("tcp/25"): {State: probes.Confirmed, Reason: probes.ReasonReply,
			Service: &probes.Service{Protocol: "smtp", Summary: `220 mail.lab.test ESMTP "Postfix" | ready`}},
		ep("tcp/1723"): {State: probes.Filtered, Reason: probes.ReasonAdminProhibited,
			ICMP: &probes.ICMP{Type: 3, Code: 13, From: netip.MustParseAddr("198.18.1.1")}},
		ep("ip/47"):    {State: probes.NotTested, Reason: probes.ReasonNeedsPrivilege},
		ep("tcp/3268"): {State: probes.Open, Reason: probes.ReasonSynAck},
	}
	host := scanner.HostResult{Address: netip.MustParseAddr("198.18.1.20"), Name: "mail.lab.test", Status: scanner.StatusComplete}
	for _, e := range []string{"tcp/25", "ip/47", "tcp/1723", "tcp/3268"} {
		host.Endpoints = append(host.Endpoints, scanner.EndpointResult{Endpoint: ep(e), Result: results[ep(e)]})
	}
	// Fixed verdicts, not Judge's: these tests pin the formats, not the
	// wording of explanations.
	host.Functions = []scanner.FunctionVerdict{
		{ID: smtp.ID, Name: smtp.Name, Group: smtp.Group, Endpoints: smtp.Endpoints, Verdict: scanner.Reachable,
			DecidedBy: []catalog.Endpoint{ep("tcp/25")}, Explanation: "TCP 25 confirmed (reply)"},
		{ID: pptp.ID, Name: pptp.Name, Group: pptp.Group, Endpoints: pptp.Endpoints, Verdict: scanner.Blocked,
			DecidedBy: []catalog.Endpoint{ep("tcp/1723")}, Explanation: "TCP 1723 filtered (admin-prohibited from 198.18.1.1), GRE (IP 47) not-tested (needs-privilege): blocked on the path"},
	}
	start := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	d := &Document{
		Scanner: "winreach", Version: "1.0", StartTime: start, EndTime: start.Add(1500 * time.Millisecond),
		Targets: []string{"mail.lab.test", "nowhere.invalid"},
		Hosts: []scanner.HostResult{
			{Name: "nowhere.invalid", Status: scanner.StatusUnresolved, Error: "lookup nowhere.invalid: no such host"},
			host,
		},
	}
	d.Summary = Summarize(d.Hosts)
	return d
}

func withPolicy(d *Document) *Document {
	p, err := policy.Parse(strings.NewReader("198.18.1.0/24 * blocked except pptp\n198.18.1.20 pptp reachable\n"), "p.txt", catalog.Default())
	if err != nil {
		panic(err)
	}
	d.Violations, d.Unproven = []policy.Violation{}, []policy.Violation{}
	for _, h := range d.Hosts {
		v, u := p.Check(h)
		d.Violations = append(d.Violations, v...)
		d.Unproven = append(d.Unproven, u...)
	}
	return d
}

func TestWriteCSV(t *testing.T) {
	var b bytes.Buffer
	if err := WriteCSV(&b, fixedDocument()); err != nil {
		t.Fatal(err)
	}
	want := `address,name,host_status,kind,function_id,function_name,group,verdict,decided_by,service,explanation,policy
,nowhere.invalid,unresolved,host,,,,,,,lookup nowhere.invalid: no such host,
198.18.1.20,mail.lab.test,complete,function,smtp,SMTP,exchange,reachable,tcp/25,"220 mail.lab.test ESMTP ""Postfix"" | ready",TCP 25 confirmed (reply),
198.18.1.20,mail.lab.test,complete,function,pptp,PPTP,nt4,blocked,tcp/1723,,"TCP 1723 filtered (admin-prohibited from 198.18.1.1), GRE (IP 47) not-tested (needs-privilege): blocked on the path",
198.18.1.20,mail.lab.test,complete,endpoint,,,,open,tcp/3268,,open (syn-ack),
`
	if b.String() != want {
		t.Errorf("CSV:\n%s\nwant:\n%s", b.String(), want)
	}
	// Every row has the header's width, and a CSV reader gets the pipe back.
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil || rows[2][9] != `220 mail.lab.test ESMTP "Postfix" | ready` {
		t.Errorf("read back: %v %q", err, rows)
	}
}

func TestWriteCSVPolicyColumn(t *testing.T) {
	var b bytes.Buffer
	if err := WriteCSV(&b, withPolicy(fixedDocument())); err != nil {
		t.Fatal(err)
	}
	rows, _ := csv.NewReader(&b).ReadAll()
	var got []string
	for _, r := range rows[1:] {
		got = append(got, r[4]+"="+r[11])
	}
	want := []string{"=", "smtp=violation: expected blocked (p.txt:1)", "pptp=violation: expected reachable (p.txt:2)", "="}
	if !slices.Equal(got, want) {
		t.Errorf("policy column %q, want %q", got, want)
	}
}

func TestWriteMarkdown(t *testing.T) {
	var b bytes.Buffer
	if err := WriteMarkdown(&b, fixedDocument()); err != nil {
		t.Fatal(err)
	}
	want := `# winreach report

winreach 1.0, started 2025-03-01T10:00:00Z; targets: mail.lab.test, nowhere.invalid.

## nowhere.invalid [unresolved]

lookup nowhere.invalid: no such host

## 198.18.1.20 (mail.lab.test): 1 reachable, 1 blocked

| Function | Verdict | Service | Evidence |
|---|---|---|---|
| SMTP | reachable | 220 mail.lab.test ESMTP "Postfix" \| ready | TCP 25 confirmed (reply) |
| PPTP | blocked | - | TCP 1723 filtered (admin-prohibited from 198.18.1.1), GRE (IP 47) not-tested (needs-privilege): blocked on the path |

Probed for no function: tcp/3268 open (syn-ack).

2 host(s), 4 probe(s) in 1.5s: 1 reachable, 1 blocked; 1 unresolved
`
	if b.String() != want {
		t.Errorf("Markdown:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestWriteMarkdownPolicy(t *testing.T) {
	var b bytes.Buffer
	if err := WriteMarkdown(&b, withPolicy(fixedDocument())); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| Function | Verdict | Service | Evidence | Policy |\n|---|---|---|---|---|\n",
		"| SMTP | reachable | 220 mail.lab.test ESMTP \"Postfix\" \\| ready | TCP 25 confirmed (reply) | **violation: expected blocked (p.txt:1)** |\n",
		"## Policy\n\n2 violation(s):\n\n| Host | Function | Expected | Actual | Rule | Evidence |\n",
		"| 198.18.1.20 | pptp | reachable | blocked | p.txt:2 198.18.1.20 pptp reachable | TCP 1723 filtered (admin-prohibited from 198.18.1.1), GRE (IP 47) not-tested (needs-privilege): blocked on the path |\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("Markdown lacks %q:\n%s", want, b.String())
		}
	}
}

func TestTableMarksViolations(t *testing.T) {
	var b bytes.Buffer
	if err := WriteTable(&b, withPolicy(fixedDocument())); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"! SMTP ",
		"! PPTP ",
		"Policy violations (2):\n  ! 198.18.1.20 smtp: expected blocked, is reachable (p.txt:1 \"198.18.1.0/24 * blocked except pptp\"): TCP 25 confirmed (reply)\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
	b.Reset()
	WriteTable(&b, fixedDocument())
	if strings.Contains(b.String(), "!") || strings.Contains(b.String(), "Policy") {
		t.Errorf("table without a policy marks something:\n%s", b.String())
	}
}

func TestMarkdownEscapes(t *testing.T) {
	for in, want := range map[string]string{
		"a|b":                         `a\|b`,
		`C:\share`:                    `C:\\share`,
		"two\nlines":                  "two lines",
		"<script>":                    "&lt;script&gt;",
		"":                            "-",
		"open|filtered (no-response)": `open\|filtered (no-response)`,
		"[link](http://x)":            `\[link\](http\://x)`,
		"**bold** _em_ `code` ~x~":    "\\*\\*bold\\*\\* \\_em\\_ \\`code\\` \\~x\\~",
		"see www.example.test":        `see www\.example.test`,
		"a & b":                       "a &amp; b",
	} {
		if got := mdCell(in); got != want {
			t.Errorf("mdCell(%q) = %q, want %q", in, got, want)
		}
	}
}

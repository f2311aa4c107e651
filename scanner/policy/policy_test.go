package policy

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/scanner"
)

func mustParse(t *testing.T, text string) *Policy {
	t.Helper()
	p, err := Parse(strings.NewReader(text), "policy.txt", catalog.Default())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestParseRules(t *testing.T) {
	p := mustParse(t, "\ufeff# exposure of the lab segment\n"+
		"198.18.1.0/24   *  blocked except dns-resolution, smtp  # default deny\n"+
		"\n"+
		"198.18.1.20 smtp,imap-ssl reachable\n"+
		"198.18.1.10-12 Logon Sequence, kerberos REACHABLE\n"+
		"* win2000 blocked except kerberos\n")
	if len(p.Rules) != 4 {
		t.Fatalf("%d rules", len(p.Rules))
	}
	r := p.Rules[0]
	if r.Line != 2 || r.Expect != Blocked || r.Target != "198.18.1.0/24" || len(r.Functions) != 45 ||
		slices.Contains(r.Functions, "smtp") || slices.Contains(r.Functions, "dns-resolution") {
		t.Errorf("rule 1: line %d %s %s, %d functions", r.Line, r.Target, r.Expect, len(r.Functions))
	}
	if r.Text != "198.18.1.0/24 * blocked except dns-resolution, smtp" {
		t.Errorf("rule text %q", r.Text)
	}
	if got := p.Rules[1].Functions; !slices.Equal(got, []string{"imap-ssl", "smtp"}) {
		t.Errorf("rule 2 functions %v (want catalog order)", got)
	}
	if got := p.Rules[2].Functions; !slices.Equal(got, []string{"logon-sequence", "kerberos"}) || p.Rules[2].Expect != Reachable {
		t.Errorf("rule 3: %v %s", got, p.Rules[2].Expect)
	}
	if got := p.Rules[3].Functions; !slices.Equal(got, []string{"smb-direct-host", "isakmp", "esp", "ah", "rsvp"}) {
		t.Errorf("rule 4 functions %v", got)
	}
	if got := p.Targets(); !slices.Equal(got, []string{"198.18.1.0/24", "198.18.1.20", "198.18.1.10-12"}) {
		t.Errorf("targets %v", got)
	}
	fns := p.Functions(catalog.Default())
	if len(fns) != 46 || slices.ContainsFunc(fns, func(f catalog.Function) bool { return f.ID == "dns-resolution" }) {
		t.Errorf("%d functions covered, want all 47 but dns-resolution", len(fns))
	}
}

func TestParseErrorsNameFileAndLine(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"198.18.1.20 smtp\n", `policy.txt:1: "198.18.1.20 smtp": want TARGET`},
		{"# c\n198.18.1.20 smtp open\n", `policy.txt:2: "198.18.1.20 smtp open": no expectation`},
		{"198.18.1.20 reachable smtp\n", `policy.txt:1: "198.18.1.20 reachable smtp": no functions before "reachable"`},
		{"198.18.1.20 smtpp reachable\n", `policy.txt:1: unknown function or group "smtpp" (did you mean smtp`},
		{"300.1.1.1 smtp reachable\n", `policy.txt:1: target "300.1.1.1"`},
		{"198.18.1.0/33 smtp reachable\n", `policy.txt:1: target "198.18.1.0/33"`},
		{"dc1.lab.test smtp reachable\n", `policy.txt:1: target "dc1.lab.test" is a host name`},
		{"198.18.1.20 smtp reachable please\n", `policy.txt:1: unexpected "please" after reachable`},
		{"198.18.1.20 * blocked except\n", `policy.txt:1: "except" lists no functions`},
		{"198.18.1.20 smtp blocked except smtp\n", `policy.txt:1: except removes every function`},
		{"198.18.1.20 smtp blocked except pop3\n", `policy.txt:1: except pop3: the rule does not cover pop3`},
		{"198.18.1.20 *,smtp blocked\n", `policy.txt:1: * stands alone`},
		{"198.18.1.20 * blocked except nosuch\n", `policy.txt:1: except: unknown function or group "nosuch"`},
		{"# only a comment\n\n", `policy.txt: no rules`},
		{"198.18.1.20 smtp reachable\n" + strings.Repeat("x", maxLine+1) + "\n", `policy.txt:2: line longer than`},
	} {
		_, err := Parse(strings.NewReader(tc.text), "policy.txt", catalog.Default())
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: error %v, want one line starting %q", tc.text, err, tc.want)
		}
	}
}

func fv(id string, v scanner.Verdict) scanner.FunctionVerdict {
	return scanner.FunctionVerdict{ID: id, Verdict: v, Explanation: "evidence of " + id}
}

func TestCheckJudgesOnEvidenceAndLastRuleWins(t *testing.T) {
	p := mustParse(t, "198.18.1.0/24 * blocked except dns-resolution\n"+
		"198.18.1.20 smtp,pop3 reachable\n"+
		"198.18.1.20-21 netlogon reachable\n")
	mail := scanner.HostResult{Address: netip.MustParseAddr("198.18.1.20"), Name: "mail", Functions: []scanner.FunctionVerdict{
		fv("smtp", scanner.Reachable),           // rule 2 holds
		fv("pop3", scanner.NotListening),        // rule 2 violated: nothing listens
		fv("imap", scanner.Reachable),           // rule 1 violated
		fv("pptp", scanner.Blocked),             // rule 1 holds
		fv("nntp", scanner.NotListening),        // rule 1 holds: not-listening counts as blocked
		fv("netlogon", scanner.Uncertain),       // rule 3: unproven
		fv("esp", scanner.NotTestedVerdict),     // rule 1: unproven
		fv("dns-resolution", scanner.Reachable), // no rule
	}}
	viol, unproven := p.Check(mail)
	var got []string
	for _, v := range viol {
		got = append(got, v.Function+":"+v.Expected.String()+"/"+v.Actual.String()+":"+itoa(v.Line))
	}
	if want := []string{"pop3:reachable/not-listening:2", "imap:blocked/reachable:1"}; !slices.Equal(got, want) {
		t.Errorf("violations %v, want %v", got, want)
	}
	got = nil
	for _, v := range unproven {
		got = append(got, v.Function+":"+itoa(v.Line))
	}
	if want := []string{"netlogon:3", "esp:1"}; !slices.Equal(got, want) {
		t.Errorf("unproven %v, want %v", got, want)
	}
	v := viol[1]
	if v.Host != mail.Address || v.Name != "mail" || v.File != "policy.txt" || v.Rule != "198.18.1.0/24 * blocked except dns-resolution" || v.Explanation != "evidence of imap" {
		t.Errorf("violation %+v", v)
	}
	if s := v.String(); s != `198.18.1.20 imap: expected blocked, is reachable (policy.txt:1 "198.18.1.0/24 * blocked except dns-resolution"): evidence of imap` {
		t.Errorf("String %q", s)
	}

	// A host outside every rule's target is not judged; * matches all.
	other := scanner.HostResult{Address: netip.MustParseAddr("198.18.2.1"), Functions: []scanner.FunctionVerdict{fv("smtp", scanner.Reachable), fv("netlogon", scanner.Reachable)}}
	if viol, unproven := p.Check(other); len(viol)+len(unproven) != 0 {
		t.Errorf("host outside the policy: %v %v", viol, unproven)
	}
	star := mustParse(t, "* smtp blocked\n")
	if viol, _ := star.Check(other); len(viol) != 1 || viol[0].Function != "smtp" {
		t.Errorf("* target: %v", viol)
	}
	v6 := mustParse(t, "fd77:7272:1::/64 smtp blocked\n")
	h6 := scanner.HostResult{Address: netip.MustParseAddr("fd77:7272:1::20"), Functions: []scanner.FunctionVerdict{fv("smtp", scanner.Reachable)}}
	if viol, _ := v6.Check(h6); len(viol) != 1 {
		t.Errorf("IPv6 network: %v", viol)
	}
	if viol, _ := v6.Check(mail); len(viol) != 0 {
		t.Errorf("IPv6 rule matched an IPv4 host: %v", viol)
	}
}

func itoa(n int) string { return string(rune('0' + n)) }

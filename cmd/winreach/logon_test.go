package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestLogonUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"logon"}, "no domain controller"},
		{[]string{"logon", "--format", "xml", "127.0.0.1"}, `"xml"`},
		{[]string{"logon", "--timeout", "0s", "127.0.0.1"}, "--timeout"},
		{[]string{"logon", "300.1.1.1"}, `"300.1.1.1"`},
	} {
		r := runBin(t, "", tc.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.says) || strings.Count(r.stderr, "\n") != 1 || r.stdout != "" {
			t.Errorf("%v: exit %d, stderr %q, stdout %q; want 2 and one line naming %q", tc.args, r.code, r.stderr, r.stdout, tc.says)
		}
	}
	r := runBin(t, "", "logon", "--help")
	if r.code != 0 || !strings.Contains(r.stdout, "log on") || !strings.Contains(r.stdout, "Exit codes") {
		t.Errorf("logon --help: exit %d\n%s", r.code, r.stdout)
	}
	if r := runBin(t, "", "--help"); !strings.Contains(r.stdout, "winreach logon") {
		t.Errorf("main help does not list logon:\n%s", r.stdout)
	}
}

// Loopback has no DC: every port is closed, so both logon paths break,
// each endpoint says nothing listens, and the exit code is 1.
func TestLogonLoopbackCannotLogOn(t *testing.T) {
	r := runBin(t, "", "logon", "--timeout", "500ms", "--format", "json", "127.0.0.1")
	if r.code != exitNotAll {
		t.Fatalf("exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	for _, k := range []string{"scanner", "version", "start_time", "end_time", "interrupted", "targets", "can_log_on", "dcs"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("document lacks %q", k)
		}
	}
	var d logonDocument
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
		t.Fatal(err)
	}
	if d.CanLogOn || len(d.DCs) != 1 || d.DCs[0].CanLogOn {
		t.Fatalf("can log on: %+v", d)
	}
	rep := d.DCs[0]
	var ids []string
	for _, s := range rep.Steps {
		ids = append(ids, s.ID+"="+string(s.Status))
	}
	if got := strings.Join(ids, " "); got != "name-resolution=breaks dc-locator=breaks kerberos=breaks ldap=breaks smb=breaks rpc=breaks" {
		t.Errorf("steps %s", got)
	}
	for _, p := range rep.Paths {
		if p.Status != "breaks" {
			t.Errorf("path %s %s, want breaks", p.ID, p.Status)
		}
	}
	if c := rep.Steps[4].Checks[0]; c.Endpoint.String() != "tcp/445" || c.Evidence != "nothing listens on SMB direct host (TCP 445): 127.0.0.1 answered with a TCP reset, so the path is open" ||
		c.Fix != "start the SMB server on 127.0.0.1 (TCP 445)" {
		t.Errorf("SMB check %+v", c)
	}

	r = runBin(t, "", "logon", "--timeout", "500ms", "127.0.0.1")
	if r.code != exitNotAll || !strings.HasPrefix(r.stdout, "Logon to 127.0.0.1\nA logon to 127.0.0.1 cannot work: ") || !strings.Contains(r.stdout, "What to fix:") {
		t.Errorf("text: exit %d\n%s", r.code, r.stdout)
	}
}

package main

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"strings"
	"testing"

	"github.com/winreach/winreach/probes/dns"
	"github.com/winreach/winreach/probes/probetest"
	"github.com/winreach/winreach/scanner/locator"
	"github.com/winreach/winreach/scanner/logon"
)

// A DNS server on loopback that answers NXDOMAIN to everything (as the
// lab's wr-dns2 does for the locator records): logon DOMAIN names the
// missing record and the server, and exits 1 without probing any DC.
func TestLogonDNSWithoutLocatorRecords(t *testing.T) {
	server := probetest.UDPServe(t, func(req []byte) []byte {
		out := bytes.Clone(req)
		out[2], out[3] = 0x81, 0x83 // QR, RD, RA, RCODE 3 (RFC 1035 4.1.1)
		return out
	})
	r := runBin(t, "", "logon", "--no-progress", "--timeout", "500ms", "--dns", server.String(), "--format", "json", "lab.test")
	if r.code != exitNotAll {
		t.Fatalf("exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	var d logonDocument
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
		t.Fatal(err)
	}
	want := "DNS server " + server.String() + " has no SRV record _ldap._tcp.dc._msdcs.lab.test: it answered NXDOMAIN (no such name)"
	if d.CanLogOn || d.Locator == nil || len(d.DCs) != 0 || len(d.Locator.Problems) == 0 || !strings.HasPrefix(d.Locator.Problems[0], want) {
		t.Errorf("%+v", d.Locator)
	}
	r = runBin(t, "", "logon", "--no-progress", "--timeout", "500ms", "--dns", server.String(), "lab.test")
	if r.code != exitNotAll || !strings.Contains(r.stdout, want) || !strings.Contains(r.stdout, "finds no DC of lab.test") {
		t.Errorf("text: exit %d\n%s", r.code, r.stdout)
	}
	r = runBin(t, "", "logon", "--no-progress", "--timeout", "500ms", "--dns", server.String(), "--format", "html", "lab.test")
	if r.code != exitNotAll || !strings.Contains(r.stdout, "<!DOCTYPE html>") || !strings.Contains(r.stdout, "_ldap._tcp.dc._msdcs.lab.test") {
		t.Errorf("html: exit %d\n%s", r.code, r.stdout)
	}
}

func TestLogonLocatorFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"logon", "--dns", "dns.example", "lab.test"}, "--dns"},
		{[]string{"logon", "--wins", "wins", "LAB"}, "--wins"},
	} {
		r := runBin(t, "", tc.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.says) {
			t.Errorf("%v: exit %d, stderr %q", tc.args, r.code, r.stderr)
		}
	}
}

// The HTML page renders every part of a full document, and escapes what
// servers said.
func TestLogonHTML(t *testing.T) {
	off := int64(432000)
	loc := locator.Result{Domain: "lab.test", Server: "198.18.1.10:53", Via: "DNS server", Record: "_ldap._tcp.dc._msdcs.lab.test", Chosen: 0,
		Lookups:  []locator.Lookup{{Name: "_ldap._tcp.dc._msdcs.lab.test", Type: "SRV", Outcome: locator.Found, SRV: []dns.SRV{{Port: 389, Target: "dc1.lab.test."}}}, {Name: "_gc._tcp.lab.test", Type: "SRV", Outcome: locator.NXDomain}},
		Problems: []string{"DNS server 198.18.1.10:53 has no SRV record _gc._tcp.lab.test"}}
	rep := logon.Report{DC: netip.MustParseAddr("198.18.1.10"), Conclusion: "A logon <script>alert(1)</script> cannot work",
		Steps: []logon.Step{{Title: "Kerberos", Checks: []logon.Check{{Cause: logon.Reachable, Evidence: "Kerberos (TCP 88) answers"}}}}}
	rep.AddFacts(logon.Facts{Vendor: logon.VendorSamba, Realm: &logon.Realm{Asked: "LAB.TEST", Served: "yes", Evidence: "the KDC serves LAB.TEST"},
		Clock: &logon.Clock{OffsetMS: off, Source: "kerberos", Skewed: true, Summary: "this machine is 7 min 12 s behind DC1 (kerberos)"}})
	d := logonDocument{Version: "test", Targets: []string{"lab.test"}, Locator: &loc, DCs: []logon.Report{rep}}
	d.summarise()
	var b strings.Builder
	if err := writeLogonHTML(&b, d); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{"_ldap._tcp.dc._msdcs.lab.test", "NXDOMAIN (no such name)", "Clock offset: 432000 ms (kerberos)",
		"this machine is 7 min 12 s behind DC1", "&lt;script&gt;alert(1)&lt;/script&gt;", "Kerberos (TCP 88) answers",
		"<h3>What to fix</h3><ul><li>bring this machine&#39;s clock within 5 minutes of 198.18.1.10&#39;s: on a Windows domain member w32tm /resync"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "<script>") {
		t.Error("server text not escaped")
	}
}

package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/winreach/winreach/probes/probetest"
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

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"testing"
)

// As root, winreach's raw IP-protocol probes of this machine give the
// states nmap -sO gives (issue 14: the raw socket winreach opened for the
// protocol swallowed its own probe, which suppressed the kernel's
// protocol-unreachable, so GRE, ESP, AH and RSVP read open|filtered where
// nmap says closed).
func TestRawLocalMatchesNmap(t *testing.T) {
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "!!! TestRawLocalMatchesNmap SKIPPED: needs root (raw sockets, like nmap -sO)")
		t.Skip("needs root")
	}
	nmap, err := exec.LookPath("nmap")
	if err != nil {
		fmt.Fprintln(os.Stderr, "!!! TestRawLocalMatchesNmap SKIPPED: nmap is not installed")
		t.Skip("needs nmap")
	}
	for _, target := range []string{"127.0.0.1", "::1"} {
		args := []string{"-sO", "-p", "46,47,50,51", "--reason", "-n", "-oG", "-", target}
		if target == "::1" {
			args = append([]string{"-6"}, args...)
		}
		out, err := exec.CommandContext(t.Context(), nmap, args...).Output()
		if err != nil {
			t.Fatalf("nmap %v: %v", args, err)
		}
		// -oG: "Protocols: 46/closed/rsvp/, 47/closed/gre/, ..."
		want := map[string]string{}
		for _, m := range regexp.MustCompile(`(\d+)/([a-z|]+)/`).FindAllStringSubmatch(string(out), -1) {
			want["ip/"+m[1]] = m[2]
		}
		if len(want) != 4 {
			t.Fatalf("nmap gave %d protocol states:\n%s", len(want), out)
		}
		r := runBin(t, "", "scan", "--format", "json", "-p", "ip/46,ip/47,ip/50,ip/51", target)
		var doc struct {
			Hosts []struct {
				Endpoints []struct {
					Endpoint string `json:"endpoint"`
					State    string `json:"state"`
					Reason   string `json:"reason"`
				} `json:"endpoints"`
			} `json:"hosts"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || len(doc.Hosts) != 1 {
			t.Fatalf("%s: exit %d, %v\n%s\n%s", target, r.code, err, r.stdout, r.stderr)
		}
		got := map[string]string{}
		for _, e := range doc.Hosts[0].Endpoints {
			got[e.Endpoint] = e.State
			if e.State != want[e.Endpoint] {
				t.Errorf("%s %s: winreach %s (%s), nmap -sO %s", target, e.Endpoint, e.State, e.Reason, want[e.Endpoint])
			}
		}
		if len(got) != 4 {
			t.Errorf("%s: winreach gave %v, nmap %v", target, got, want)
		}
		t.Logf("%s: nmap -sO %v, winreach %v", target, want, got)
	}
}

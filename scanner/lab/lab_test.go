//go:build lab

package lab

import (
	"context"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestMain takes the lab down at the end if this test process brought it
// up (whichever test called Up first), and fails the run if any wr-
// namespace, lab process or lab file remains after that.
func TestMain(m *testing.M) {
	code := m.Run()
	if err := Finish(context.Background()); err != nil { // TestMain is the root
		fmt.Fprintln(os.Stderr, "lab: teardown:", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// nmap's XML output, the parts this test reads.
type nmapRun struct {
	Hosts []nmapHost `xml:"host"`
}

type nmapHost struct {
	Addresses []struct {
		Addr string `xml:"addr,attr"`
		Type string `xml:"addrtype,attr"`
	} `xml:"address"`
	Ports struct {
		Ports []struct {
			Protocol string `xml:"protocol,attr"`
			PortID   int    `xml:"portid,attr"`
			State    struct {
				State  string `xml:"state,attr"`
				Reason string `xml:"reason,attr"`
			} `xml:"state"`
		} `xml:"port"`
		Extra []struct {
			State   string `xml:"state,attr"`
			Reasons []struct {
				Reason string `xml:"reason,attr"`
				Ports  string `xml:"ports,attr"`
			} `xml:"extrareasons"`
		} `xml:"extraports"`
	} `xml:"ports"`
}

type portResult struct{ state, reason string }

// nmapScan runs nmap from wr-client and returns port -> state/reason, or
// nil if nmap reports the host down. Ports nmap folded into <extraports>
// get that element's state.
func nmapScan(t *testing.T, args []string, ports []int, target string) map[int]portResult {
	t.Helper()
	pl := make([]string, len(ports))
	for i, p := range ports {
		pl[i] = strconv.Itoa(p)
	}
	full := append([]string{"nmap", "-n", "-Pn", "--reason", "-oX", "-"}, args...)
	if strings.Contains(target, ":") {
		full = append(full, "-6")
	}
	full = append(full, "-p", strings.Join(pl, ","), target)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := CommandContext(ctx, ClientNS, full...)
	out, err := cmd.Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("%s: %v\n%s", strings.Join(full, " "), err, stderr)
	}
	var run nmapRun
	if err := xml.Unmarshal(out, &run); err != nil {
		t.Fatalf("parse nmap XML: %v\n%s", err, out)
	}
	if len(run.Hosts) == 0 {
		// raw scans (-sU, -sO, -sS) on the local segment resolve the
		// target with ARP/ND first; no answer means "host down".
		return nil
	}
	if len(run.Hosts) != 1 {
		t.Fatalf("nmap reported %d hosts for %s\n%s", len(run.Hosts), target, out)
	}
	h := run.Hosts[0]
	res := map[int]portResult{}
	for _, p := range h.Ports.Ports {
		res[p.PortID] = portResult{p.State.State, p.State.Reason}
	}
	for _, e := range h.Ports.Extra {
		for _, r := range e.Reasons {
			for _, p := range expandPorts(r.Ports) {
				res[p] = portResult{e.State, r.Reason}
			}
		}
	}
	if len(h.Ports.Extra) == 1 {
		for _, p := range ports {
			if _, ok := res[p]; !ok {
				res[p] = portResult{h.Ports.Extra[0].State, ""}
			}
		}
	}
	return res
}

func expandPorts(s string) []int {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f == "" {
			continue
		}
		lo, hi, found := strings.Cut(f, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			continue
		}
		b := a
		if found {
			if b, err = strconv.Atoi(hi); err != nil {
				continue
			}
		}
		for p := a; p <= b; p++ {
			out = append(out, p)
		}
	}
	return out
}

// accepted lists the nmap states (and, when not "", the reason) that match
// an expected State for a scan type: "sT" (connect), "sS" (SYN), "sU", "sO".
func accepted(st State, scan string) []portResult {
	switch st {
	case Open:
		if scan == "sU" {
			// nmap only sees UDP "open" when its payload gets an answer
			return []portResult{{"open", ""}, {"open|filtered", "no-response"}}
		}
		return []portResult{{"open", "syn-ack"}}
	case ClosedPort:
		switch scan {
		case "sT":
			return []portResult{{"closed", "conn-refused"}}
		case "sS":
			return []portResult{{"closed", "reset"}}
		case "sU":
			return []portResult{{"closed", "port-unreach"}}
		case "sO":
			return []portResult{{"closed", "proto-unreach"}}
		}
	case Prohibited:
		if scan == "sT" {
			// connect() sees EHOSTUNREACH / EACCES, but only when the ICMP
			// error does not arrive while connect() still holds the socket
			// (then the kernel keeps it as a soft error until the SYN is
			// resent 1 s later, and nmap has given up): any "filtered".
			// The reason is checked with -sS below.
			return []portResult{{"filtered", ""}}
		}
		return []portResult{{"filtered", "admin-prohibited"}}
	case Silent:
		if scan == "sT" || scan == "sS" {
			return []portResult{{"filtered", "no-response"}}
		}
		return []portResult{{"open|filtered", "no-response"}}
	case Unreach:
		return []portResult{{"filtered", ""}, {"open|filtered", ""}}
	case Either:
		return append(accepted(Open, scan), accepted(ClosedPort, scan)...)
	}
	return nil
}

func matches(got portResult, want []portResult) bool {
	for _, w := range want {
		if got.state == w.state && (w.reason == "" || got.reason == w.reason) {
			return true
		}
	}
	return false
}

func union(a, b []int) []int {
	m := map[int]bool{}
	for _, x := range append(append([]int{}, a...), b...) {
		m[x] = true
	}
	var out []int
	for x := range m {
		out = append(out, x)
	}
	sort.Ints(out)
	return out
}

// check scans one host/family/scan type and compares every port.
func check(t *testing.T, h Host, family int, scan string, ports []int, extra ...string) {
	t.Helper()
	target := h.IPv4
	args := []string{"-" + scan}
	if family == 6 {
		target = h.IPv6
		args = append(args, "-6")
	}
	args = append(args, extra...)
	proto := map[string]string{"sT": "tcp", "sS": "tcp", "sU": "udp", "sO": "ip"}[scan]
	res := nmapScan(t, args, ports, target)
	if res == nil {
		if h.Behaviour != Absent {
			t.Errorf("%s (-%s): nmap found no host", target, scan)
		}
		return
	}
	bad := mismatches(h, family, proto, scan, ports, res)
	// wr-closed rate-limits its ICMP errors per peer, and other tests
	// probing it from wr-client at the same time share that budget: ask
	// again, slowly, for ports that came back silent.
	for try := 0; try < 3 && len(bad) > 0 && h.Behaviour == Closed && (scan == "sU" || scan == "sO"); try++ {
		time.Sleep(3 * time.Second)
		again := nmapScan(t, append(args, "--scan-delay", "1100ms"), bad, target)
		for _, p := range bad {
			if r, ok := again[p]; ok {
				res[p] = r
			}
		}
		bad = mismatches(h, family, proto, scan, bad, res)
	}
	for _, p := range bad {
		want := h.ExpectFamily(family, proto, p)
		got, ok := res[p]
		if !ok {
			t.Errorf("%s %s/%d (-%s): missing from nmap output; want %s", target, proto, p, scan, want)
			continue
		}
		t.Errorf("%s %s/%d (-%s): nmap says %s (%s); want %s = %v", target, proto, p, scan, got.state, got.reason, want, accepted(want, scan))
	}
}

// mismatches lists the ports whose nmap result does not fit the expectation.
func mismatches(h Host, family int, proto, scan string, ports []int, res map[int]portResult) []int {
	var bad []int
	for _, p := range ports {
		got, ok := res[p]
		if !ok || !matches(got, accepted(h.ExpectFamily(family, proto, p), scan)) {
			bad = append(bad, p)
		}
	}
	return bad
}

func TestLab(t *testing.T) {
	RequireRoot(t)
	Up(t)
	t.Cleanup(func() { Down(t) })
	if out, err := ExecContext(t.Context(), ClientNS, "ip", "route", "show", "default"); err != nil || strings.TrimSpace(string(out)) != "" {
		t.Errorf("wr-client must have no default route: %q %v", out, err)
	}
	if out, err := ExecContext(t.Context(), ClientNS, "ip", "-o", "link", "show"); err == nil {
		if n := len(strings.Split(strings.TrimSpace(string(out)), "\n")); n != 2 {
			t.Errorf("wr-client must have only lo and its lab link, has %d links:\n%s", n, out)
		}
	}
	for _, h := range Hosts {
		if h.Name == "client" {
			continue
		}
		h := h
		t.Run(h.Name, func(t *testing.T) {
			tcp := union(CatalogTCP, h.OpenTCP)
			udp := union(union(CatalogUDP, h.OpenUDP), h.PlannedUDP)
			check(t, h, 4, "sT", tcp)
			var udpExtra []string
			if h.Behaviour == Closed {
				// wr-closed keeps the kernel's ICMP rate limit (1/s per
				// peer, burst 6): pace the probes so every one is answered.
				udpExtra = []string{"--scan-delay", "1100ms"}
			}
			check(t, h, 4, "sU", udp, udpExtra...)
			check(t, h, 4, "sO", CatalogProto)
			check(t, h, 6, "sT", tcp)
			if h.Behaviour == Reject {
				// the ICMP type is only visible to a raw scan
				check(t, h, 4, "sS", CatalogTCP)
				check(t, h, 6, "sS", CatalogTCP)
			}
		})
	}
	t.Run("catalog-coverage", func(t *testing.T) {
		// every catalog endpoint has an expectation on every host
		for _, h := range Hosts {
			for _, p := range CatalogTCP {
				if h.Expect("tcp", p) == "" {
					t.Errorf("%s tcp/%d: no expectation", h.Name, p)
				}
			}
			for _, p := range CatalogUDP {
				if h.Expect("udp", p) == "" {
					t.Errorf("%s udp/%d: no expectation", h.Name, p)
				}
			}
			for _, p := range CatalogProto {
				if h.Expect("ip", p) == "" {
					t.Errorf("%s ip/%d: no expectation", h.Name, p)
				}
			}
		}
	})
}

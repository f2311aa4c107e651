package icmperr_test

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/icmperr"
	"github.com/winreach/winreach/probes/rawip"
)

// The lab: a scanner namespace (198.18.201.1, fd77:7272:201::1) joined by
// a veth to a targets namespace, which holds .2 (no firewall, nothing listening),
// .3 (nftables drops everything) and .4 (nftables rejects with
// admin-prohibited); .99 is no host at all. The addresses are from the
// benchmarking range 198.18.0.0/15 and the lab's fd77:7272::/32.
const labInside = "WINREACH_ICMPERR_LAB_INSIDE"

const labNFT = `table inet wrdev {
  chain input {
    type filter hook input priority 0;
    ip daddr 198.18.201.3 drop
    ip6 daddr fd77:7272:201::3 drop
    ip daddr 198.18.201.4 reject with icmp admin-prohibited
    ip6 daddr fd77:7272:201::4 reject with icmpv6 admin-prohibited
  }
}
`

// TestLab builds the namespaces, then runs TestLabInside in the scanner
// namespace by re-executing the test binary there (a namespace belongs to
// a thread, and Go moves goroutines between threads).
func TestLab(t *testing.T) {
	if os.Getenv(labInside) != "" {
		t.Skip("running inside the lab")
	}
	if testing.Short() {
		t.Skip("lab test: slow")
	}
	if os.Geteuid() != 0 {
		t.Skip("SKIPPING THE ICMP LAB TEST: it needs root to create network namespaces (run go test as root)")
	}
	for _, tool := range []string{"ip", "nft"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("SKIPPING THE ICMP LAB TEST: %s not installed (apt-get install -y iproute2 nftables)", tool)
		}
	}
	// Named per process, so that two test runs cannot collide.
	labScanner := fmt.Sprintf("wrdev-raw-a-%d", os.Getpid())
	labTargets := fmt.Sprintf("wrdev-raw-b-%d", os.Getpid())
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.CommandContext(t.Context(), args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	for _, ns := range []string{labScanner, labTargets} {
		_ = exec.Command("ip", "netns", "del", ns).Run() // a previous run's leftovers
		run("ip", "netns", "add", ns)
		t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", ns).Run() })
		run("ip", "-n", ns, "link", "set", "lo", "up")
	}
	run("ip", "link", "add", "wrraw0", "netns", labScanner, "type", "veth", "peer", "name", "wrraw1", "netns", labTargets)
	run("ip", "-n", labScanner, "addr", "add", "198.18.201.1/24", "dev", "wrraw0")
	run("ip", "-n", labScanner, "addr", "add", "fd77:7272:201::1/64", "dev", "wrraw0", "nodad")
	for _, h := range []string{"2", "3", "4"} {
		run("ip", "-n", labTargets, "addr", "add", "198.18.201."+h+"/24", "dev", "wrraw1")
		run("ip", "-n", labTargets, "addr", "add", "fd77:7272:201::"+h+"/64", "dev", "wrraw1", "nodad")
	}
	run("ip", "-n", labScanner, "link", "set", "wrraw0", "up")
	run("ip", "-n", labTargets, "link", "set", "wrraw1", "up")
	nft := exec.CommandContext(t.Context(), "ip", "netns", "exec", labTargets, "nft", "-f", "-")
	nft.Stdin = strings.NewReader(labNFT)
	if out, err := nft.CombinedOutput(); err != nil {
		t.Fatalf("nft: %v\n%s", err, out)
	}

	cmd := exec.CommandContext(t.Context(), "ip", "netns", "exec", labScanner, os.Args[0],
		"-test.run=^TestLabInside$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), labInside+"=1")
	out, err := cmd.CombinedOutput()
	t.Logf("inside %s:\n%s", labScanner, out)
	if err != nil {
		t.Fatalf("the lab test failed inside %s: %v", labScanner, err)
	}
	if !strings.Contains(string(out), "--- PASS: TestLabInside") {
		t.Fatal("TestLabInside did not run")
	}
}

type labCase struct {
	name   string
	probe  probes.Prober
	target probes.Target
	state  probes.State
	reason probes.Reason
	from   string // the ICMP sender, "" when no ICMP is expected
}

// TestLabInside asserts what the scanner namespace sees. It runs only when
// TestLab starts it.
func TestLabInside(t *testing.T) {
	if os.Getenv(labInside) == "" {
		t.Skip("run by TestLab inside the lab namespace")
	}
	ctx := t.Context()
	icmp4, err := rawip.ListenICMP(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	defer icmp4.Close()
	icmp6, err := rawip.ListenICMP(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	defer icmp6.Close()

	raw := rawip.Prober{Listen: &net.ListenConfig{}, ICMP4: icmp4, ICMP6: icmp6,
		Timeout: 1500 * time.Millisecond, Retries: 3, Pacer: rawip.NewPacer(rawip.DefaultSpacing)}
	tcp := probes.TCP{Dialer: &icmperr.Dialer{}, Timeout: 6 * time.Second}
	udp := probes.UDP{Dialer: &icmperr.Dialer{}, Timeout: 2 * time.Second, Retries: 2}

	var cases []labCase
	for _, fam := range []struct {
		prefix string
	}{{"198.18.201."}, {"fd77:7272:201::"}} {
		addr := func(h string) netip.Addr { return netip.MustParseAddr(fam.prefix + h) }
		v6 := addr("1").Is6()
		self := fam.prefix + "1"
		for _, proto := range []uint16{rawip.ProtoRSVP, rawip.ProtoGRE, rawip.ProtoESP, rawip.ProtoAH} {
			rejected := labCase{"raw", raw, probes.Target{Addr: addr("4"), Port: proto}, probes.Filtered, probes.ReasonAdminProhibited, fam.prefix + "4"}
			if v6 && (proto == rawip.ProtoRSVP || proto == rawip.ProtoAH) {
				// nftables' IPv6 reject (nf_reject_ipv6.c) answers only
				// packets whose transport it can find and checksum: it
				// verifies RSVP against a pseudo-header RSVP does not use,
				// and AH followed by No Next Header has no transport at all,
				// so both are dropped silently. nmap -6 -sO sees the same.
				rejected.state, rejected.reason, rejected.from = probes.OpenFiltered, probes.ReasonNoResponse, ""
			}
			cases = append(cases,
				labCase{"raw", raw, probes.Target{Addr: addr("2"), Port: proto}, probes.Closed, probes.ReasonProtoUnreachable, fam.prefix + "2"},
				labCase{"raw", raw, probes.Target{Addr: addr("3"), Port: proto}, probes.OpenFiltered, probes.ReasonNoResponse, ""},
				rejected,
				labCase{"raw", raw, probes.Target{Addr: addr("99"), Port: proto}, probes.Filtered, probes.ReasonHostUnreachable, self},
			)
		}
		cases = append(cases,
			labCase{"tcp", tcp, probes.Target{Addr: addr("2"), Port: 1723}, probes.Closed, probes.ReasonReset, ""},
			labCase{"tcp", tcp, probes.Target{Addr: addr("3"), Port: 1723}, probes.Filtered, probes.ReasonTimeout, ""},
			labCase{"tcp", tcp, probes.Target{Addr: addr("4"), Port: 1723}, probes.Filtered, probes.ReasonAdminProhibited, fam.prefix + "4"},
			labCase{"tcp", tcp, probes.Target{Addr: addr("99"), Port: 1723}, probes.Filtered, probes.ReasonHostUnreachable, self},
			labCase{"udp", udp, probes.Target{Addr: addr("2"), Port: 500}, probes.Closed, probes.ReasonPortUnreachable, fam.prefix + "2"},
			labCase{"udp", udp, probes.Target{Addr: addr("3"), Port: 500}, probes.OpenFiltered, probes.ReasonNoResponse, ""},
			labCase{"udp", udp, probes.Target{Addr: addr("4"), Port: 500}, probes.Filtered, probes.ReasonAdminProhibited, fam.prefix + "4"},
			labCase{"udp", udp, probes.Target{Addr: addr("99"), Port: 500}, probes.Filtered, probes.ReasonHostUnreachable, self},
		)
	}

	// One host at a time, its probes at once: the matching keeps
	// concurrent probes apart. The lab's hosts share one kernel, hence one
	// ICMP rate limit towards the scanner (a burst of 6, then 1/s), which
	// separate hosts would not; one host's six errors fit in the burst.
	results := make([]probes.Result, len(cases))
	for _, host := range []string{"2", "3", "4", "99"} {
		var wg sync.WaitGroup
		for i, c := range cases {
			if a := c.target.Addr.String(); !strings.HasSuffix(a, "."+host) && !strings.HasSuffix(a, ":"+host) {
				continue
			}
			wg.Go(func() { results[i] = c.probe.Probe(ctx, c.target) })
		}
		wg.Wait()
	}
	for i, c := range cases {
		r := results[i]
		label := fmt.Sprintf("%s %v", c.name, c.target.AddrPort())
		t.Logf("%-28s %v icmp=%+v note=%q attempts=%d", label, r, r.ICMP, r.Note, r.Attempts)
		if r.State != c.state || r.Reason != c.reason {
			t.Errorf("%s: got %v %v, want %v %v", label, r.State, r.Reason, c.state, c.reason)
		}
		switch {
		case c.from == "" && r.ICMP != nil:
			t.Errorf("%s: unexpected ICMP %+v", label, *r.ICMP)
		case c.from != "" && (r.ICMP == nil || r.ICMP.From != netip.MustParseAddr(c.from)):
			t.Errorf("%s: ICMP %+v, want one from %s", label, r.ICMP, c.from)
		}
	}

	// nmap's verdict on the same hosts, for the record (its single-shot
	// probes can lose to the rate limit, so it is logged, not asserted).
	if _, err := exec.LookPath("nmap"); err == nil {
		out, _ := exec.CommandContext(ctx, "nmap", "-n", "-sO", "-p46,47,50,51", "--reason",
			"198.18.201.2", "198.18.201.3", "198.18.201.4", "198.18.201.99").CombinedOutput()
		t.Logf("nmap -sO --reason:\n%s", out)
	}
}

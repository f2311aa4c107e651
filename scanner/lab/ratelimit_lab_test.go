//go:build lab

package lab

import (
	"bufio"
	"encoding/json"
	"errors"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The rate-limit tests scan from a client of their own, wrdev-perf-cli
// (198.18.1.202 on the lab bridge): the closed host's ICMP budget is per
// destination, and other tests scanning from wr-client at the same time
// would spend it.
const (
	perfClientNS   = "wrdev-perf-cli"
	perfClientAddr = "198.18.1.202"
)

// perfClient plugs wrdev-perf-cli into the lab bridge; Cleanup removes it.
func perfClient(t *testing.T) {
	t.Helper()
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.CommandContext(t.Context(), "ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	exec.Command("ip", "netns", "del", perfClientNS).Run() // an interrupted run's leftovers
	run("netns", "add", perfClientNS)
	t.Cleanup(func() {
		if out, err := exec.Command("ip", "netns", "del", perfClientNS).CombinedOutput(); err != nil {
			t.Errorf("ip netns del %s: %v\n%s", perfClientNS, err, out)
		}
	})
	run("-n", perfClientNS, "link", "set", "lo", "up")
	run("-n", perfClientNS, "link", "add", "eth0", "type", "veth", "peer", "name", "p-wrdevperf", "netns", BridgeNS)
	run("-n", BridgeNS, "link", "set", "p-wrdevperf", "master", "br0", "up")
	run("-n", perfClientNS, "addr", "add", perfClientAddr+"/24", "dev", "eth0")
	run("-n", perfClientNS, "link", "set", "eth0", "up")
}

// scanStates runs winreach scan --format jsonl in ns and returns the
// state of every "host endpoint".
func scanStates(t *testing.T, ns, bin string, args ...string) map[string]string {
	t.Helper()
	cmd := CommandContext(t.Context(), ns, append([]string{bin, "scan", "--no-progress", "--format", "jsonl"}, args...)...)
	out, err := cmd.Output()
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1) {
		t.Fatalf("winreach scan %v: %v", args, err)
	}
	st := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var rec struct {
			Type, Host, Endpoint, State string
		}
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Type == "endpoint" {
			st[rec.Host+" "+rec.Endpoint] = rec.State
		}
	}
	return st
}

// Issue 7, case 3: a host whose 20 UDP ports are all closed, behind
// Linux's default ICMP rate limit (a burst of 6, then one a second), is
// reported all closed: retries are paced to the limit instead of giving
// up with open|filtered, as nmap -sU -T4 does for about half of them.
func TestRateLimitedClosedHostLab(t *testing.T) {
	RequireRoot(t)
	Up(t)
	defer Down(t)
	perfClient(t)
	bin := winreachBinary(t)
	ports := []int{7, 9, 19, 53, 67, 68, 69, 88, 111, 123, 137, 138, 161, 445, 500, 520, 1717, 1900, 2504, 5353}
	var eps []string
	for _, p := range ports {
		eps = append(eps, "udp/"+strconv.Itoa(p))
	}
	time.Sleep(7 * time.Second) // whatever spent the budget before, it refills
	st := scanStates(t, perfClientNS, bin, "-p", strings.Join(eps, ","), "198.18.1.70")
	for _, e := range eps {
		if got := st["198.18.1.70 "+e]; got != "closed" {
			t.Errorf("198.18.1.70 %s: %q, want closed", e, got)
		}
	}
}

// Issue 7, case 2: a host that drops everything gets filtered TCP and
// open|filtered UDP, nothing open, nothing left out.
func TestDroppingHostLab(t *testing.T) {
	RequireRoot(t)
	Up(t)
	defer Down(t)
	perfClient(t)
	bin := winreachBinary(t)
	st := scanStates(t, perfClientNS, bin, "-p", "tcp/139,tcp/445,tcp/3389,udp/53,udp/137,udp/500", "198.18.1.60")
	for e, want := range map[string]string{"tcp/139": "filtered", "tcp/445": "filtered", "tcp/3389": "filtered",
		"udp/53": "open|filtered", "udp/137": "open|filtered", "udp/500": "open|filtered"} {
		if got := st["198.18.1.60 "+e]; got != want {
			t.Errorf("198.18.1.60 %s: %q, want %s", e, got, want)
		}
	}
}

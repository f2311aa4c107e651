//go:build lab

package lab

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/scanner/report"
)

// The listen tests run on a link of their own: a client namespace and a
// server namespace joined by a veth pair, 198.18.202.0/24 and
// fd77:7272:202::/64, not on the lab's bridge. Other lab tests pin how
// every lab host answers (wr-closed above all), which a listener there
// would change, and tests that tear the lab down and up would cut a
// listener off in the middle of a scan. The nftables rules the tests add
// go into the server namespace, and both namespaces go in Cleanup.
const (
	listenNS       = "wrdev-listen-srv"
	listenClientNS = "wrdev-listen-cli"
	listenAddr4    = "198.18.202.80"
	listenAddr6    = "fd77:7272:202::80"
	listenClient4  = "198.18.202.2"
	listenClient6  = "fd77:7272:202::2"
)

// listenBinary builds winreach once per test into a temp dir.
func listenBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "winreach")
	out, err := exec.CommandContext(t.Context(), "go", "build", "-o", bin, "github.com/winreach/winreach/cmd/winreach").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func listenRun(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.CommandContext(t.Context(), args[0], args[1:]...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// listenNamespaces creates the client and server namespaces and their link.
func listenNamespaces(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("\n*** SKIPPING LAB TEST: winreach listen tests need root (network namespaces, nftables, raw sockets).\n" +
			"*** Run: sudo go test -tags lab ./scanner/lab/")
	}
	for _, ns := range []string{listenNS, listenClientNS} {
		exec.Command("ip", "netns", "del", ns).Run() // an interrupted run's leftovers
		listenRun(t, "ip", "netns", "add", ns)
		t.Cleanup(func() {
			if out, err := exec.Command("ip", "netns", "del", ns).CombinedOutput(); err != nil {
				t.Errorf("ip netns del %s: %v\n%s", ns, err, out)
			}
		})
		listenRun(t, "ip", "-n", ns, "link", "set", "lo", "up")
	}
	listenRun(t, "ip", "-n", listenNS, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", listenClientNS)
	for _, a := range [][3]string{{listenNS, listenAddr4, listenAddr6}, {listenClientNS, listenClient4, listenClient6}} {
		listenRun(t, "ip", "-n", a[0], "addr", "add", a[1]+"/24", "dev", "eth0")
		listenRun(t, "ip", "-n", a[0], "addr", "add", a[2]+"/64", "dev", "eth0", "nodad")
		listenRun(t, "ip", "-n", a[0], "link", "set", "eth0", "up")
	}
}

// listenFirewall loads rules into wrdev-listen's input chain until the
// returned function (also run in Cleanup) removes them.
func listenFirewall(t *testing.T, rules ...string) (remove func()) {
	t.Helper()
	ruleset := "table inet wrdevlisten {\n\tchain input {\n\t\ttype filter hook input priority 0; policy accept;\n"
	for _, r := range rules {
		ruleset += "\t\t" + r + "\n"
	}
	ruleset += "\t}\n}\n"
	cmd := exec.CommandContext(t.Context(), "ip", "netns", "exec", listenNS, "nft", "-f", "-")
	cmd.Stdin = strings.NewReader(ruleset)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("nft: %v\n%s\n%s", err, out, ruleset)
	}
	removed := false
	remove = func() {
		if removed {
			return
		}
		removed = true
		if out, err := exec.Command("ip", "netns", "exec", listenNS, "nft", "delete", "table", "inet", "wrdevlisten").CombinedOutput(); err != nil {
			t.Errorf("nft delete: %v\n%s", err, out)
		}
	}
	t.Cleanup(remove)
	return remove
}

// listenReport is the JSON `winreach listen --format json` prints.
type listenReport struct {
	Bindings []struct {
		Endpoint catalog.Endpoint `json:"endpoint"`
		Addr     string           `json:"addr"`
		Status   string           `json:"status"`
		Note     string           `json:"note"`
		Arrived  int              `json:"arrived"`
		Answered int              `json:"answered"`
		Ignored  int              `json:"ignored"`
		Sources  []struct {
			Addr  string `json:"addr"`
			Count int    `json:"count"`
		} `json:"sources"`
	} `json:"bindings"`
}

// startListen runs `winreach listen` in wrdev-listen and waits for its
// ready line; stop interrupts it (SIGINT, as Ctrl-C) and returns its
// report.
func startListen(t *testing.T, bin string, args ...string) (stop func() listenReport) {
	t.Helper()
	args = append([]string{"netns", "exec", listenNS, bin, "listen", "--format", "json", "--duration", "10m"}, args...)
	cmd := exec.Command("ip", args...)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		done <- cmd.Wait()
	}()
	var said []string
	ready := time.After(30 * time.Second)
wait:
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("winreach listen exited before it was ready: %v\n%s", <-done, strings.Join(said, "\n"))
			}
			said = append(said, l)
			if strings.Contains(l, "winreach listen: ready:") {
				break wait
			}
		case <-ready:
			cmd.Process.Kill()
			t.Fatalf("winreach listen not ready after 30s:\n%s", strings.Join(said, "\n"))
		}
	}
	go func() {
		for l := range lines {
			t.Logf("listen: %s", l)
		}
	}()
	stopped := false
	var rep listenReport
	stop = func() listenReport {
		if stopped {
			return rep
		}
		stopped = true
		cmd.Process.Signal(syscall.SIGINT)
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("winreach listen after SIGINT: %v (want exit 0)", err)
			}
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Fatal("winreach listen did not stop on SIGINT")
		}
		if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
			t.Fatalf("listen report: %v\n%s", err, stdout.String())
		}
		return rep
	}
	t.Cleanup(func() { stop() })
	return stop
}

// listenScan runs `winreach scan` from the client and returns its exit
// code and output.
func listenScan(t *testing.T, bin string, args ...string) (int, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", listenClientNS, bin}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		if c := ee.ExitCode(); c != 0 && c != 1 {
			t.Fatalf("%s: exit %d\n%s", strings.Join(args, " "), c, stderr.String())
		}
		return ee.ExitCode(), stdout.Bytes()
	case err != nil:
		t.Fatal(err)
	}
	return 0, stdout.Bytes()
}

func listenScanJSON(t *testing.T, bin string, args ...string) *report.Document {
	t.Helper()
	_, out := listenScan(t, bin, append([]string{"scan", "--responder", "--format", "json", "--no-progress", "--timeout", "1s"}, args...)...)
	var d report.Document
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatalf("scan JSON: %v\n%s", err, out)
	}
	if len(d.Hosts) != 1 {
		t.Fatalf("scan: %d hosts", len(d.Hosts))
	}
	return &d
}

// udpAndRaw are the UDP ports and IP protocols of the whole catalog.
func udpAndRaw() []catalog.Endpoint {
	var eps []catalog.Endpoint
	for _, f := range catalog.Default().Functions {
		for _, e := range f.Endpoints {
			if e.Transport != catalog.TCP && !slices.Contains(eps, e) {
				eps = append(eps, e)
			}
		}
	}
	return eps
}

// TestListenResponder: with winreach listen on the far side, scan
// --responder turns every UDP and raw IP endpoint of the catalog
// definitive: confirmed when the path is open, filtered (never
// open|filtered) when nftables drops it; TCP is a plain connect.
func TestListenResponder(t *testing.T) {
	listenNamespaces(t)
	bin := listenBinary(t)
	stop := startListen(t, bin, "--addr", listenAddr4+","+listenAddr6)
	want := udpAndRaw()
	if len(want) < 10 {
		t.Fatalf("catalog has only %v", want)
	}

	check := func(t *testing.T, d *report.Document, dropped bool) {
		t.Helper()
		got := map[catalog.Endpoint]probes.Result{}
		for _, er := range d.Hosts[0].Endpoints {
			got[er.Endpoint] = er.Result
			if er.State == probes.OpenFiltered {
				t.Errorf("%s: open|filtered (%s): --responder must be definitive", er.Endpoint, er.Result)
			}
			if er.Endpoint.Transport == catalog.TCP && !er.State.Reachable() {
				t.Errorf("%s: %s, want open (winreach listen accepts)", er.Endpoint, er.Result)
			}
		}
		for _, e := range want {
			r, ok := got[e]
			switch {
			case !ok:
				t.Errorf("%s: not in the scan", e)
			case !dropped && (r.State != probes.Confirmed || r.Service == nil || r.Service.Protocol != "winreach-listen"):
				t.Errorf("%s: %s %q, want confirmed by winreach-listen", e, r, r.Note)
			case dropped && (r.State != probes.Filtered || r.Reason != probes.ReasonNoResponse || !strings.Contains(r.Note, "dropped on the path")):
				t.Errorf("%s: %s %q, want filtered (no-response), dropped on the path", e, r, r.Note)
			}
		}
	}

	for _, addr := range []string{listenAddr4, listenAddr6} {
		t.Run("open/"+addr, func(t *testing.T) {
			check(t, listenScanJSON(t, bin, addr), false)
		})
	}
	t.Run("dropped", func(t *testing.T) {
		remove := listenFirewall(t,
			"meta l4proto udp drop",
			"meta l4proto { gre, esp, ah } drop",
			"ip protocol 46 drop", // RSVP: nft has no name for it
			"ip6 nexthdr 46 drop",
		)
		defer remove()
		for _, addr := range []string{listenAddr4, listenAddr6} {
			check(t, listenScanJSON(t, bin, addr), true)
		}
	})

	// What arrived: every UDP and raw endpoint got token probes from the
	// client and answered some, on both addresses.
	rep := stop()
	for _, b := range rep.Bindings {
		if b.Status != "listening" {
			t.Errorf("%s on %s: %s %s", b.Endpoint, b.Addr, b.Status, b.Note)
			continue
		}
		if b.Arrived == 0 || len(b.Sources) != 1 || b.Sources[0].Addr != listenClient4 && b.Sources[0].Addr != listenClient6 {
			t.Errorf("%s on %s: arrived %d from %v, want the client", b.Endpoint, b.Addr, b.Arrived, b.Sources)
		}
		if b.Endpoint.Transport != catalog.TCP && b.Answered == 0 {
			t.Errorf("%s on %s: nothing answered", b.Endpoint, b.Addr)
		}
	}
}

// TestListenInUse: a port another program holds is reported, not stolen,
// and the other endpoints still serve.
func TestListenInUse(t *testing.T) {
	listenNamespaces(t)
	bin := listenBinary(t)
	holder := exec.Command("ip", "netns", "exec", listenNS, "socat", "TCP-LISTEN:445,bind="+listenAddr4+",fork", "EXEC:/bin/true")
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { holder.Process.Kill(); holder.Wait() }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, _ := exec.Command("ip", "netns", "exec", listenNS, "ss", "-Hltn", "sport = :445").Output()
		if len(bytes.TrimSpace(out)) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("socat did not listen on 445")
		}
		time.Sleep(50 * time.Millisecond)
	}
	cmd := exec.CommandContext(t.Context(), "ip", "netns", "exec", listenNS, bin, "listen", "--addr", listenAddr4, "-f", "smb-direct-host", "--duration", "1s")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("listen: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "tcp/445 on "+listenAddr4+" in use by another program: not stolen") {
		t.Errorf("stderr does not report tcp/445 in use:\n%s", stderr.String())
	}
	if !strings.Contains(stdout.String(), "udp/445") || !strings.Contains(stdout.String(), "in use by another program") {
		t.Errorf("report:\n%s", stdout.String())
	}
	// socat still owns it.
	out, _ := exec.Command("ip", "netns", "exec", listenNS, "ss", "-Hltnp", "sport = :445").Output()
	if !strings.Contains(string(out), "socat") {
		t.Errorf("tcp/445 owner after listen: %s", out)
	}
}

// pathChange is the nftables change the diff and XML tests make between
// their two scans: NetBIOS datagrams, GRE and SMB direct host dropped.
var pathChange = []string{"udp dport 138 drop", "meta l4proto gre drop", "tcp dport 445 drop"}

// pathChangeEndpoints are the endpoints pathChange drops.
var pathChangeEndpoints = []catalog.Endpoint{{Transport: catalog.UDP, Port: 138}, {Transport: catalog.IP, Port: 47}, {Transport: catalog.TCP, Port: 445}}

// scansAroundChange runs winreach listen and two scan --responder of the
// listener in format (json or xml), before and with pathChange, and
// returns the two files.
func scansAroundChange(t *testing.T, format string) (before, after string) {
	t.Helper()
	listenNamespaces(t)
	bin := listenBinary(t)
	startListen(t, bin, "--addr", listenAddr4)
	dir := t.TempDir()
	before, after = filepath.Join(dir, "before."+format), filepath.Join(dir, "after."+format)
	args := []string{"scan", "--responder", "--no-progress", "--timeout", "1s", "--format", format, listenAddr4, "-o"}
	listenScan(t, bin, append(args, before)...)
	remove := listenFirewall(t, pathChange...)
	listenScan(t, bin, append(args, after)...)
	remove()
	return before, after
}

// TestListenDiff: diff of two scans around an nftables change names
// exactly the functions that need a dropped endpoint, and exits 1.
func TestListenDiff(t *testing.T) {
	before, after := scansAroundChange(t, "json")
	bin := listenBinary(t)
	run := func(args ...string) (int, string) {
		out, err := exec.CommandContext(t.Context(), bin, args...).Output()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode(), string(out)
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0, string(out)
	}

	// The functions the change must name, from the catalog alone.
	want := map[string]bool{}
	for _, f := range catalog.Default().Functions {
		for _, e := range f.Endpoints {
			if slices.Contains(pathChangeEndpoints, e) {
				want[f.ID] = true
			}
		}
	}
	code, out := run("diff", "--format", "json", before, after)
	if code != 1 {
		t.Errorf("diff exit %d, want 1 (a regression)\n%s", code, out)
	}
	var d struct {
		Hosts []struct {
			Address string `json:"address"`
			Changes []struct {
				ID   string `json:"id"`
				Old  string `json:"old"`
				New  string `json:"new"`
				Kind string `json:"kind"`
			} `json:"changes"`
		} `json:"hosts"`
		Regressions int `json:"regressions"`
	}
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("diff JSON: %v\n%s", err, out)
	}
	if len(d.Hosts) != 1 || d.Hosts[0].Address != listenAddr4 {
		t.Fatalf("diff hosts: %s", out)
	}
	got := map[string]bool{}
	for _, c := range d.Hosts[0].Changes {
		got[c.ID] = true
		if c.New != "blocked" {
			t.Errorf("%s: %s -> %s, want blocked", c.ID, c.Old, c.New)
		}
		// PPTP was uncertain already: TCP 1723 accepts but does not speak PPTP.
		wantKind := "regression"
		if c.ID == "pptp" {
			wantKind = "changed"
		}
		if c.Kind != wantKind {
			t.Errorf("%s: kind %s, want %s", c.ID, c.Kind, wantKind)
		}
	}
	for id := range want {
		if !got[id] {
			t.Errorf("diff does not name %s", id)
		}
	}
	for id := range got {
		if !want[id] {
			t.Errorf("diff names %s, which needs none of %v", id, pathChangeEndpoints)
		}
	}
	// The table says it in words; a scan against itself has no change.
	code, table := run("diff", before, after)
	if code != 1 || !strings.Contains(table, "REGRESSION  NetLogon") || !strings.Contains(table, "reachable -> blocked") {
		t.Errorf("diff table (exit %d):\n%s", code, table)
	}
	t.Logf("winreach diff before.json after.json:\n%s", table)
	if code, out := run("diff", before, before); code != 0 || !strings.Contains(out, "no function changed") {
		t.Errorf("diff of a scan with itself (exit %d):\n%s", code, out)
	}
}

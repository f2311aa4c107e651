//go:build lab

// Package lab drives the winreach network lab (scanner/lab/lab.sh): real
// Debian daemons in network namespaces on one bridge, 198.18.1.0/24 and
// fd77:7272:1::/64. It is built only with -tags lab and needs root.
//
//	go test -tags lab ./scanner/lab/
//
// Tests that run winreach against the lab call Up in their setup and Down
// when done (or set WINREACH_LAB_UP=1 to use a lab brought up by hand with
// `sudo scanner/lab/lab.sh up`, which Up then only verifies and Down leaves
// alone). Run the scanner inside the client namespace with
// ExecContext(ctx, ClientNS, ...) or CommandContext.
package lab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// ClientNS is the namespace where the scanner runs: lo plus its lab link,
// no default route.
const ClientNS = "wr-client"

// BridgeNS holds the bridge every host is attached to.
const BridgeNS = "wr-br"

// StateFile is written by lab.sh up and removed by lab.sh down.
const StateFile = "/run/winreach-lab/state"

// Behaviour says how a host answers probes to ports where nothing listens.
type Behaviour string

const (
	// Services: real daemons; ports without a daemon are closed (TCP RST,
	// ICMP port unreachable, ICMP protocol unreachable).
	Services Behaviour = "services"
	// Drop: nftables drops everything silently.
	Drop Behaviour = "drop"
	// Reject: nftables answers everything with ICMP admin prohibited.
	Reject Behaviour = "reject"
	// Reset: nftables answers TCP with RST, UDP with ICMP port unreachable,
	// other IPv4 protocols with ICMP protocol unreachable.
	Reset Behaviour = "reset"
	// Closed: nothing listens, no firewall, kernel default ICMP rate limit.
	Closed Behaviour = "closed"
	// Absent: an address on the segment that no host owns (ARP fails).
	Absent Behaviour = "absent"
)

// Host is one lab address.
type Host struct {
	Name      string // short name: dc, mail, ...
	NS        string // network namespace, "" for Absent
	IPv4      string
	IPv6      string
	Behaviour Behaviour
	// Ports with a real listener that answers from the client.
	OpenTCP []int
	OpenUDP []int
	// Open TCP ports whose daemon listens on IPv4 only (closed on IPv6):
	// Samba's WINS replication (42) and pptpd (1723).
	IPv4OnlyTCP []int
	// Ports a program will listen on later (wr-legacy: the project's own
	// ICA/X.400/WLBS server); until it exists they are closed. Either
	// state is accepted.
	PlannedTCP []int
	PlannedUDP []int
	// Ports that have a listener hidden behind the host's firewall.
	BehindFirewallTCP []int
	BehindFirewallUDP []int
}

func h4(n int) string { return "198.18.1." + strconv.Itoa(n) }
func h6(n int) string { return "fd77:7272:1::" + strconv.Itoa(n) }

// Hosts is the lab's table; keep it in step with lab.sh and README.md.
var Hosts = []Host{
	{Name: "client", NS: "wr-client", IPv4: h4(2), IPv6: h6(2), Behaviour: Services},
	{Name: "dc", NS: "wr-dc", IPv4: h4(10), IPv6: h6(10), Behaviour: Services,
		OpenTCP:     []int{42, 53, 88, 135, 139, 389, 445, 464, 636, 3268, 3269},
		OpenUDP:     []int{53, 88, 123, 137, 138, 389, 464}, // 123: chronyd -x, W32Time's stand-in
		IPv4OnlyTCP: []int{42}},
	{Name: "mail", NS: "wr-mail", IPv4: h4(20), IPv6: h6(20), Behaviour: Services,
		OpenTCP: []int{25, 110, 119, 143, 443, 563, 993, 995}}, // 443: nginx, not Exchange
	{Name: "rdp", NS: "wr-rdp", IPv4: h4(30), IPv6: h6(30), Behaviour: Services,
		OpenTCP: []int{3389}},
	{Name: "vpn", NS: "wr-vpn", IPv4: h4(40), IPv6: h6(40), Behaviour: Services,
		// charon also binds UDP 4500, but this kernel has no ESP support,
		// so probes without the non-ESP marker get port unreachable there.
		OpenTCP: []int{1723}, OpenUDP: []int{500}, IPv4OnlyTCP: []int{1723}},
	{Name: "dhcp", NS: "wr-dhcp", IPv4: h4(50), IPv6: h6(50), Behaviour: Services,
		OpenUDP: []int{67}},
	// The project's stand-in, cmd/winreach-labd: ICA greeting on 1494, an
	// RFC 1006 connect-confirm on 102, a silent socket on UDP 2504.
	{Name: "legacy", NS: "wr-legacy", IPv4: h4(55), IPv6: h6(55), Behaviour: Services,
		// With --modern: TDS 1433, WinRM's 401 on 5985, the NMF fault on
		// 9389, the SQL Browser on UDP 1434, the RDP-UDP SYN+ACK on 3389.
		OpenTCP: []int{102, 1433, 1494, 5985, 9389}, OpenUDP: []int{1434, 2504, 3389}},
	{Name: "drop", NS: "wr-drop", IPv4: h4(60), IPv6: h6(60), Behaviour: Drop,
		BehindFirewallTCP: []int{139, 445, 5985}, BehindFirewallUDP: []int{137, 1434}},
	{Name: "reject", NS: "wr-reject", IPv4: h4(61), IPv6: h6(61), Behaviour: Reject,
		BehindFirewallTCP: []int{139, 445, 5985}, BehindFirewallUDP: []int{137, 1434}},
	{Name: "reset", NS: "wr-reset", IPv4: h4(62), IPv6: h6(62), Behaviour: Reset,
		BehindFirewallTCP: []int{139, 445, 5985}, BehindFirewallUDP: []int{137, 1434}},
	{Name: "closed", NS: "wr-closed", IPv4: h4(70), IPv6: h6(70), Behaviour: Closed},
	{Name: "absent", NS: "", IPv4: h4(99), IPv6: h6(99), Behaviour: Absent},
}

// Catalog endpoints of winreach: every one has an expected state on every host.
var (
	CatalogTCP   = []int{25, 42, 80, 88, 102, 110, 119, 135, 137, 139, 143, 389, 445, 563, 636, 993, 995, 1494, 1503, 1723, 3389}
	CatalogUDP   = []int{53, 67, 68, 88, 137, 138, 389, 445, 500, 1717, 2504}
	CatalogProto = []int{46, 47, 50, 51}
)

// HostByName returns the host called name ("dc") or with namespace name ("wr-dc").
func HostByName(name string) (Host, bool) {
	for _, h := range Hosts {
		if h.Name == name || (h.NS != "" && h.NS == name) {
			return h, true
		}
	}
	return Host{}, false
}

// State is what a host does with a probe, in scanner terms.
type State string

const (
	Open       State = "open"           // a listener answers (TCP SYN-ACK / UDP reply)
	ClosedPort State = "closed"         // TCP RST, ICMP port or protocol unreachable
	Prohibited State = "prohibited"     // ICMP administratively prohibited
	Silent     State = "silent"         // no answer at all (dropped, or a UDP service that ignores the probe)
	Unreach    State = "unreachable"    // nobody has the address: no ARP answer
	Either     State = "open-or-closed" // planned port, see Host.PlannedTCP
)

// Expect is the state of proto ("tcp", "udp" or "ip") port on h's IPv4
// address. UDP services that listen but may not answer a given probe are
// Open here; a scanner sees them as open or silent depending on its payload.
func (h Host) Expect(proto string, port int) State { return h.ExpectFamily(4, proto, port) }

// ExpectFamily is Expect for IPv4 (family 4) or IPv6 (family 6).
func (h Host) ExpectFamily(family int, proto string, port int) State {
	if family == 6 && h.Behaviour == Services && proto == "tcp" && contains(h.IPv4OnlyTCP, port) {
		return ClosedPort
	}
	switch h.Behaviour {
	case Drop:
		return Silent
	case Reject:
		return Prohibited
	case Reset:
		return ClosedPort
	case Absent:
		return Unreach
	}
	switch proto {
	case "tcp":
		if contains(h.OpenTCP, port) {
			return Open
		}
		if contains(h.PlannedTCP, port) {
			return Either
		}
	case "udp":
		if contains(h.OpenUDP, port) {
			return Open
		}
		if contains(h.PlannedUDP, port) {
			return Either
		}
	}
	return ClosedPort
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// Dir is the directory holding lab.sh.
func Dir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "scanner/lab"
	}
	return filepath.Dir(file)
}

// Script is the path of lab.sh.
func Script() string { return filepath.Join(Dir(), "lab.sh") }

// External reports whether the lab is managed outside the tests
// (WINREACH_LAB_UP=1): Up only verifies it, Down leaves it up.
func External() bool { return os.Getenv("WINREACH_LAB_UP") == "1" }

// RequireRoot skips the test, loudly, when not running as root.
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("\n*** SKIPPING LAB TEST: the winreach lab needs root (network namespaces, nftables, daemons).\n" +
			"*** Run: sudo go test -tags lab ./scanner/lab/   (or sudo scanner/lab/lab.sh up; WINREACH_LAB_UP=1 ...)")
	}
}

func runScript(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "bash", append([]string{Script()}, args...)...)
	cmd.Stdin = nil
	return cmd.CombinedOutput()
}

// Test processes that use the lab register in usersDir (one file per PID),
// so that Down in one `go test` process does not tear the lab down under
// another one running at the same time on the same machine.
const (
	usersDir  = "/run/winreach-lab/users"
	usersLock = "/run/winreach-lab/users.lock"
)

var (
	usersMu   sync.Mutex
	myUses    int  // Up calls not yet matched by Down in this process
	broughtUp bool // this process found the lab down and brought it up
)

func withUsersLock(fn func() error) error {
	if err := os.MkdirAll(usersDir, 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(usersLock, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return err
	}
	defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return fn()
}

func myUserFile() string { return filepath.Join(usersDir, strconv.Itoa(os.Getpid())) }

// otherUsers lists the live PIDs, other than this process, that hold the lab
// (stale files of exited processes are removed).
func otherUsers() []int {
	ents, _ := os.ReadDir(usersDir)
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		if running(pid) {
			pids = append(pids, pid)
		} else {
			os.Remove(filepath.Join(usersDir, e.Name()))
		}
	}
	return pids
}

// Up brings the lab up (or, with WINREACH_LAB_UP=1, checks that it is up)
// and fails the test if it cannot. lab.sh up is idempotent: a lab already
// up is only verified. Each Up should be matched by a Down; Finish (run by
// the package's TestMain) takes down what this process brought up.
func Up(t testing.TB) {
	t.Helper()
	RequireRoot(t)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	if External() {
		if _, err := os.Stat(StateFile); err != nil {
			t.Fatalf("WINREACH_LAB_UP=1 but the lab is not up (%v); run: sudo %s up", err, Script())
		}
	}
	start := time.Now()
	usersMu.Lock()
	defer usersMu.Unlock()
	var out []byte
	err := withUsersLock(func() error {
		_, statErr := os.Stat(StateFile)
		wasUp := statErr == nil
		var err error
		if out, err = runScript(ctx, "up"); err != nil {
			return err
		}
		if !External() {
			if !wasUp {
				broughtUp = true
			}
			myUses++
			return os.WriteFile(myUserFile(), []byte(strconv.Itoa(myUses)+"\n"), 0o644)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("lab.sh up: %v\n%s", err, out)
	}
	t.Logf("lab up in %s", time.Since(start).Round(100*time.Millisecond))
}

// Down matches an Up. It tears the lab down only when this process brought
// it up, no other Up of this process is unmatched, and no other live test
// process uses it; then it fails the test if any wr- namespace, lab process
// or lab file remains. A lab that was already up (started by hand or by
// another test process) is left up. With WINREACH_LAB_UP=1 it does nothing.
func Down(t testing.TB) {
	t.Helper()
	if External() {
		return
	}
	usersMu.Lock()
	defer usersMu.Unlock()
	if myUses > 0 {
		myUses--
	}
	if myUses > 0 {
		if err := withUsersLock(func() error {
			return os.WriteFile(myUserFile(), []byte(strconv.Itoa(myUses)+"\n"), 0o644)
		}); err != nil {
			t.Error(err)
		}
		return
	}
	// Down runs in cleanups, where t.Context() is already done: the
	// teardown keeps its values but not its cancellation.
	torn, err := release(context.WithoutCancel(t.Context()))
	if err != nil {
		t.Error(err)
	} else if !torn {
		t.Logf("lab left up (not brought up by this process, or still used by another)")
	}
}

// release drops this process's claim on the lab and, if this process
// brought it up and nobody else uses it, tears it down and checks that
// nothing remains. It reports whether it tore the lab down.
func release(ctx context.Context) (bool, error) {
	torn := false
	err := withUsersLock(func() error {
		os.Remove(myUserFile())
		if !broughtUp || len(otherUsers()) > 0 {
			return nil
		}
		pids := PIDs()
		tmp := TempDir()
		ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
		if out, err := runScript(ctx, "down"); err != nil {
			return fmt.Errorf("lab.sh down: %v\n%s", err, out)
		}
		broughtUp, torn = false, true
		if err := CheckClean(pids, tmp); err != nil {
			return fmt.Errorf("lab not clean after down: %v", err)
		}
		return nil
	})
	return torn, err
}

// Finish is for TestMain, after m.Run: whatever Up/Down calls are still
// unmatched, it takes the lab down if this process brought it up and no
// other test process uses it, and returns an error if anything remains.
// ctx is TestMain's root context.
func Finish(ctx context.Context) error {
	if External() || os.Geteuid() != 0 {
		return nil
	}
	usersMu.Lock()
	defer usersMu.Unlock()
	myUses = 0
	_, err := release(ctx)
	return err
}

// TempDir is the lab's temp folder from the state file ("" when down).
func TempDir() string {
	b, err := os.ReadFile(StateFile)
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "TMP="); ok {
			return v
		}
	}
	return ""
}

// PIDs are the PIDs lab.sh recorded for the daemons it started.
func PIDs() []int {
	dir := TempDir()
	if dir == "" {
		return nil
	}
	files, _ := filepath.Glob(filepath.Join(dir, "pids", "*.pid"))
	var pids []int
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			pids = append(pids, n)
		}
	}
	return pids
}

// Namespaces lists the lab's namespace names.
func Namespaces() []string {
	ns := []string{BridgeNS}
	for _, h := range Hosts {
		if h.NS != "" {
			ns = append(ns, h.NS)
		}
	}
	return ns
}

// CheckClean reports what the lab left behind: any network namespace named
// wr-*, any of pids still running (zombies waiting for init do not count),
// the state file, tmp, or /etc/netns/wr-* files.
func CheckClean(pids []int, tmp string) error {
	var errs []error
	out, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		errs = append(errs, fmt.Errorf("ip netns list: %v", err))
	}
	for _, l := range strings.Split(string(out), "\n") {
		if f := strings.Fields(l); len(f) > 0 && strings.HasPrefix(f[0], "wr-") {
			errs = append(errs, fmt.Errorf("namespace %s remains", f[0]))
		}
	}
	for _, p := range pids {
		if running(p) {
			errs = append(errs, fmt.Errorf("pid %d still running", p))
		}
	}
	if _, err := os.Stat(StateFile); err == nil {
		errs = append(errs, fmt.Errorf("%s remains", StateFile))
	}
	if tmp != "" {
		if _, err := os.Stat(tmp); err == nil {
			errs = append(errs, fmt.Errorf("temp folder %s remains", tmp))
		}
	}
	if m, _ := filepath.Glob("/etc/netns/wr-*"); len(m) > 0 {
		errs = append(errs, fmt.Errorf("%v remain", m))
	}
	return errors.Join(errs...)
}

func running(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

// ExecContext runs args inside network namespace ns (e.g. "wr-client")
// and returns its combined output.
func ExecContext(ctx context.Context, ns string, args ...string) ([]byte, error) {
	if len(args) == 0 {
		return nil, errors.New("lab.Exec: no command")
	}
	cmd := CommandContext(ctx, ns, args...)
	var b bytes.Buffer
	cmd.Stdout, cmd.Stderr = &b, &b
	err := cmd.Run()
	return b.Bytes(), err
}

// CommandContext returns an *exec.Cmd that runs args in namespace ns
// (so a test can set Stdout, Env, ... itself).
func CommandContext(ctx context.Context, ns string, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", ns}, args...)...)
}

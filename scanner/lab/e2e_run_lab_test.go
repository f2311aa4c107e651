//go:build lab

package lab

// The end-to-end run shared by scan_lab_test.go, raw_lab_test.go and
// nmap_compare_lab_test.go: the lab comes up once, the built winreach
// binary scans every lab address in ONE run from wr-client (plus one
// unprivileged run), nmap scans the same endpoints right after, and the
// tests read the results. Whichever of those tests runs first pays for
// the run (about a minute) and holds the lab until it ends; the others
// only read what it recorded.

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/winreach/winreach/scanner"
	"github.com/winreach/winreach/scanner/report"
)

// e2eClientAddr is wr-client's address: the sender of the ICMP
// host-unreachable the client's own stack makes up when ARP gets no answer.
const e2eClientAddr = "198.18.1.2"

// e2eHostNames are the lab hosts the run scans, in lab order.
var e2eHostNames = []string{"dc", "mail", "rdp", "vpn", "dhcp", "legacy", "drop", "reject", "reset", "closed", "absent"}

// e2eUnprivHost is the host of the unprivileged run: the VPN host has TCP
// 1723 and UDP 500 answering and needs GRE, ESP and AH, so it shows both
// what privilege changes and what it must not change.
const e2eUnprivHost = "vpn"

// e2eSelection is every catalog function plus CLDAP (udp/389), which the
// catalog lists under no function but the DC answers.
var e2eSelection = []string{"-g", "nt4,wlbs,exchange,terminal-server,win2000", "-p", "udp/389"}

// e2eScan is one winreach run.
type e2eScan struct {
	args    []string
	exit    int
	stderr  string
	elapsed time.Duration
	doc     report.Document
	hosts   map[string]scanner.HostResult // by lab host name
}

// e2eNmapPort is one port of nmap's XML output.
type e2eNmapPort struct {
	State, Reason, ReasonIP string
}

// e2eRun is everything the shared run recorded.
type e2eRun struct {
	err error
	bin string
	// legacyServed: winreach-labd (the project's ICA / X.400 / WLBS stand-in)
	// listens in wr-legacy. Until lab.sh starts it, those rows are pending.
	legacyServed bool
	main         e2eScan
	// unpriv is the run as uid 65534 without capabilities, against
	// e2eUnprivHost; unprivErr says why it has no result (a crash too).
	unpriv    e2eScan
	unprivErr error
	// nmap[scan][address] -> endpoint ("tcp/25", "udp/53", "ip/47") -> result;
	// an address missing from nmap[scan] is one nmap reported down.
	nmap        map[string]map[string]map[string]e2eNmapPort
	nmapErr     error
	nmapElapsed time.Duration
}

var (
	e2eOnce   sync.Once
	e2eShared *e2eRun
)

// e2eResults brings the lab up and runs winreach and nmap once per test
// process; later callers get the recorded results.
func e2eResults(t *testing.T) *e2eRun {
	t.Helper()
	RequireRoot(t)
	e2eOnce.Do(func() {
		Up(t)
		t.Cleanup(func() { Down(t) })
		e2eShared = runE2E(t)
	})
	if e2eShared == nil || e2eShared.err != nil {
		var err error = errors.New("the shared run did not happen")
		if e2eShared != nil {
			err = e2eShared.err
		}
		t.Fatalf("end-to-end run: %v", err)
	}
	return e2eShared
}

func runE2E(t *testing.T) *e2eRun {
	r := &e2eRun{}
	ctx, cancel := context.WithTimeout(t.Context(), 8*time.Minute)
	defer cancel()
	if r.bin, r.err = e2eBinary(ctx, t); r.err != nil {
		return r
	}
	if r.err = e2eWaitNetBIOSNames(ctx, t, r.bin); r.err != nil {
		return r
	}
	r.legacyServed = e2eListening(ctx, "wr-legacy", "t", 1494)
	if !r.legacyServed {
		t.Logf("PENDING: wr-legacy runs no winreach-labd (nothing listens on TCP 1494): " +
			"the ICA 1494 / X.400 102 / WLBS 2504 rows are checked as the closed ports they are today")
	}

	var targets []string
	for _, n := range e2eHostNames {
		h, _ := HostByName(n)
		targets = append(targets, h.IPv4)
	}
	args := append(append([]string{"scan", "--format", "json", "--no-progress"}, e2eSelection...), targets...)
	if r.main, r.err = e2eWinreach(ctx, nil, r.bin, args); r.err != nil {
		return r
	}
	t.Logf("winreach scan of %d hosts: %s, exit %d", len(targets), r.main.elapsed.Round(100*time.Millisecond), r.main.exit)

	// The unprivileged run: uid/gid nobody, no capabilities at all (the
	// bounding set too, and no_new_privs, so no file capability returns).
	h, _ := HostByName(e2eUnprivHost)
	var unprivBin string
	if unprivBin, r.unprivErr = e2eWorldReadableCopy(t, r.bin); r.unprivErr == nil {
		setpriv := []string{"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
			"--inh-caps=-all", "--bounding-set=-all", "--no-new-privs"}
		uargs := append(append([]string{"scan", "--format", "json", "--no-progress"}, e2eSelection...), h.IPv4)
		r.unpriv, r.unprivErr = e2eWinreach(ctx, setpriv, unprivBin, uargs)
		t.Logf("unprivileged winreach scan of %s: %s, exit %d", h.IPv4, r.unpriv.elapsed.Round(100*time.Millisecond), r.unpriv.exit)
	}

	// nmap right after, on the same endpoints, one scan type at a time
	// (never alongside winreach: both would draw on wr-closed's ICMP
	// rate limit).
	start := time.Now()
	r.nmap = map[string]map[string]map[string]e2eNmapPort{}
	for _, s := range []struct {
		scan  string
		proto string
		ports []int
	}{
		{"sT", "tcp", CatalogTCP},
		{"sU", "udp", CatalogUDP},
		{"sO", "ip", CatalogProto},
	} {
		if r.nmap[s.scan], r.nmapErr = e2eNmap(ctx, s.scan, s.proto, s.ports, targets); r.nmapErr != nil {
			return r
		}
	}
	r.nmapElapsed = time.Since(start)
	t.Logf("nmap -sT, -sU, -sO of %d hosts: %s", len(targets), r.nmapElapsed.Round(100*time.Millisecond))
	return r
}

// e2eWaitNetBIOSNames waits (at most a minute) until nmbd on the DC has
// registered its names. lab.sh up waits only for UDP 137 to be bound, and
// for the first seconds after that nmbd's node status lists nothing but
// __SAMBA__ (seen right after a fresh lab.sh up).
func e2eWaitNetBIOSNames(ctx context.Context, t *testing.T, bin string) error {
	dc, _ := HostByName("dc")
	start := time.Now()
	for {
		s, err := e2eWinreach(ctx, nil, bin, []string{"scan", "--format", "json", "--no-progress", "-p", "udp/137", dc.IPv4})
		if err != nil {
			return err
		}
		var got string
		for _, er := range s.hosts["dc"].Endpoints {
			if er.Service != nil {
				got = e2eStr(er.Service.Details, "workstation")
			}
		}
		if got == "DC1" {
			if waited := time.Since(start); waited > time.Second {
				t.Logf("nmbd registered DC1 %s after the first node status query", waited.Round(100*time.Millisecond))
			}
			return nil
		}
		if time.Since(start) > time.Minute {
			return fmt.Errorf("nmbd on %s still lists no DC1 after a minute", dc.IPv4)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// e2eWinreach runs prefix... bin args... in wr-client and decodes its JSON.
// Exit statuses 0 and 1 are results; anything else is an error.
func e2eWinreach(ctx context.Context, prefix []string, bin string, args []string) (e2eScan, error) {
	s := e2eScan{args: args}
	cmdline := append(append(append([]string{}, prefix...), bin), args...)
	cmd := CommandContext(ctx, ClientNS, cmdline...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	s.elapsed, s.stderr = time.Since(start), stderr.String()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee) && ee.ExitCode() > 0:
		s.exit = ee.ExitCode()
	default:
		return s, fmt.Errorf("%s: %v\nstderr: %s", strings.Join(cmdline, " "), err, s.stderr)
	}
	if s.exit != 0 && s.exit != 1 {
		hint := ""
		if s.exit == 130 {
			// lab.sh down (its teardown) TERMs every process in the wr-*
			// namespaces, the scanner too
			hint = " (SIGTERM/SIGINT: was the lab taken down during the scan?)"
		}
		return s, fmt.Errorf("%s: exit status %d%s, want 0 or 1\nstderr: %s", strings.Join(cmdline, " "), s.exit, hint, s.stderr)
	}
	if err := json.Unmarshal(stdout.Bytes(), &s.doc); err != nil {
		return s, fmt.Errorf("%s: decoding the JSON report: %v\n%.2000s", strings.Join(cmdline, " "), err, stdout.Bytes())
	}
	s.hosts = map[string]scanner.HostResult{}
	for _, h := range s.doc.Hosts {
		for _, lh := range Hosts {
			if lh.IPv4 == h.Address.String() {
				s.hosts[lh.Name] = h
			}
		}
	}
	return s, nil
}

// e2eBinary is bin/winreach when `make test-lab` built it after the last
// change to the sources, otherwise a fresh build in a temp dir.
func e2eBinary(ctx context.Context, t *testing.T) (string, error) {
	root, err := filepath.Abs(filepath.Join(Dir(), "..", ".."))
	if err != nil {
		return "", err
	}
	prebuilt := filepath.Join(root, "bin", "winreach")
	if fi, err := os.Stat(prebuilt); err == nil {
		newest, err := e2eNewestSource(root)
		if err != nil {
			return "", err
		}
		if fi.ModTime().After(newest) {
			t.Logf("using %s (built after the newest source change)", prebuilt)
			return prebuilt, nil
		}
		t.Logf("%s is older than the sources: building afresh", prebuilt)
	}
	bin := filepath.Join(t.TempDir(), "winreach")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/winreach")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/winreach: %v\n%s", err, out)
	}
	return bin, nil
}

// e2eNewestSource is the latest modification time of the module's
// non-test Go files, go.mod and go.sum.
func e2eNewestSource(root string) (time.Time, error) {
	var newest time.Time
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || name == "bin" || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if (strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go")) || name == "go.mod" || name == "go.sum" {
			fi, err := d.Info()
			if err != nil {
				return err
			}
			if fi.ModTime().After(newest) {
				newest = fi.ModTime()
			}
		}
		return nil
	})
	return newest, err
}

// e2eWorldReadableCopy copies bin where uid 65534 can run it (t.TempDir
// is mode 0700), in a directory removed when the test ends.
func e2eWorldReadableCopy(t *testing.T, bin string) (string, error) {
	b, err := os.ReadFile(bin)
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "winreach-e2e-")
	if err != nil {
		return "", err
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		return "", err
	}
	dst := filepath.Join(dir, "winreach")
	return dst, os.WriteFile(dst, b, 0o755)
}

// e2eListening reports whether something listens on port (proto "t" or
// "u") inside namespace ns.
func e2eListening(ctx context.Context, ns, proto string, port int) bool {
	out, err := ExecContext(ctx, ns, "ss", "-Hln"+proto, "sport = :"+strconv.Itoa(port))
	return err == nil && strings.TrimSpace(string(out)) != ""
}

// nmap's XML output (-oX), the parts the comparison reads.
type e2eNmapXML struct {
	Hosts []struct {
		Status struct {
			State string `xml:"state,attr"`
		} `xml:"status"`
		Addresses []struct {
			Addr string `xml:"addr,attr"`
			Type string `xml:"addrtype,attr"`
		} `xml:"address"`
		Ports []struct {
			Protocol string `xml:"protocol,attr"`
			PortID   int    `xml:"portid,attr"`
			State    struct {
				State    string `xml:"state,attr"`
				Reason   string `xml:"reason,attr"`
				ReasonIP string `xml:"reason_ip,attr"`
			} `xml:"state"`
		} `xml:"ports>port"`
		Extra []struct {
			State   string `xml:"state,attr"`
			Reasons []struct {
				Reason string `xml:"reason,attr"`
				Ports  string `xml:"ports,attr"`
			} `xml:"extrareasons"`
		} `xml:"ports>extraports"`
	} `xml:"host"`
}

// e2eNmap runs `nmap -n -Pn -<scan> --reason -oX - -p ports targets...` in
// wr-client and returns address -> endpoint -> result. Raw scans (-sU,
// -sO) resolve on-link targets with ARP first and leave out a host that
// does not answer; it is then missing from the map.
func e2eNmap(ctx context.Context, scan, proto string, ports []int, targets []string) (map[string]map[string]e2eNmapPort, error) {
	pl := make([]string, len(ports))
	for i, p := range ports {
		pl[i] = strconv.Itoa(p)
	}
	args := append([]string{"nmap", "-n", "-Pn", "-" + scan, "--reason", "-oX", "-", "-p", strings.Join(pl, ",")}, targets...)
	cmd := CommandContext(ctx, ClientNS, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	var run e2eNmapXML
	if err := xml.Unmarshal(stdout.Bytes(), &run); err != nil {
		return nil, fmt.Errorf("%s: parsing XML: %v", strings.Join(args, " "), err)
	}
	out := map[string]map[string]e2eNmapPort{}
	for _, h := range run.Hosts {
		if h.Status.State != "up" {
			continue
		}
		addr := ""
		for _, a := range h.Addresses {
			if a.Type == "ipv4" {
				addr = a.Addr
			}
		}
		m := map[string]e2eNmapPort{}
		for _, p := range h.Ports {
			m[proto+"/"+strconv.Itoa(p.PortID)] = e2eNmapPort{p.State.State, p.State.Reason, p.State.ReasonIP}
		}
		for _, e := range h.Extra {
			for _, rs := range e.Reasons {
				for _, p := range expandPorts(rs.Ports) {
					m[proto+"/"+strconv.Itoa(p)] = e2eNmapPort{State: e.State, Reason: rs.Reason}
				}
			}
		}
		out[addr] = m
	}
	return out, nil
}

// e2eDig walks decoded JSON (maps and slices) along keys; "" when absent.
func e2eDig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// e2eStr is e2eDig as a string ("" when absent or not a string).
func e2eStr(v any, keys ...string) string {
	s, _ := e2eDig(v, keys...).(string)
	return s
}

// e2eTable splits a whitespace table into rows of fields, without blank
// lines and '#' comments.
func e2eTable(text string) [][]string {
	var rows [][]string
	for _, l := range strings.Split(text, "\n") {
		if i := strings.IndexByte(l, '#'); i >= 0 {
			l = l[:i]
		}
		if f := strings.Fields(l); len(f) > 0 {
			rows = append(rows, f)
		}
	}
	return rows
}

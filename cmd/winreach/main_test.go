package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// winreachBin is the binary under test, built once by TestMain: these
// tests run what a user runs.
var winreachBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "winreach-test")
	if err != nil {
		panic(err)
	}
	winreachBin = filepath.Join(dir, "winreach")
	if out, err := exec.Command("go", "build", "-o", winreachBin, ".").CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		panic("build: " + err.Error() + "\n" + string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// binExit is the exit status in err from running the binary; any other
// error fails the test.
func binExit(t *testing.T, err error) int {
	t.Helper()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return 0
}

type runResult struct {
	stdout, stderr string
	code           int
}

func runBin(t *testing.T, stdin string, args ...string) runResult {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), winreachBin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr, cmd.Stdin = &out, &errb, strings.NewReader(stdin)
	code := binExit(t, cmd.Run())
	return runResult{out.String(), errb.String(), code}
}

func TestBadInputExitsTwoWithOneLine(t *testing.T) {
	dir := t.TempDir()
	badFile := filepath.Join(dir, "targets.txt")
	os.WriteFile(badFile, []byte("# lab hosts\n127.0.0.1\n\n127.0.0.2 127.0.0.3\n198.18.1.0/99\n"), 0o644)
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"scan"}, "no target"},
		{[]string{"scan", "300.1.1.1"}, `"300.1.1.1"`},
		{[]string{"scan", "198.18.1.0/33"}, `"198.18.1.0/33"`},
		{[]string{"scan", "198.18.1.9-3"}, `"198.18.1.9-3"`},
		{[]string{"scan", "--function", "logon-sequense", "127.0.0.1"}, "did you mean logon-sequence"},
		{[]string{"scan", "--group", "nosuchgroup", "127.0.0.1"}, `"nosuchgroup"`},
		{[]string{"scan", "--concurrency", "0", "127.0.0.1"}, "--concurrency"},
		{[]string{"scan", "--timeout", "-2s", "127.0.0.1"}, "--timeout"},
		{[]string{"scan", "-iL", filepath.Join(dir, "missing.txt")}, "missing.txt"},
		{[]string{"scan", "-iL", badFile}, "targets.txt:5"},
		{[]string{"scan", "127.0.0.1", "--exclude", "127.0.0.0/8"}, "every target"},
		{[]string{"scan", "-p", "sctp/5", "127.0.0.1"}, "sctp"},
		{[]string{"scan", "--format", "yaml", "127.0.0.1"}, "yaml"},
		{[]string{"scan", "--no-such-flag", "127.0.0.1"}, "no-such-flag"},
		{[]string{"scan", "fd77:7272::/32"}, "--allow-large"}, // refused before any packet; a lab prefix even if not
		{[]string{"frobnicate"}, "frobnicate"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := runBin(t, "", tc.args...)
			if r.code != exitUsage {
				t.Errorf("exit %d, want 2; stderr %q", r.code, r.stderr)
			}
			lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
			if len(lines) != 1 || !strings.Contains(r.stderr, tc.says) {
				t.Errorf("stderr %q: want one line naming %q", r.stderr, tc.says)
			}
			if strings.Contains(r.stderr, "goroutine") || strings.Contains(r.stderr, "panic") {
				t.Errorf("stack trace: %s", r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
		})
	}
}

// The README's first command: a real scan of localhost gives a verdict for
// all 47 functions.
func TestScanLocalhostJudgesEveryFunction(t *testing.T) {
	r := runBin(t, "", "scan", "--timeout", "500ms", "--format", "json", "127.0.0.1")
	if r.code != exitNotAll && r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var doc struct {
		Hosts []struct {
			Address   string `json:"address"`
			Status    string `json:"status"`
			Functions []struct {
				ID, Verdict string
			} `json:"functions"`
			Endpoints []struct {
				Endpoint, State, Reason string
			} `json:"endpoints"`
		} `json:"hosts"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Hosts) != 1 || len(doc.Hosts[0].Functions) != 47 || doc.Hosts[0].Status != "complete" {
		t.Fatalf("hosts %+v", doc.Hosts)
	}
	for _, f := range doc.Hosts[0].Functions {
		if f.Verdict == "" {
			t.Errorf("%s has no verdict", f.ID)
		}
	}
	if len(doc.Hosts[0].Endpoints) != 35 {
		t.Errorf("%d endpoint results, want 35", len(doc.Hosts[0].Endpoints))
	}
}

// acceptingPort is a loopback TCP port that accepts and closes every
// connection until the test ends.
func acceptingPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port
}

// A listener on loopback makes its function reachable and the exit code
// follows the verdicts.
func TestExitCodeFollowsVerdicts(t *testing.T) {
	port := acceptingPort(t)
	r := runBin(t, "", "scan", "-p", "tcp/"+strconv.Itoa(port), "127.0.0.1")
	if r.code != exitOK {
		t.Errorf("open port only: exit %d, want 0\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !regexp.MustCompile(`TCP ` + strconv.Itoa(port) + ` \(-p\) +open +- +open \(syn-ack\)`).MatchString(r.stdout) {
		t.Errorf("table lacks the open port:\n%s", r.stdout)
	}
	r = runBin(t, "", "scan", "-f", "smtp", "127.0.0.1")
	if r.code != exitNotAll || !strings.Contains(r.stdout, "not-listening") {
		t.Errorf("closed port: exit %d, want 1\n%s", r.code, r.stdout)
	}
}

// The JSON field names are an interface: scripts read them. This pins
// them; changing one is a breaking change to document in the README.
func TestJSONSchemaIsPinned(t *testing.T) {
	r := runBin(t, "", "scan", "--format", "json", "-f", "pptp,smtp,logon-sequence", "--timeout", "300ms", "127.0.0.1", "no-such-host.invalid")
	var doc map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	want := map[string][]string{
		"":           {"scanner", "version", "start_time", "end_time", "interrupted", "options", "targets", "hosts", "summary"},
		"options":    {"concurrency", "timeout_ms", "retries", "functions", "endpoints"},
		"host":       {"address", "status", "endpoints", "functions"},
		"unresolved": {"address", "name", "status", "error", "endpoints", "functions"},
		"endpoint":   {"endpoint", "transport", "port", "state", "reason", "rtt_ms", "attempts"},
		"function":   {"id", "name", "group", "endpoints", "verdict", "decided_by", "explanation"},
		"summary":    {"hosts", "unresolved", "probes", "verdicts", "all_reachable"},
	}
	check := func(name string, v any) {
		t.Helper()
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("%s is %T", name, v)
		}
		var got []string
		for k := range m {
			got = append(got, k)
		}
		sort.Strings(got)
		w := slices.Clone(want[name])
		sort.Strings(w)
		if !slices.Equal(got, w) {
			t.Errorf("%s keys %v, want %v", name, got, w)
		}
	}
	check("", doc)
	check("options", doc["options"])
	check("summary", doc["summary"])
	hosts := doc["hosts"].([]any)
	if len(hosts) != 2 {
		t.Fatalf("%d hosts", len(hosts))
	}
	check("unresolved", hosts[0]) // unresolved names sort first
	host := hosts[1].(map[string]any)
	check("host", host)
	var closedTCP map[string]any
	for _, e := range host["endpoints"].([]any) {
		if e.(map[string]any)["endpoint"] == "tcp/25" {
			closedTCP = e.(map[string]any)
		}
	}
	check("endpoint", closedTCP)
	check("function", host["functions"].([]any)[0])
}

func TestJSONLinesStream(t *testing.T) {
	r := runBin(t, "", "scan", "--format", "jsonl", "-f", "smtp,kerberos", "--timeout", "300ms", "127.0.0.1", "127.0.0.2")
	var types []string
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	for sc.Scan() {
		var rec struct{ Type string }
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		types = append(types, rec.Type)
	}
	count := map[string]int{}
	for _, ty := range types {
		count[ty]++
	}
	if types[0] != "start" || types[len(types)-1] != "end" || count["endpoint"] != 6 || count["host"] != 2 {
		t.Errorf("record types %v", types)
	}
}

func TestOutputFileIsWrittenWhole(t *testing.T) {
	path := filepath.Join(t.TempDir(), "scan.json")
	r := runBin(t, "", "scan", "--format", "json", "-o", path, "-f", "smtp", "127.0.0.1")
	if r.stdout != "" {
		t.Errorf("stdout %q with -o", r.stdout)
	}
	b, err := os.ReadFile(path)
	if err != nil || !json.Valid(b) {
		t.Fatalf("output file: %v %q", err, b)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("leftover files: %v", entries)
	}
}

func TestCatalogCommand(t *testing.T) {
	r := runBin(t, "", "catalog", "--format", "json")
	var c struct {
		Functions []struct{ ID string } `json:"functions"`
		Groups    []struct{ ID string } `json:"groups"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &c); err != nil || len(c.Functions) != 47 || len(c.Groups) != 5 {
		t.Fatalf("catalog json: %v, %d functions, %d groups", err, len(c.Functions), len(c.Groups))
	}
	r = runBin(t, "", "catalog")
	if !strings.Contains(r.stdout, "logon-sequence") || !strings.Contains(r.stdout, "any of: tcp/3389, tcp/1503") {
		t.Errorf("catalog table:\n%s", r.stdout)
	}
}

func TestHelpShowsExamplesAndExitCodes(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"scan", "--help"}} {
		r := runBin(t, "", args...)
		if r.code != 0 {
			t.Errorf("%v: exit %d", args, r.code)
		}
		for _, want := range []string{"log on", "expose", "migrat", "130"} {
			if !strings.Contains(strings.ToLower(r.stdout), want) {
				t.Errorf("%v help lacks %q", args, want)
			}
		}
	}
}

// SIGINT stops the scan, writes what is known with partial hosts marked,
// and exits 130.
func TestInterruptWritesPartialResultsAndExits130(t *testing.T) {
	// A UDP blackhole: every probe waits its whole timeout.
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	go func() {
		buf := make([]byte, 1500)
		for {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	port := pc.LocalAddr().(*net.UDPAddr).Port
	// --fixed-timeouts: the probe in flight must wait its whole 3s.
	cmd := exec.CommandContext(t.Context(), winreachBin, "scan", "--format", "json", "--timeout", "3s", "--fixed-timeouts", "--retries", "0", "--concurrency", "1",
		"-p", "udp/"+strconv.Itoa(port)+",tcp/1", "127.0.0.1", "127.0.0.2", "127.0.0.3")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGINT)
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted {
		t.Fatalf("exit %v, want 130; stderr %s", err, errb.String())
	}
	var doc struct {
		Interrupted bool `json:"interrupted"`
		Hosts       []struct {
			Status string `json:"status"`
		} `json:"hosts"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	partial := 0
	for _, h := range doc.Hosts {
		if h.Status == "partial" {
			partial++
		}
	}
	if !doc.Interrupted || partial == 0 {
		t.Errorf("document after interrupt: %+v", doc)
	}
}

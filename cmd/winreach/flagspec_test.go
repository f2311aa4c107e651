package main

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Every numeric flag is range-checked: exit 2 with one line naming it.
func TestNumericFlagsAreRangeChecked(t *testing.T) {
	for _, args := range [][]string{
		{"--rate", "NaN"}, {"--rate", "nan"}, {"--rate", "Inf"}, {"--rate", "-Inf"}, {"--rate", "1e400"},
		{"--rate", "1e-9"}, {"--rate", "-1"}, {"--rate", "0.01"}, {"--rate", "x"},
		{"--concurrency", "0"}, {"--concurrency", "-5"}, {"--concurrency", "1e9"}, {"--concurrency", "100001"},
		{"--timeout", "-1s"}, {"--timeout", "0"}, {"--timeout", "1ns"}, {"--timeout", "100h"}, {"--timeout", "2"},
		{"--retries", "-1"}, {"--retries", "11"}, {"--retries", "1000000"}, {"--retries", "99999999999999999999"},
		{"--max-per-host", "-1"}, {"--max-per-host", "1000000"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			r := runBin(t, "", append([]string{"scan"}, append(args, "127.0.0.1")...)...)
			lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
			if r.code != exitUsage || len(lines) != 1 || !strings.Contains(r.stderr, args[0][2:]) {
				t.Errorf("exit %d, stderr %q: want exit 2 and one line naming %s", r.code, r.stderr, args[0])
			}
		})
	}
	r := runBin(t, "", "listen", "--addr", "127.0.0.1", "--duration", "-1s")
	if r.code != exitUsage || !strings.Contains(r.stderr, "duration") {
		t.Errorf("listen --duration -1s: exit %d, %q", r.code, r.stderr)
	}
}

// A 100 KB argument anywhere a user's input is echoed gives an error line
// of a readable size.
func TestLongInputGivesShortError(t *testing.T) {
	long := strings.Repeat("x", 100_000)
	dir := t.TempDir()
	listFile := filepath.Join(dir, "targets.txt")
	os.WriteFile(listFile, []byte("127.0.0.1\n"+long+"\n"), 0o644)
	policyFile := filepath.Join(dir, "policy.txt")
	os.WriteFile(policyFile, []byte(long+" reachable\n"), 0o644)
	for name, args := range map[string][]string{
		"target":           {"scan", long},
		"target range":     {"scan", "198.18.1.1-" + long},
		"-p":               {"scan", "-p", long, "127.0.0.1"},
		"-p digits":        {"scan", "-p", strings.Repeat("9", 100_000), "127.0.0.1"},
		"-f":               {"scan", "-f", long, "127.0.0.1"},
		"--format":         {"scan", "--format", long, "127.0.0.1"},
		"--rate":           {"scan", "--rate", long, "127.0.0.1"},
		"--exclude":        {"scan", "--exclude", long, "127.0.0.1"},
		"--shard":          {"scan", "--shard", long, "127.0.0.1"},
		"unknown flag":     {"scan", "--" + long, "127.0.0.1"},
		"-iL line":         {"scan", "-iL", listFile},
		"-iL file name":    {"scan", "-iL", filepath.Join(dir, long[:200])},
		"policy line":      {"scan", "--expect", policyFile},
		"command":          {long},
		"listen --addr":    {"listen", "--addr", long},
		"logon target":     {"logon", long},
		"completion":       {"completion", long},
		"version --format": {"version", "--format", long},
	} {
		t.Run(name, func(t *testing.T) {
			r := runBin(t, "", args...)
			if r.code != exitUsage || len(r.stderr) >= 400 || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("exit %d, %d bytes of stderr: %.300q", r.code, len(r.stderr), r.stderr)
			}
		})
	}
}

// -p alone: the exit code follows the endpoints.
func TestPortsAloneExitCodeFollowsEndpoints(t *testing.T) {
	open := acceptingPort(t)
	closedLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := closedLn.Addr().(*net.TCPAddr).Port
	closedLn.Close()
	for _, tc := range []struct {
		p    string
		code int
	}{
		{fmt.Sprint(open), exitOK},
		{fmt.Sprintf("tcp/%d", open), exitOK},
		{fmt.Sprintf("T:%d", open), exitOK},
		{fmt.Sprint(closed), exitNotAll},
		{fmt.Sprintf("T:%d,%d", open, closed), exitNotAll},
		{fmt.Sprintf("%d-%d", min(open, closed), max(open, closed)), exitNotAll},
	} {
		if tc.code == exitNotAll && strings.Contains(tc.p, "-") && max(open, closed)-min(open, closed) > 200 {
			continue // the ports are far apart: a range would probe too many
		}
		r := runBin(t, "", "scan", "--timeout", "500ms", "--format", "json", "-p", tc.p, "127.0.0.1")
		if r.code != tc.code {
			t.Errorf("-p %s: exit %d, want %d; stderr %s", tc.p, r.code, tc.code, r.stderr)
		}
	}
	if r := runBin(t, "", "scan", "-p", "90-80", "127.0.0.1"); r.code != exitUsage || !strings.Contains(r.stderr, "backwards") {
		t.Errorf("-p 90-80: exit %d, %q", r.code, r.stderr)
	}
}

// The hand-written --help texts list exactly the flags the tables define.
func TestUsageTextsMatchFlagSpecs(t *testing.T) {
	flagLine := regexp.MustCompile(`^ {2,}(-{1,2}[A-Za-z][\w-]*)(?:, (-{1,2}[A-Za-z][\w-]*))?`)
	for name, tc := range map[string]struct {
		usage string
		specs []flagSpec
	}{
		"scan": {scanUsage, scanFlagSpecs}, "logon": {logonUsage, logonFlagSpecs}, "listen": {listenUsage, listenFlagSpecs},
		"diff": {diffUsage, diffFlagSpecs}, "merge": {mergeUsage, mergeFlagSpecs},
	} {
		want := flagWords(tc.specs)
		var got []string
		for _, line := range strings.Split(tc.usage, "\n") {
			if m := flagLine.FindStringSubmatch(line); m != nil {
				got = append(got, m[1])
				if m[2] != "" {
					got = append(got, m[2])
				}
			}
		}
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("%s --help does not list %s", name, w)
			}
		}
		for _, g := range got {
			if !slices.Contains(want, g) {
				t.Errorf("%s --help lists %s, which is not in its flag table", name, g)
			}
		}
	}
	// The ranges the help texts state are the ones the parser enforces.
	for _, c := range commands {
		for _, sp := range c.flags {
			if sp.min == 0 && sp.max == 0 || sp.max == math.MaxInt64 {
				continue
			}
			show := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
			if sp.kind == kindDuration {
				show = func(x float64) string { return strings.TrimSuffix(time.Duration(x).String(), "0s") } // 10m0s: 10m
			}
			want := show(sp.min) + " to " + show(sp.max)
			if !strings.Contains(sp.usage, want) {
				t.Errorf("%s %s: usage %q does not state its range %s", c.name, sp.names[0], sp.usage, want)
			}
			if c.name == "scan" && !strings.Contains(scanUsage, want) {
				t.Errorf("scan --help does not state the range of %s: %s", sp.names[0], want)
			}
		}
	}
	for _, s := range []string{catalogUsage, versionUsage} {
		if !strings.Contains(s, "--format") {
			t.Errorf("usage %q does not name --format", s)
		}
	}
}

// logon, diff and merge parse their flags in their own files: each flag
// of their tables is accepted.
func TestParsersAcceptTheirFlagSpecs(t *testing.T) {
	for _, c := range commands {
		for _, s := range c.flags {
			for _, n := range s.names {
				args := []string{c.name, flagName(n)}
				switch {
				case s.kind == kindBool:
				case len(s.values) > 0:
					args = append(args, s.values[0])
				case s.kind == kindInt || s.kind == kindFloat:
					args = append(args, "1")
				case s.kind == kindDuration:
					args = append(args, "1s")
				case s.complete == completeFunction || s.complete == completeGroup:
					args = append(args, "nt4")
				case s.complete == completeEndpoint:
					args = append(args, "tcp/1")
				default:
					args = append(args, "127.0.0.1")
				}
				args = append(args, "--no-such-flag-at-all")
				var out, errb bytes.Buffer
				ctx, cancel := context.WithCancel(t.Context())
				cancel() // nothing may run: the unknown flag stops every command
				run(ctx, args, strings.NewReader(""), &out, &errb)
				if !strings.Contains(errb.String(), "no-such-flag-at-all") {
					t.Errorf("%v: %q: want the unknown flag refused, the table's flag accepted", args, errb.String())
				}
			}
		}
	}
}

func TestCompletionBashLoadsAndCompletes(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("!!! SKIPPED: bash is not installed")
	}
	script := fmt.Sprintf(`source <(%q completion bash) || exit 1
complete -p winreach
comp() { COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMPREPLY=(); _winreach; echo "${COMPREPLY[*]}"; }
comp winreach sc
comp winreach scan --fo
comp winreach scan --format ""
comp winreach scan -f logon-seq
comp winreach scan -g nt4,exch
comp winreach logon --format ""
comp winreach completion p
comp winreach scan -p ""
`, winreachBin)
	out, err := exec.Command(bash, "-c", script).CombinedOutput()
	if err != nil {
		t.Fatalf("bash: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	want := []string{
		"complete -o default -F _winreach winreach",
		"scan",
		"--format",
		"table json jsonl csv markdown xml html",
		"logon-sequence",
		"nt4,exchange",
		"text json html",
		"powershell",
		"tcp/ udp/ ip/ T: U:",
	}
	if len(lines) != len(want) {
		t.Fatalf("bash completion output:\n%s", out)
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("line %d: %q, want %q", i, lines[i], want[i])
		}
	}
}

// zsh and fish check the syntax of their scripts where they are
// installed (they are not lab packages).
func TestCompletionZshFishSyntax(t *testing.T) {
	for _, sh := range []string{"zsh", "fish"} {
		t.Run(sh, func(t *testing.T) {
			path, err := exec.LookPath(sh)
			if err != nil {
				t.Skipf("!!! SKIPPED: %s is not installed, so its completion script's syntax is not checked (apt-get install %s)", sh, sh)
			}
			r := runBin(t, "", "completion", sh)
			f := filepath.Join(t.TempDir(), "winreach."+sh)
			os.WriteFile(f, []byte(r.stdout), 0o644)
			if out, err := exec.Command(path, "-n", f).CombinedOutput(); err != nil {
				t.Fatalf("%s -n: %v\n%s", sh, err, out)
			}
			// And it loads and completes.
			script, want := `source `+f+` && print -r -- ${_comps[winreach]}`, "_winreach"
			if sh == "fish" {
				script, want = `source `+f+`; complete -C"winreach scan --for"`, "--format\toutput format: table, json"
			}
			cmd := exec.Command(path, "-c", script)
			home := t.TempDir() // zsh's .zcompdump and fish's history land here, not in $HOME
			cmd.Dir = home
			cmd.Env = append(os.Environ(), "HOME="+home, "ZDOTDIR="+home, "XDG_CONFIG_HOME="+home, "XDG_DATA_HOME="+home, "XDG_CACHE_HOME="+home)
			if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), want) {
				t.Errorf("%s: %v %q, want %q", sh, err, out, want)
			}
		})
	}
}

// No PowerShell runs on this machine (Debian ships none): the script's
// structure is checked as text.
func TestCompletionPowerShellStructure(t *testing.T) {
	r := runBin(t, "", "completion", "powershell")
	s := r.stdout
	if r.code != 0 || !strings.Contains(s, "Register-ArgumentCompleter -Native -CommandName winreach") {
		t.Fatalf("exit %d: %s", r.code, s)
	}
	for _, c := range commands {
		if !strings.Contains(s, "'"+c.name+"' = ") {
			t.Errorf("no entry for %s", c.name)
		}
	}
	for _, want := range []string{"'scan --format' = @('table', 'json', 'jsonl', 'csv', 'markdown', 'xml', 'html')", "'logon-sequence'", "'-iL'", "CompletionResult]::new"} {
		if !strings.Contains(s, want) {
			t.Errorf("script lacks %s", want)
		}
	}
	for _, pair := range [][2]string{{"{", "}"}, {"(", ")"}} {
		if strings.Count(s, pair[0]) != strings.Count(s, pair[1]) {
			t.Errorf("unbalanced %s%s", pair[0], pair[1])
		}
	}
	if bad := strings.Count(s, "'") % 2; bad != 0 {
		t.Errorf("odd number of single quotes")
	}
}

func TestCompletionWordsNeedNoQuoting(t *testing.T) {
	all := commandNames()
	for _, c := range commands {
		all = append(all, flagWords(c.flags)...)
		for _, s := range c.flags {
			words, _ := completionValues(s)
			all = append(all, words...)
		}
	}
	for _, w := range all {
		if w == "" || strings.ContainsAny(w, " \t\n'\"\\$`;|&<>(){}*?[]") {
			t.Errorf("completion word %q would need quoting", w)
		}
	}
}

// The man page names every flag of every command and renders without
// warnings where groff is installed.
func TestManPage(t *testing.T) {
	r := runBin(t, "", "man")
	if r.code != 0 || !strings.HasPrefix(r.stdout, ".TH WINREACH 1") {
		t.Fatalf("exit %d: %.200s", r.code, r.stdout)
	}
	for _, c := range commands {
		for _, w := range flagWords(c.flags) {
			if !strings.Contains(r.stdout, `\fB`+strings.ReplaceAll(w, "-", `\-`)+`\fR`) {
				t.Errorf("man page lacks %s %s", c.name, w)
			}
		}
	}
	groff, err := exec.LookPath("groff")
	if err != nil {
		t.Skip("!!! groff is not installed: the man page is not rendered")
	}
	cmd := exec.Command(groff, "-man", "-Tutf8", "-ww", "-z")
	cmd.Stdin = strings.NewReader(r.stdout)
	if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("groff: %v\n%s", err, out)
	}
}

func TestReadBuildInfo(t *testing.T) {
	stamped := func() (*debug.BuildInfo, bool) {
		return &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.4.0"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
			{Key: "vcs.time", Value: "2026-12-06T18:00:00Z"},
			{Key: "vcs.modified", Value: "true"},
		}}, true
	}
	b := readBuildInfo("", "", stamped)
	if b.Version != "v1.4.0" || b.Commit != "0123456789abcdef0123456789abcdef01234567" || b.CommitTime == nil ||
		!b.CommitTime.Equal(time.Date(2026, 12, 6, 18, 0, 0, 0, time.UTC)) || b.Modified == nil || !*b.Modified || b.GoVersion != "go1.26.8" {
		t.Errorf("stamped: %+v", b)
	}
	if b := readBuildInfo("v2.0.0", "", stamped); b.Version != "v2.0.0" {
		t.Errorf("-X version: %+v", b)
	}
	devel := func() (*debug.BuildInfo, bool) { return &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, true }
	if b := readBuildInfo("", "abc", devel); b.Version != "devel" || b.Commit != "abc" || b.Modified != nil {
		t.Errorf("devel: %+v", b)
	}
	if b := readBuildInfo("", "", func() (*debug.BuildInfo, bool) { return nil, false }); b.Version != "devel" {
		t.Errorf("no build info: %+v", b)
	}
}

// A binary built in a clean clone names its commit; a release build's
// -ldflags version comes first.
func TestVersionNamesTheCommit(t *testing.T) {
	if testing.Short() {
		t.Skip("!!! SKIPPED in -short mode: builds winreach in a fresh clone")
	}
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("!!! SKIPPED: git is not installed, so no build can carry a commit")
	}
	head, err := exec.Command(git, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("!!! SKIPPED: not in a git checkout: %v", err)
	}
	// Go stamps the revision only where .git is a directory (not in a
	// git worktree), so build in a clone, as a user would.
	clone := filepath.Join(t.TempDir(), "winreach")
	if out, err := exec.Command(git, "clone", "-q", "--shared", "../..", clone).CombinedOutput(); err != nil {
		t.Fatalf("git clone: %v\n%s", err, out)
	}
	bin := filepath.Join(t.TempDir(), "winreach")
	build := exec.Command("go", "build", "-buildvcs=true", "-ldflags", "-X main.releaseVersion=v9.8.7", "-o", bin, "./cmd/winreach")
	build.Dir = clone
	build.Env = append(os.Environ(), "GOFLAGS=")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	if !strings.HasPrefix(s, "winreach v9.8.7\n") || !strings.Contains(s, "commit:      "+strings.TrimSpace(string(head))+"\n") ||
		!strings.Contains(s, "modified:    false\n") || !strings.Contains(s, "platform:    ") {
		t.Errorf("winreach version:\n%s\nwant v9.8.7 and commit %s, unmodified", s, head)
	}
}

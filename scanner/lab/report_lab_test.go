//go:build lab

package lab

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestReportPathsLab: one scan of the lab as JSON, three --shard JSON
// Lines runs merged, and one JSON Lines run rendered by winreach report
// give the same verdicts, deciding endpoints and explanations on every
// host (times aside): every path to the page assembles hosts in one place.
func TestReportPathsLab(t *testing.T) {
	Up(t)
	t.Cleanup(func() { Down(t) })
	bin := winreachBinary(t)
	dir := t.TempDir()
	var targets []string
	for _, h := range Hosts {
		if h.Name != "client" {
			targets = append(targets, h.IPv4)
		}
	}
	scan := func(out string, extra ...string) {
		t.Helper()
		// The closed host sends a burst of 6 ICMP errors, then one a
		// second: let it refill, or this run inherits the last one's
		// debt and reads silence where the host would say closed.
		time.Sleep(7 * time.Second)
		args := append(append([]string{"scan", "--no-progress", "-o", out}, extra...), targets...)
		code, _, stderr := runIn(t, ClientNS, bin, args...)
		if code != 0 && code != 1 {
			t.Fatalf("winreach %s: exit %d: %s", strings.Join(args, " "), code, stderr)
		}
	}
	local := func(args ...string) {
		t.Helper()
		out, err := exec.CommandContext(t.Context(), bin, args...).CombinedOutput()
		var ee *exec.ExitError
		if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1) {
			t.Fatalf("winreach %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	one := filepath.Join(dir, "one.json")
	scan(one, "--format", "json")
	var shards []string
	for _, k := range []string{"0/3", "1/3", "2/3"} {
		s := filepath.Join(dir, "shard"+k[:1]+".jsonl")
		scan(s, "--format", "jsonl", "--shard", k)
		shards = append(shards, s)
	}
	merged := filepath.Join(dir, "merged.json")
	local(append([]string{"merge", "--format", "json", "-o", merged}, shards...)...)
	lines := filepath.Join(dir, "one.jsonl")
	scan(lines, "--format", "jsonl")
	rendered := filepath.Join(dir, "rendered.json")
	local("report", "--format", "json", "-o", rendered, lines)

	want := labVerdicts(t, one)
	if len(want) < 300 {
		t.Fatalf("the JSON scan judged only %d functions", len(want))
	}
	for _, other := range []struct{ what, file string }{
		{"three shards merged", merged},
		{"JSON Lines rendered by winreach report", rendered},
	} {
		got := labVerdicts(t, other.file)
		differ := 0
		for k, w := range want {
			if g := got[k]; g != w {
				differ++
				t.Errorf("%s: %s\n got %s\nwant %s", other.what, k, g, w)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d functions judged, the JSON scan %d", other.what, len(got), len(want))
		}
		t.Logf("%s: %d of %d function verdicts and explanations differ from the JSON scan", other.what, differ, len(want))
	}
}

// timing removes what differs between runs of the same path: durations.
var timing = regexp.MustCompile(`[0-9.]+ ?(ms|µs|s)\b`)

// labVerdicts reads a JSON scan as "host function" -> "verdict, deciding
// endpoints: explanation".
func labVerdicts(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Hosts []struct {
			Address   string `json:"address"`
			Functions []struct {
				ID          string   `json:"id"`
				Verdict     string   `json:"verdict"`
				DecidedBy   []string `json:"decided_by"`
				Explanation string   `json:"explanation"`
			} `json:"functions"`
		} `json:"hosts"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	m := map[string]string{}
	for _, h := range doc.Hosts {
		for _, f := range h.Functions {
			m[h.Address+" "+f.ID] = f.Verdict + ", " + strings.Join(f.DecidedBy, " ") + ": " + timing.ReplaceAllString(f.Explanation, "T")
		}
	}
	return m
}

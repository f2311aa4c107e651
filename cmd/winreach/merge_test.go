package main

import (
	"bytes"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// scanDoc is the part of a JSON report the merge must reproduce.
type scanDoc struct {
	Hosts []struct {
		Address   string `json:"address"`
		Status    string `json:"status"`
		Endpoints []struct {
			Endpoint string `json:"endpoint"`
			State    string `json:"state"`
		} `json:"endpoints"`
		Functions []struct {
			ID          string   `json:"id"`
			Verdict     string   `json:"verdict"`
			DecidedBy   []string `json:"decided_by"`
			Explanation string   `json:"explanation"`
		} `json:"functions"`
	} `json:"hosts"`
}

// verdicts flattens a report to "host function verdict decided-by" and
// "host endpoint state" lines.
func (d scanDoc) verdicts() map[string]bool {
	m := map[string]bool{}
	for _, h := range d.Hosts {
		m[h.Address+" status "+h.Status] = true
		for _, e := range h.Endpoints {
			m[h.Address+" "+e.Endpoint+" "+e.State] = true
		}
		for _, f := range h.Functions {
			m[h.Address+" "+f.ID+" "+f.Verdict+" "+strings.Join(f.DecidedBy, ",")+" "+f.Explanation] = true
		}
	}
	return m
}

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(t.Context(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func readDoc(t *testing.T, path string) scanDoc {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var d scanDoc
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return d
}

func sameVerdicts(t *testing.T, what string, want, got scanDoc) {
	t.Helper()
	w, g := want.verdicts(), got.verdicts()
	if len(w) < 20 {
		t.Fatalf("the one-shot scan says too little: %v", w)
	}
	for k := range w {
		if !g[k] {
			t.Errorf("%s lacks %q", what, k)
		}
	}
	for k := range g {
		if !w[k] {
			t.Errorf("%s has %q, the one-shot scan does not", what, k)
		}
	}
}

// loopbackScan is a scan of four loopback hosts with one open port (a
// listener on 127.0.0.1) among closed TCP and UDP ports.
func loopbackScan(t *testing.T) []string {
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
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	return []string{"-f", "logon-sequence,file-sharing,browsing,kerberos,smb-direct-host", "-p", "tcp/" + port, "--no-progress", "127.0.0.1-4"}
}

// Three shards merged give the verdicts of one scan of the same targets.
func TestMergeOfShardsEqualsOneScan(t *testing.T) {
	dir := t.TempDir()
	scan := loopbackScan(t)
	one := filepath.Join(dir, "one.json")
	if code, _, stderr := runCLI(t, append([]string{"scan", "--format", "json", "-o", one}, scan...)...); code != exitNotAll {
		t.Fatalf("one-shot scan: exit %d: %s", code, stderr)
	}
	var shards []string
	for k := range 3 {
		out := filepath.Join(dir, "shard"+strconv.Itoa(k)+".jsonl")
		args := append([]string{"scan", "--shard", strconv.Itoa(k) + "/3", "--format", "jsonl", "-o", out}, scan...)
		if code, _, stderr := runCLI(t, args...); code != exitNotAll && code != exitOK {
			t.Fatalf("shard %d: exit %d: %s", k, code, stderr)
		}
		shards = append(shards, out)
	}
	merged := filepath.Join(dir, "merged.json")
	code, _, stderr := runCLI(t, append([]string{"merge", "--format", "json", "-o", merged}, shards...)...)
	if code != exitNotAll || stderr != "" {
		t.Fatalf("merge: exit %d, stderr %q", code, stderr)
	}
	sameVerdicts(t, "the merge", readDoc(t, one), readDoc(t, merged))

	// Without shard 1, hosts are partial and the merge says why.
	code, out, stderr := runCLI(t, "merge", "--format", "json", shards[0], shards[2])
	if code != exitNotAll || !strings.Contains(stderr, "shard 1/3 missing") {
		t.Errorf("two of three shards: exit %d, stderr %q", code, stderr)
	}
	var partial scanDoc
	if err := json.Unmarshal([]byte(out), &partial); err != nil {
		t.Fatal(err)
	}
	for _, h := range partial.Hosts {
		if h.Status != "partial" {
			t.Errorf("%s is %s without shard 1", h.Address, h.Status)
		}
	}
}

// Scans of different selections are not parts of one scan.
func TestMergeRefusesDifferentSelections(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b.jsonl")
	runCLI(t, "scan", "--no-progress", "--format", "jsonl", "-o", a, "-p", "tcp/1", "127.0.0.1")
	runCLI(t, "scan", "--no-progress", "--format", "jsonl", "-o", b, "-p", "tcp/2", "127.0.0.1")
	if code, _, stderr := runCLI(t, "merge", a, b); code != exitUsage || !strings.Contains(stderr, "not parts of one scan") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if code, _, _ := runCLI(t, "merge"); code != exitUsage {
		t.Errorf("no input: exit %d", code)
	}
	if code, _, _ := runCLI(t, "merge", filepath.Join(dir, "missing.jsonl")); code != exitUsage {
		t.Errorf("missing file: exit %d", code)
	}
}

// A scan cut off in the middle of its output and resumed from it ends
// with the verdicts of an uninterrupted scan.
func TestResumeFromACutOutputEqualsOneScan(t *testing.T) {
	dir := t.TempDir()
	scan := loopbackScan(t)
	full := filepath.Join(dir, "full.jsonl")
	if code, _, stderr := runCLI(t, append([]string{"scan", "--format", "jsonl", "-o", full}, scan...)...); code != exitNotAll {
		t.Fatalf("scan: exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(full)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(dir, "cut.jsonl")
	if err := os.WriteFile(cut, b[:len(b)*2/5], 0o644); err != nil { // mid-record
		t.Fatal(err)
	}
	resumed := filepath.Join(dir, "resumed.json")
	code, _, stderr := runCLI(t, append([]string{"scan", "--resume", cut, "--format", "json", "-o", resumed}, scan...)...)
	if code != exitNotAll {
		t.Fatalf("resume: exit %d: %s", code, stderr)
	}
	oneDoc := filepath.Join(dir, "one.json")
	if code, _, stderr := runCLI(t, "merge", "--format", "json", "-o", oneDoc, full); code != exitNotAll {
		t.Fatalf("merge of one: exit %d: %s", code, stderr)
	}
	sameVerdicts(t, "the resumed scan", readDoc(t, oneDoc), readDoc(t, resumed))

	// The cut output merged with its resumption is whole: not
	// interrupted, and its probe count is its endpoint records.
	merged := filepath.Join(dir, "merged.json")
	if code, _, stderr := runCLI(t, "merge", "--format", "json", "-o", merged, cut, resumed); code != exitNotAll {
		t.Fatalf("merge of cut and resumed: exit %d: %s", code, stderr)
	}
	sameVerdicts(t, "the merge of the cut scan and its resumption", readDoc(t, oneDoc), readDoc(t, merged))
	var whole struct {
		Interrupted bool `json:"interrupted"`
		Hosts       []struct {
			Endpoints []json.RawMessage `json:"endpoints"`
		} `json:"hosts"`
		Summary struct {
			Probes  int `json:"probes"`
			Partial int `json:"partial"`
		} `json:"summary"`
	}
	mb, _ := os.ReadFile(merged)
	if err := json.Unmarshal(mb, &whole); err != nil {
		t.Fatal(err)
	}
	records := 0
	for _, h := range whole.Hosts {
		records += len(h.Endpoints)
	}
	if whole.Interrupted || whole.Summary.Partial != 0 || whole.Summary.Probes != records || records == 0 {
		t.Errorf("merged: interrupted %v, %d partial, %d probes for %d records", whole.Interrupted, whole.Summary.Partial, whole.Summary.Probes, records)
	}
	if code, _, _ := runCLI(t, append([]string{"scan", "--resume", filepath.Join(dir, "nope.jsonl")}, scan...)...); code != exitUsage {
		t.Errorf("--resume of a missing file: exit %d", code)
	}
}

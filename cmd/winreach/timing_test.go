package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
)

// silentUDP is a loopback UDP port that reads and never answers.
func silentUDP(t *testing.T) int {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	return pc.LocalAddr().(*net.UDPAddr).Port
}

type timingDoc struct {
	Interrupted bool `json:"interrupted"`
	Hosts       []struct {
		Status    string `json:"status"`
		Endpoints []struct {
			Endpoint string `json:"endpoint"`
			State    string `json:"state"`
			Attempts int    `json:"attempts"`
			Note     string `json:"note"`
		} `json:"endpoints"`
	} `json:"hosts"`
}

// runTimedScan runs the binary under a generous deadline (the scan must end on
// its own well before it) and decodes its JSON document.
func runTimedScan(t *testing.T, signalAfter time.Duration, args ...string) (timingDoc, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, winreachBin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if signalAfter > 0 {
		time.Sleep(signalAfter)
		_ = cmd.Process.Signal(syscall.SIGINT)
	}
	err := cmd.Wait()
	if ctx.Err() != nil {
		t.Fatalf("the scan did not end within 2 minutes; stderr %s", errb.String())
	}
	code := binExit(t, err)
	var doc timingDoc
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("%v: %s (stderr %s)", err, out.String(), errb.String())
	}
	return doc, code
}

// Issue 14.4: a million retries of 100ms against a silent UDP port used
// to grow each wait by half without limit and never end. --retries is
// capped at probes.MaxRetries (a larger value exits 2; the probes cap it
// too), and no attempt waits over --timeout, so the scan ends (within
// (1+10) x 100ms) with the port open|filtered after exactly the capped
// number of attempts.
func TestHugeRetriesEndAtTheCap(t *testing.T) {
	port := silentUDP(t)
	if r := runBin(t, "", "scan", "--retries", "1000000", "-p", "udp/"+strconv.Itoa(port), "127.0.0.1"); r.code != 2 {
		t.Errorf("--retries 1000000: exit %d, want 2", r.code)
	}
	for _, mode := range [][]string{{"--fixed-timeouts"}, {}} {
		args := append([]string{"scan", "--format", "json", "--no-progress", "--timeout", "100ms", "--retries", strconv.Itoa(probes.MaxRetries),
			"-p", "udp/" + strconv.Itoa(port)}, mode...)
		doc, code := runTimedScan(t, 0, append(args, "127.0.0.1")...)
		if code != exitOK && code != 1 {
			t.Fatalf("%v: exit %d", mode, code)
		}
		if len(doc.Hosts) != 1 || len(doc.Hosts[0].Endpoints) != 1 {
			t.Fatalf("%v: document %+v", mode, doc)
		}
		ep := doc.Hosts[0].Endpoints[0]
		if ep.State != "open|filtered" {
			t.Errorf("%v: state %q, want open|filtered", mode, ep.State)
		}
		// Adaptive timing may skip a third attempt to a host that never
		// answered; fixed timeouts make every capped attempt.
		if len(mode) > 0 && ep.Attempts != probes.Attempts(1_000_000) {
			t.Errorf("%v: %d attempts, want the cap %d", mode, ep.Attempts, probes.Attempts(1_000_000))
		}
		if ep.Attempts > probes.Attempts(1_000_000) {
			t.Errorf("%v: %d attempts, over the cap", mode, ep.Attempts)
		}
	}
}

// SIGINT during a wait on a silent UDP port ends the scan: the probe in
// flight gets the grace of one --timeout, then its read is cut at once
// (not at its deadline), and the endpoint says the scan was interrupted.
// Before the fix the read ran on to its deadline, and each retry's wait
// had grown by half.
func TestInterruptCutsASilentUDPWait(t *testing.T) {
	port := silentUDP(t)
	doc, code := runTimedScan(t, 500*time.Millisecond, "scan", "--format", "json", "--no-progress", "--fixed-timeouts",
		"--timeout", "2s", "--retries", strconv.Itoa(probes.MaxRetries), "-p", "udp/"+strconv.Itoa(port), "127.0.0.1")
	if code != exitInterrupted || !doc.Interrupted {
		t.Fatalf("exit %d, interrupted %v, want 130", code, doc.Interrupted)
	}
	for _, h := range doc.Hosts {
		for _, ep := range h.Endpoints {
			if ep.State != "not-tested" || ep.Attempts > 2 {
				t.Errorf("endpoint after the interrupt: %+v, want not-tested within the grace's attempts", ep)
			}
		}
	}
}

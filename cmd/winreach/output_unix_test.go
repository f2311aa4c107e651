//go:build unix

package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// -o to a device or pipe writes into it: renaming a temporary file over it
// would replace the device (-o /dev/null as root replaced /dev/null).
func TestOutputToAFIFOWritesIntoIt(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "report.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	got := make(chan []byte, 1)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- nil
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		got <- b
	}()
	r := runBin(t, "", "scan", "--format", "json", "-o", fifo, "-f", "smtp", "127.0.0.1")
	if r.code != exitNotAll {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("the FIFO was replaced: %v %v", fi.Mode(), err)
	}
	select {
	case b := <-got:
		if !json.Valid(b) {
			t.Errorf("the FIFO got %q", b)
		}
	case <-time.After(30 * time.Second):
		t.Error("nothing was written into the FIFO")
	}
}

package probetest

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Hex decodes a hex string written for reading: spaces, tabs and newlines
// between the digits are ignored.
func Hex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatalf("probetest: bad hex: %v", err)
	}
	return b
}

// ReadHex reads a testdata capture: lines starting with '#' name the
// source of the bytes, the other lines are hex.
func ReadHex(t testing.TB, path string) []byte {
	t.Helper()
	f, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("probetest: %v", err)
	}
	var digits strings.Builder
	sc := bufio.NewScanner(bytes.NewReader(f))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		digits.WriteString(line)
		digits.WriteByte(' ')
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("probetest: %s: %v", path, err)
	}
	return Hex(t, digits.String())
}

// Captures reads every testdata/*.hex file, for seeding fuzz tests.
func Captures(t testing.TB, glob string) [][]byte {
	t.Helper()
	names, err := filepath.Glob(glob)
	if err != nil {
		t.Fatalf("probetest: %v", err)
	}
	var out [][]byte
	for _, n := range names {
		out = append(out, ReadHex(t, n))
	}
	return out
}

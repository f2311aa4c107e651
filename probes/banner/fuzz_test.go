package banner

import (
	"bytes"
	"testing"

	"github.com/winreach/winreach/probes/probetest"
)

// The greeting reader, fed in pieces, for each protocol's rules: it stops
// within maxGreetingBytes, and a greeting it calls complete holds a whole
// line.
func FuzzReadGreeting(f *testing.F) {
	for _, c := range probetest.Captures(f, "testdata/*.hex") {
		f.Add(append([]byte{1}, c...))
	}
	f.Add([]byte("\x03220-a\r\n220-b\r\n220 c\r\n"))
	f.Add([]byte("\x00* OK [CAPABILITY IMAP4rev1] ready\n"))
	rules := []struct{ plausible, last func([]byte) bool }{
		{smtpPlausible, smtpLast},
		{pop3Plausible, oneLine},
		{imapPlausible, oneLine},
		{nntpPlausible, oneLine},
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, p := range rules {
			raw, complete, _ := readGreeting(probetest.Chunked(b), p.plausible, p.last)
			if len(raw) > maxGreetingBytes {
				t.Fatalf("read %d bytes", len(raw))
			}
			if complete && !bytes.Contains(raw, []byte("\n")) {
				t.Fatalf("complete greeting %q holds no whole line", raw)
			}
		}
	})
}

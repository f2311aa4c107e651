package httpprobe

import (
	"testing"

	"github.com/winreach/winreach/probes/probetest"
)

// The head reader, fed in pieces, stops within maxHead bytes.
func FuzzReadHead(f *testing.F) {
	for _, c := range probetest.Captures(f, "testdata/*.hex") {
		f.Add(append([]byte{2}, c...))
	}
	f.Add([]byte("\x05HTTP/1.1 200 OK\r\nServer: x\r\n\r\nbody"))
	f.Add([]byte("\x00HTTP/1.0 404\n\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		head, _ := readHead(probetest.Chunked(b))
		if len(head) > maxHead {
			t.Fatalf("read %d bytes", len(head))
		}
		if r, err := ParseResponse(head); err == nil {
			_ = r.Summary()
		}
	})
}

package netbios

import (
	"bufio"
	"testing"

	"github.com/winreach/winreach/probes/probetest"
)

// The session reply reader, fed in pieces: a reply it accepts is exactly
// one whole packet, and it never keeps more than bufio's 64 bytes.
func FuzzReadSessionReply(f *testing.F) {
	f.Add(append([]byte{3}, probetest.ReadHex(f, "testdata/session_positive_samba_ad.hex")...))
	f.Add(append([]byte{0}, probetest.Hex(f, "85000000 8300000182")...))
	f.Add(append([]byte{15}, probetest.Hex(f, "84000006c61201140089")...))
	f.Fuzz(func(t *testing.T, b []byte) {
		br := bufio.NewReaderSize(probetest.Chunked(b), 64)
		for range 1 + maxKeepAlives {
			r, raw, err := readSessionReply(br)
			if len(raw) > 64 {
				t.Fatalf("kept %d bytes", len(raw))
			}
			if err != nil {
				return
			}
			if raw != nil || r.Type < typePositiveSession || r.Type > typeKeepAlive {
				t.Fatalf("accepted type %#x with raw %x", r.Type, raw)
			}
		}
	})
}

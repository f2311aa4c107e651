package kerberos

import (
	"testing"

	"github.com/winreach/winreach/probes/probetest"
)

// The TCP record reader, fed in pieces: a record it returns is as long as
// its mark says and within maxRecord.
func FuzzReadRecord(f *testing.F) {
	f.Add(append([]byte{4}, probetest.ReadHex(f, "testdata/samba417_error6_tcp.hex")...))
	f.Add(append([]byte{0}, probetest.ReadHex(f, "testdata/mit120_error6_tcp.hex")...))
	f.Add([]byte{7, 0x80, 0, 0, 1, 0x7e})
	f.Add([]byte{0, 0x7f, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		msg, unexpected, err := ReadRecord(probetest.Chunked(b))
		if err == nil && (len(msg) == 0 || len(msg) > maxRecord || len(b) < 5+len(msg)) {
			t.Fatalf("record of %d bytes from %d", len(msg), len(b))
		}
		if err != nil && len(unexpected) > 4+maxRecord {
			t.Fatalf("kept %d bytes", len(unexpected))
		}
		if err == nil {
			_, _ = ParseReply(msg)
		}
	})
}

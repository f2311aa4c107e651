package dns

import (
	"encoding/binary"
	"testing"

	"github.com/winreach/winreach/probes/probetest"
)

// The TCP message reader, fed in pieces: a message it returns holds a
// header and no more than its length prefix says.
func FuzzReadTCPMessage(f *testing.F) {
	f.Add(append([]byte{6}, probetest.ReadHex(f, "testdata/rootns_tcp_samba_ad.hex")...))
	f.Add([]byte{0, 0xff, 0xff, 0x12, 0x34, 0x81, 0x80, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		msg, first, err := ReadTCPMessage(probetest.Chunked(b))
		if len(first) > 64 {
			t.Fatalf("kept %d first bytes", len(first))
		}
		if err != nil {
			return
		}
		if len(msg) < headerLen || len(msg) > int(binary.BigEndian.Uint16(first)) {
			t.Fatalf("message of %d bytes, prefix %x", len(msg), first[:2])
		}
		_, _ = ParseReply(msg)
	})
}

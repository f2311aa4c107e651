package winsrepl

import (
	"encoding/binary"
	"testing"

	"github.com/winreach/winreach/probes/probetest"
)

// The packet reader, fed in pieces: a packet it returns is whole (its
// length field plus 4) and within maxPacket.
func FuzzReadPacket(f *testing.F) {
	f.Add(append([]byte{5}, probetest.ReadHex(f, "testdata/start_reply_samba_ad.hex")...))
	f.Add([]byte{0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		pkt, unexpected, err := ReadPacket(probetest.Chunked(b))
		if err == nil && (len(pkt) < headerLen || len(pkt) > 4+maxPacket || int(binary.BigEndian.Uint32(pkt)) != len(pkt)-4) {
			t.Fatalf("packet of %d bytes", len(pkt))
		}
		if len(unexpected) > 64 {
			t.Fatalf("kept %d bytes", len(unexpected))
		}
		if err == nil {
			_, _ = ParseReply(pkt)
		}
	})
}

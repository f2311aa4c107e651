package kerberos

import (
	"testing"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/probetest"
)

func FuzzParseReply(f *testing.F) {
	for _, name := range []string{
		"samba417_error6_udp.hex", "samba417_error6_wrongrealm_udp.hex", "samba417_error25_udp.hex",
		"samba417_nmap_udp.hex", "mit120_error6_udp.hex", "mit120_nmap_udp.hex",
	} {
		f.Add(probetest.ReadHex(f, "testdata/"+name))
	}
	f.Add(probetest.Hex(f, nmapProbe))
	a := ASRequest{}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseReply(b)
		if err == nil && r.MsgType != MsgKRBError && r.MsgType != MsgASRep {
			t.Fatalf("accepted message type %d", r.MsgType)
		}
		a.Parse(a.Request(probes.Target{}, 0), b)
	})
}

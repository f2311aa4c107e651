package ike

import (
	"net/netip"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/probetest"
)

// withSPI returns the captured reply with req's initiator SPI.
func withSPI(reply, req []byte) []byte {
	b := append([]byte(nil), reply...)
	copy(b, req[:8])
	return b
}

func TestInitiatorLoopback(t *testing.T) {
	nopc2 := probetest.ReadHex(t, "testdata/ikev2-no-proposal-chosen.hex")
	nopc1 := probetest.ReadHex(t, "testdata/ikev1-no-proposal-chosen.hex")
	for _, tc := range []struct {
		name    string
		respond func(req []byte) [][]byte
		state   probes.State
		reason  probes.Reason
		summary string
	}{
		{"charon", func(req []byte) [][]byte { return [][]byte{withSPI(nopc2, req)} }, probes.Confirmed, probes.ReasonReply, "IKEv2 NO_PROPOSAL_CHOSEN"},
		{"stray then answer", func(req []byte) [][]byte {
			stray := withSPI(nopc2, []byte("otherSPI"))
			return [][]byte{stray, withSPI(nopc2, req)}
		}, probes.Confirmed, probes.ReasonReply, "IKEv2 NO_PROPOSAL_CHOSEN"},
		{"v1 only", func(req []byte) [][]byte {
			if req[17] != Version1 {
				return nil
			}
			return [][]byte{withSPI(nopc1, req)}
		}, probes.Confirmed, probes.ReasonReply, "IKEv1 NO-PROPOSAL-CHOSEN"},
		{"echo", func(req []byte) [][]byte { return [][]byte{req} }, probes.Open, probes.ReasonUnexpectedReply, ""},
		{"garbage", func(req []byte) [][]byte { return [][]byte{[]byte("\x00\x01garbage")} }, probes.Open, probes.ReasonUnexpectedReply, ""},
		{"flood", func(req []byte) [][]byte {
			var out [][]byte
			for range 50 {
				out = append(out, withSPI(nopc2, []byte("otherSPI")))
			}
			return out
		}, probes.OpenFiltered, probes.ReasonNoResponse, ""},
		{"silent", func(req []byte) [][]byte { return nil }, probes.OpenFiltered, probes.ReasonNoResponse, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := probetest.ProbeUDP(t, Initiator{}, probetest.UDPServeEach(t, tc.respond), 300*time.Millisecond, 2)
			if r.State != tc.state || r.Reason != tc.reason {
				t.Fatalf("got %v (note %q), want %v %v", r, r.Note, tc.state, tc.reason)
			}
			if tc.summary != "" && r.Service.Summary != tc.summary {
				t.Fatalf("summary %q", r.Service.Summary)
			}
		})
	}
}

func TestInitiatorClosedPort(t *testing.T) {
	// Nothing listens there: the kernel answers ICMP port-unreachable.
	closed := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), probetest.FreeUDPPort(t))
	r := probetest.ProbeUDP(t, Initiator{}, closed, time.Second, 1)
	if r.State != probes.Closed && r.State != probes.OpenFiltered { // some OSes hide ICMP from UDP sockets
		t.Fatalf("got %v", r)
	}
}

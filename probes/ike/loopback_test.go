package ike

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"winreach/probes"
)

// serveUDP answers each datagram with respond(req); nil means silence.
func serveUDP(t *testing.T, respond func(req []byte) [][]byte) probes.Target {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 2048)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			for _, r := range respond(append([]byte(nil), buf[:n]...)) {
				pc.WriteTo(r, from)
			}
		}
	}()
	ap := netip.MustParseAddrPort(pc.LocalAddr().String())
	return probes.Target{Addr: ap.Addr(), Port: ap.Port()}
}

// withSPI returns the captured reply with req's initiator SPI.
func withSPI(reply, req []byte) []byte {
	b := append([]byte(nil), reply...)
	copy(b, req[:8])
	return b
}

func TestInitiatorLoopback(t *testing.T) {
	nopc2 := readHexFile(t, "ikev2-no-proposal-chosen.hex")
	nopc1 := readHexFile(t, "ikev1-no-proposal-chosen.hex")
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
			p := probes.UDP{Dialer: &net.Dialer{}, Timeout: 300 * time.Millisecond, Retries: 2, Exchange: Initiator{}}
			r := p.Probe(t.Context(), serveUDP(t, tc.respond))
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
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ap := netip.MustParseAddrPort(pc.LocalAddr().String())
	pc.Close() // nothing listens now: the kernel answers ICMP port-unreachable
	p := probes.UDP{Dialer: &net.Dialer{}, Timeout: time.Second, Retries: 1, Exchange: Initiator{}}
	r := p.Probe(t.Context(), probes.Target{Addr: ap.Addr(), Port: ap.Port()})
	if r.State != probes.Closed && r.State != probes.OpenFiltered { // some OSes hide ICMP from UDP sockets
		t.Fatalf("got %v", r)
	}
}

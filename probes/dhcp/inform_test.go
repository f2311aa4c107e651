package dhcp

import (
	"context"
	"encoding/binary"
	"net"
	"net/netip"
	"syscall"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/probetest"
)

var loopback = netip.MustParseAddr("127.0.0.1")

// fakeServer reads INFORMs on a loopback "port 67" and lets respond
// answer: it gets the request and the socket to answer from (the server
// socket itself, or another one, as a multi-homed server would).
func fakeServer(t *testing.T, respond func(req []byte, srv, other net.PacketConn, client net.Addr)) probes.Target {
	t.Helper()
	srv, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	other, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close(); other.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := srv.ReadFrom(buf)
			if err != nil {
				return
			}
			respond(append([]byte(nil), buf[:n]...), srv, other, from)
		}
	}()
	return probetest.Target(netip.MustParseAddrPort(srv.LocalAddr().String()))
}

// ackFor is dnsmasq's captured ACK with the request's xid.
func ackFor(t *testing.T, req []byte) []byte {
	ack := probetest.ReadHex(t, "testdata/ack-dnsmasq.hex")
	copy(ack[4:8], req[4:8])
	return ack
}

func TestInformLoopback(t *testing.T) {
	for _, tc := range []struct {
		name    string
		respond func(req []byte, srv, other net.PacketConn, client net.Addr)
		state   probes.State
		reason  probes.Reason
	}{
		{"ack", func(req []byte, srv, _ net.PacketConn, c net.Addr) { srv.WriteTo(ackFor(t, req), c) }, probes.Confirmed, probes.ReasonReply},
		{"ack from another address", func(req []byte, _, other net.PacketConn, c net.Addr) { other.WriteTo(ackFor(t, req), c) }, probes.Confirmed, probes.ReasonReply},
		{"stale xid then ack", func(req []byte, srv, _ net.PacketConn, c net.Addr) {
			stale := ackFor(t, req)
			binary.BigEndian.PutUint32(stale[4:8], ^binary.BigEndian.Uint32(req[4:8]))
			srv.WriteTo(stale, c)
			srv.WriteTo(ackFor(t, req), c)
		}, probes.Confirmed, probes.ReasonReply},
		{"garbage from 67", func(req []byte, srv, _ net.PacketConn, c net.Addr) { srv.WriteTo([]byte("garbage"), c) }, probes.Open, probes.ReasonUnexpectedReply},
		{"garbage from elsewhere", func(req []byte, _, other net.PacketConn, c net.Addr) { other.WriteTo([]byte("garbage"), c) }, probes.OpenFiltered, probes.ReasonNoResponse},
		{"other xid only", func(req []byte, srv, _ net.PacketConn, c net.Addr) {
			a := ackFor(t, req)
			a[4] ^= 0xff
			srv.WriteTo(a, c)
		}, probes.OpenFiltered, probes.ReasonNoResponse},
		{"flood", func(req []byte, srv, _ net.PacketConn, c net.Addr) {
			a := ackFor(t, req)
			a[4] ^= 0xff
			for range 200 {
				srv.WriteTo(a, c)
			}
		}, probes.OpenFiltered, probes.ReasonNoResponse},
		{"silent", func([]byte, net.PacketConn, net.PacketConn, net.Addr) {}, probes.OpenFiltered, probes.ReasonNoResponse},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := Inform{
				LocalAddr:  func(context.Context, netip.Addr) (netip.Addr, error) { return loopback, nil },
				ClientPort: probetest.FreeUDPPort(t),
				Timeout:    300 * time.Millisecond,
				Retries:    1,
			}
			r := p.Probe(t.Context(), fakeServer(t, tc.respond))
			if r.State != tc.state || r.Reason != tc.reason {
				t.Fatalf("got %v (note %q), want %v %v", r, r.Note, tc.state, tc.reason)
			}
		})
	}
}

func TestInformClosedPort(t *testing.T) {
	p := Inform{ClientPort: probetest.FreeUDPPort(t), Timeout: time.Second, Retries: 1}
	r := p.Probe(t.Context(), probes.Target{Addr: loopback, Port: probetest.FreeUDPPort(t)})
	if r.State != probes.Closed && r.State != probes.OpenFiltered { // ICMP is hidden from UDP sockets on some OSes
		t.Fatalf("got %v %q", r, r.Note)
	}
}

func TestInformNeedsPrivilege(t *testing.T) {
	p := Inform{
		LocalAddr: func(context.Context, netip.Addr) (netip.Addr, error) { return loopback, nil },
		Listen: func(context.Context, netip.AddrPort, netip.AddrPort) (*net.UDPConn, error) {
			return nil, &net.OpError{Op: "listen", Net: "udp4", Err: syscall.EACCES}
		},
		Timeout: time.Second,
	}
	r := p.Probe(t.Context(), probes.Target{Addr: loopback, Port: 67})
	if r.State != probes.NotTested || r.Reason != probes.ReasonNeedsPrivilege || r.Note != NeedsPrivilegeNote {
		t.Fatalf("got %v %q", r, r.Note)
	}
	if r := p.Probe(t.Context(), probes.Target{Addr: netip.MustParseAddr("::1"), Port: 67}); r.State != probes.NotTested {
		t.Fatalf("IPv6: %v", r)
	}
}

package icmperr

import (
	"encoding/binary"
	"net"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/probetest"
)

// TestParseControl parses one whole control message as recvmsg returns it:
// a cmsghdr (level SOL_IP, type IP_RECVERR) around a sock_extended_err.
func TestParseControl(t *testing.T) {
	if unix.SizeofPtr != 8 || !littleEndian() {
		t.Skip("the fixture is laid out for 64-bit little-endian Linux")
	}
	data := probetest.Hex(t, extErrAdminProhibited4)
	// struct cmsghdr on 64-bit Linux: size_t cmsg_len (16 + 32 bytes of
	// data), int cmsg_level (0 SOL_IP), int cmsg_type (11 IP_RECVERR).
	oob := probetest.Hex(t, "3000000000000000 00000000 0b000000")
	oob = append(oob, data...)
	if len(oob) != unix.CmsgSpace(len(data)) {
		t.Fatalf("fixture is %d bytes, want %d", len(oob), unix.CmsgSpace(len(data)))
	}
	e := parseControl(oob)
	if e == nil || e.Type != 3 || e.Code != 13 || e.From != netip.MustParseAddr("198.18.201.4") {
		t.Fatalf("parseControl = %+v", e)
	}
}

func littleEndian() bool { return binary.NativeEndian.Uint16([]byte{1, 0}) == 1 }

func listenTCP(t *testing.T) (net.Listener, uint16) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln, uint16(ln.Addr().(*net.TCPAddr).Port)
}

func listenTCP6(t *testing.T) (net.Listener, uint16, bool) {
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		return nil, 0, false
	}
	return ln, uint16(ln.Addr().(*net.TCPAddr).Port), true
}

// TestUDPPortUnreachableLoopback: a UDP probe to a closed loopback port
// draws ICMP 3/3 from 127.0.0.1, which the error queue names.
func TestUDPPortUnreachableLoopback(t *testing.T) {
	port := probetest.FreeUDPPort(t)
	p := probes.UDP{Dialer: &Dialer{}, Timeout: 2 * time.Second, Retries: 1}
	r := p.Probe(t.Context(), probes.Target{Addr: netip.MustParseAddr("127.0.0.1"), Port: port})
	if r.State != probes.Closed || r.Reason != probes.ReasonPortUnreachable {
		t.Fatalf("got %v", r)
	}
	if r.ICMP == nil || r.ICMP.Type != 3 || r.ICMP.Code != 3 || r.ICMP.From != netip.MustParseAddr("127.0.0.1") {
		t.Errorf("ICMP %+v, want 3/3 from 127.0.0.1", r.ICMP)
	}
}

// TestTCPLoopback: the Dialer's own sockets connect, and a closed port is
// a RST (no ICMP), as with net.Dialer.
func TestTCPLoopback(t *testing.T) {
	ln, port := listenTCP(t)
	defer ln.Close()
	p := probes.TCP{Dialer: &Dialer{}, Timeout: 2 * time.Second}
	lo := netip.MustParseAddr("127.0.0.1")
	if r := p.Probe(t.Context(), probes.Target{Addr: lo, Port: port}); r.State != probes.Open {
		t.Errorf("listening port: %v", r)
	}
	ln.Close()
	if r := p.Probe(t.Context(), probes.Target{Addr: lo, Port: port}); r.State != probes.Closed || r.Reason != probes.ReasonReset || r.ICMP != nil {
		t.Errorf("closed port: %v %+v", r, r.ICMP)
	}
	// IPv6 loopback, when the host has it.
	if ln6, port6, ok := listenTCP6(t); ok {
		defer ln6.Close()
		if r := p.Probe(t.Context(), probes.Target{Addr: netip.IPv6Loopback(), Port: port6}); r.State != probes.Open {
			t.Errorf("::1: %v", r)
		}
	}
}

// FuzzParseControl: the control data of recvmsg(MSG_ERRQUEUE), whatever
// it holds, parses without a panic, and an error it finds is an ICMP one.
func FuzzParseControl(f *testing.F) {
	data := probetest.Hex(f, extErrAdminProhibited4)
	oob := probetest.Hex(f, "3000000000000000 00000000 0b000000")
	f.Add(append(oob, data...))
	f.Add(probetest.Hex(f, "1000000000000000 00000000 0b000000"))
	f.Add(probetest.Hex(f, "ffffffffffffffff 29000000 19000000 00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if e := parseControl(b); e != nil && e.Origin != OriginICMP && e.Origin != OriginICMP6 {
			t.Fatalf("origin %d", e.Origin)
		}
	})
}

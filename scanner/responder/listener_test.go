package responder

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"net"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes/rawip"
	"github.com/winreach/winreach/probes/token"
)

var loopback = netip.MustParseAddr("127.0.0.1")

// dnsQuery is a 24-byte datagram that is not a token (a DNS query header
// and question), the size of one.
var dnsQuery, _ = hex.DecodeString("123401000001000000000000000002000100000000000000")

// freePort returns a port that was free a moment ago on loopback.
func freePort(t *testing.T, network string) uint16 {
	t.Helper()
	if network == "tcp" {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		return uint16(ln.Addr().(*net.TCPAddr).Port)
	}
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return uint16(c.LocalAddr().(*net.UDPAddr).Port)
}

func listen(t *testing.T, cfg Config) *Listener {
	t.Helper()
	if cfg.Addrs == nil {
		cfg.Addrs = []netip.Addr{loopback}
	}
	l, err := Listen(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// waitArrived polls until the binding of e counted n arrivals.
func waitArrived(t *testing.T, l *Listener, e catalog.Endpoint, n int) Binding {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		for _, b := range l.Bindings() {
			if b.Endpoint == e && (b.Arrived >= n || time.Now().After(deadline)) {
				if b.Arrived < n {
					t.Fatalf("%v: %d arrivals, want %d", e, b.Arrived, n)
				}
				return b
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestListenRefusesNoAddress(t *testing.T) {
	for _, addrs := range [][]netip.Addr{nil, {netip.IPv4Unspecified()}, {netip.IPv6Unspecified()}, {netip.MustParseAddr("224.0.0.1")}} {
		if _, err := Listen(t.Context(), Config{Addrs: addrs}); err == nil {
			t.Errorf("%v accepted", addrs)
		}
	}
}

func TestTCPAcceptAndClose(t *testing.T) {
	e := catalog.Endpoint{Transport: catalog.TCP, Port: freePort(t, "tcp")}
	l := listen(t, Config{Endpoints: []catalog.Endpoint{e}})
	for range 3 {
		c, err := net.Dial("tcp", netip.AddrPortFrom(loopback, e.Port).String())
		if err != nil {
			t.Fatal(err)
		}
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		// The listener closes at once: the read sees EOF, not a timeout.
		if _, err := c.Read(make([]byte, 1)); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("read after accept: %v", err)
		}
		c.Close()
	}
	b := waitArrived(t, l, e, 3)
	if b.Status != StatusListening || len(b.Sources) != 1 || b.Sources[0] != (Source{loopback, 3}) {
		t.Errorf("binding %+v", b)
	}
}

func TestUDPAnswersOnlyTokens(t *testing.T) {
	e := catalog.Endpoint{Transport: catalog.UDP, Port: freePort(t, "udp")}
	l := listen(t, Config{Endpoints: []catalog.Endpoint{e}})
	c, err := net.Dial("udp", netip.AddrPortFrom(loopback, e.Port).String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Not tokens: garbage, a reply token, a padded request, a DNS query.
	req := token.AppendUDPRequest(nil, token.NewNonce())
	for _, p := range [][]byte{
		[]byte("hello"),
		token.AppendReply(nil, req),
		append(bytes.Clone(req), make([]byte, 1000)...),
		dnsQuery,
	} {
		c.Write(p)
	}
	if b := waitArrived(t, l, e, 4); b.Ignored != 4 || b.Answered != 0 {
		t.Fatalf("after 4 non-tokens: %+v", b)
	}
	// A request token gets its reply, the same size.
	c.Write(req)
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 2048)
	n, err := c.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf[:n], token.AppendReply(nil, req)) {
		t.Errorf("reply %x", buf[:n])
	}
	if b := waitArrived(t, l, e, 5); b.Answered != 1 || b.Ignored != 4 {
		t.Errorf("binding %+v", b)
	}
}

func TestUDPRateLimit(t *testing.T) {
	e := catalog.Endpoint{Transport: catalog.UDP, Port: freePort(t, "udp")}
	frozen := time.Unix(1e9, 0)
	l := listen(t, Config{Endpoints: []catalog.Endpoint{e}, Now: func() time.Time { return frozen }})
	c, err := net.Dial("udp", netip.AddrPortFrom(loopback, e.Port).String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const sent = 100
	for range sent {
		c.Write(token.AppendUDPRequest(nil, token.NewNonce()))
		time.Sleep(time.Millisecond) // keep the receive buffer from overflowing
	}
	// The clock never moves: exactly the burst is answered.
	b := waitArrived(t, l, e, sent)
	if b.Answered != perSourceBurst || b.Limited != sent-perSourceBurst {
		t.Errorf("answered %d, limited %d, want %d and %d", b.Answered, b.Limited, perSourceBurst, sent-perSourceBurst)
	}
}

func TestInUseNotStolen(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	tcp := catalog.Endpoint{Transport: catalog.TCP, Port: uint16(ln.Addr().(*net.TCPAddr).Port)}
	udp := catalog.Endpoint{Transport: catalog.UDP, Port: uint16(pc.LocalAddr().(*net.UDPAddr).Port)}
	l := listen(t, Config{Endpoints: []catalog.Endpoint{tcp, udp}})
	for _, b := range l.Bindings() {
		if b.Status != StatusInUse || b.Note != "in use by another program: not stolen" {
			t.Errorf("%v: %s %q", b.Endpoint, b.Status, b.Note)
		}
	}
	// The owner still gets its connections.
	go func() {
		if c, err := ln.Accept(); err == nil {
			c.Close()
		}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
}

func TestUnprivilegedRawIsDenied(t *testing.T) {
	e := catalog.Endpoint{Transport: catalog.IP, Port: rawip.ProtoGRE}
	l := listen(t, Config{Endpoints: []catalog.Endpoint{e}, Raw: false})
	if b := l.Bindings()[0]; b.Status != StatusDenied {
		t.Errorf("%+v", b)
	}
}

// TestRawGRE runs with CAP_NET_RAW: a GRE probe carrying a token gets a
// GRE reply carrying the echoed token; a GRE packet without one gets
// nothing.
func TestRawGRE(t *testing.T) {
	if err := rawip.CheckPrivilege(t.Context()); err != nil {
		t.Skipf("raw sockets: %v", err)
	}
	e := catalog.Endpoint{Transport: catalog.IP, Port: rawip.ProtoGRE}
	l := listen(t, Config{Endpoints: []catalog.Endpoint{e}, Raw: true})
	if b := l.Bindings()[0]; b.Status != StatusListening {
		t.Fatalf("%+v", b)
	}
	var lc net.ListenConfig
	c, err := lc.ListenPacket(t.Context(), "ip4:47", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	dst := &net.IPAddr{IP: loopback.AsSlice()}
	c.WriteTo(rawip.AppendGRE(nil, 9, 9), dst) // no token
	n := token.NewNonce()
	req := token.AppendIPRequest(nil, rawip.ProtoGRE, loopback, loopback, 0x7777, n)
	c.WriteTo(req, dst)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	buf := make([]byte, 2048)
	for ctx.Err() == nil {
		c.SetReadDeadline(time.Now().Add(time.Second))
		k, _, err := c.ReadFrom(buf)
		if err != nil {
			continue
		}
		// On loopback the socket also sees both probes it sent.
		if got, err := token.ParseIPReply(rawip.ProtoGRE, buf[:k]); err == nil {
			if got != n || k != len(req) {
				t.Errorf("reply %x", buf[:k])
			}
			break
		}
	}
	if ctx.Err() != nil {
		t.Fatal("no GRE reply")
	}
	// The listener saw: the untokened packet, the request, and its own
	// reply looped back (ignored: it is a reply).
	b := waitArrived(t, l, e, 3)
	if b.Answered != 1 || b.Ignored != 2 {
		t.Errorf("%+v", b)
	}
}

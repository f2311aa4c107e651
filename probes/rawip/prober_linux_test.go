package rawip

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"

	"github.com/winreach/winreach/probes"
)

var loopback = netip.MustParseAddr("127.0.0.1")

// fakeRaw stands in for an "ip4:<proto>" socket: writes go to onWrite,
// reads come from the reads channel.
type fakeRaw struct {
	onWrite   func(n int, pkt []byte)
	reads     chan []byte
	closeOnce sync.Once
	closed    chan struct{}
	mu        sync.Mutex
	writes    int
}

func newFakeRaw(onWrite func(n int, pkt []byte)) *fakeRaw {
	return &fakeRaw{onWrite: onWrite, reads: make(chan []byte, 4), closed: make(chan struct{})}
}

func (f *fakeRaw) ReadFrom(b []byte) (int, net.Addr, error) {
	select {
	case p := <-f.reads:
		return copy(b, p), &net.IPAddr{IP: loopback.AsSlice()}, nil
	case <-f.closed:
		return 0, nil, net.ErrClosed
	}
}

func (f *fakeRaw) WriteTo(b []byte, _ net.Addr) (int, error) {
	f.mu.Lock()
	f.writes++
	n := f.writes
	f.mu.Unlock()
	if f.onWrite != nil {
		f.onWrite(n, append([]byte(nil), b...))
	}
	return len(b), nil
}

func (f *fakeRaw) Close() error                     { f.closeOnce.Do(func() { close(f.closed) }); return nil }
func (f *fakeRaw) LocalAddr() net.Addr              { return &net.IPAddr{IP: loopback.AsSlice()} }
func (f *fakeRaw) SetDeadline(time.Time) error      { return nil }
func (f *fakeRaw) SetReadDeadline(time.Time) error  { return nil }
func (f *fakeRaw) SetWriteDeadline(time.Time) error { return nil }

type listenFunc func(ctx context.Context, network, address string) (net.PacketConn, error)

func (f listenFunc) ListenPacket(ctx context.Context, network, address string) (net.PacketConn, error) {
	return f(ctx, network, address)
}

// icmpLab is a Listener on a loopback UDP socket, and a sender of ICMP
// messages to it: the Listener only needs messages that start at the
// ICMP header, which any packet socket can deliver.
type icmpLab struct {
	l    *Listener
	send func(msg []byte)
}

func newICMPLab(t *testing.T) icmpLab {
	t.Helper()
	rx, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tx, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := NewListener(rx, false)
	t.Cleanup(func() { l.Close(); tx.Close() })
	return icmpLab{l: l, send: func(msg []byte) { _, _ = tx.WriteTo(msg, rx.LocalAddr()) }}
}

// unreachable builds an ICMP destination-unreachable (RFC 792) quoting
// an IPv4 header (protocol proto, 127.0.0.1 to 127.0.0.1) and pkt.
func unreachable(t *testing.T, code, proto int, pkt []byte) []byte {
	h := ipv4.Header{Version: 4, Len: 20, TotalLen: 20 + len(pkt), TTL: 64, Protocol: proto,
		Src: loopback.AsSlice(), Dst: loopback.AsSlice()}
	hb, err := h.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	m := icmp.Message{Type: ipv4.ICMPTypeDestinationUnreachable, Code: code,
		Body: &icmp.DstUnreach{Data: append(hb, pkt...)}}
	b, err := m.Marshal(nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func testProber(lab icmpLab, raw *fakeRaw) Prober {
	return Prober{
		Listen:  listenFunc(func(context.Context, string, string) (net.PacketConn, error) { return raw, nil }),
		ICMP4:   lab.l,
		Timeout: 200 * time.Millisecond,
		Retries: 1,
		Source:  func(netip.Addr) (netip.Addr, error) { return loopback, nil },
		// The fakes stand for a remote target's sockets, on loopback.
		Local: func(netip.Addr, netip.Addr) bool { return false },
	}
}

func TestProberClosed(t *testing.T) {
	for _, proto := range []int{ProtoRSVP, ProtoGRE, ProtoESP, ProtoAH} {
		lab := newICMPLab(t)
		raw := newFakeRaw(nil)
		raw.onWrite = func(_ int, pkt []byte) { lab.send(unreachable(t, 2, proto, pkt)) }
		r := testProber(lab, raw).Probe(t.Context(), probes.Target{Addr: loopback, Port: uint16(proto)})
		if r.State != probes.Closed || r.Reason != probes.ReasonProtoUnreachable || r.ICMP == nil || r.ICMP.From != loopback {
			t.Errorf("proto %d: %v %+v", proto, r, r.ICMP)
		}
	}
}

func TestProberSecondAttempt(t *testing.T) {
	lab := newICMPLab(t)
	raw := newFakeRaw(nil)
	raw.onWrite = func(n int, pkt []byte) {
		if n == 2 { // the first packet was "lost"
			lab.send(unreachable(t, 13, ProtoGRE, pkt))
		}
	}
	r := testProber(lab, raw).Probe(t.Context(), probes.Target{Addr: loopback, Port: ProtoGRE})
	if r.State != probes.Filtered || r.Reason != probes.ReasonAdminProhibited || r.Attempts != 2 {
		t.Errorf("got %v attempts %d", r, r.Attempts)
	}
}

func TestProberIgnoresOtherProbes(t *testing.T) {
	lab := newICMPLab(t)
	raw := newFakeRaw(nil)
	raw.onWrite = func(_ int, pkt []byte) {
		other := AppendESP(nil, 0xdeadbeef, 1) // another probe's SPI
		lab.send(unreachable(t, 2, ProtoESP, other))
		lab.send(unreachable(t, 2, ProtoAH, pkt)) // right bytes, wrong protocol
		raw.reads <- pkt                          // our own packet, looped back
	}
	r := testProber(lab, raw).Probe(t.Context(), probes.Target{Addr: loopback, Port: ProtoESP})
	if r.State != probes.OpenFiltered || r.Reason != probes.ReasonNoResponse || r.Attempts != 2 {
		t.Errorf("got %v attempts %d", r, r.Attempts)
	}
}

func TestProberOpen(t *testing.T) {
	lab := newICMPLab(t)
	raw := newFakeRaw(nil)
	raw.onWrite = func(int, []byte) { raw.reads <- AppendGRE(nil, 0x4242, 9) }
	r := testProber(lab, raw).Probe(t.Context(), probes.Target{Addr: loopback, Port: ProtoGRE})
	if r.State != probes.Open || r.Reason != probes.ReasonReply {
		t.Errorf("got %v", r)
	}
}

func TestProberNotTested(t *testing.T) {
	lab := newICMPLab(t)
	denied := listenFunc(func(context.Context, string, string) (net.PacketConn, error) {
		return nil, &net.OpError{Op: "listen", Net: "ip4:47", Err: os.NewSyscallError("socket", syscall.EPERM)}
	})
	for name, p := range map[string]Prober{
		"no CAP_NET_RAW":     {Listen: denied, ICMP4: lab.l, Timeout: time.Second},
		"no ICMP listener":   {Listen: denied, Timeout: time.Second},
		"no packet listener": {ICMP4: lab.l, Timeout: time.Second},
	} {
		r := p.Probe(t.Context(), probes.Target{Addr: loopback, Port: ProtoGRE})
		if r.State != probes.NotTested || r.Reason != probes.ReasonNeedsPrivilege || r.Note != NeedsPrivilegeNote {
			t.Errorf("%s: %v %q", name, r, r.Note)
		}
	}
	r := Prober{ICMP4: lab.l}.Probe(t.Context(), probes.Target{Addr: loopback, Port: 17})
	if r.State != probes.NotTested || r.Reason != probes.ReasonNoProbe {
		t.Errorf("UDP as a raw protocol: %v", r)
	}
}

func TestProberCancelled(t *testing.T) {
	lab := newICMPLab(t)
	ctx, cancel := context.WithCancel(t.Context())
	raw := newFakeRaw(func(int, []byte) { cancel() })
	p := testProber(lab, raw)
	p.Timeout = time.Hour
	r := p.Probe(ctx, probes.Target{Addr: loopback, Port: ProtoAH})
	if r.State != probes.NotTested || r.Reason != probes.ReasonLocalError {
		t.Errorf("got %v", r)
	}
}

// TestUnprivileged runs only without CAP_NET_RAW (e.g. the test binary
// under `setpriv --reuid=nobody --inh-caps=-all`): the real sockets are
// refused, and every raw result is NotTested with the reason.
func TestUnprivileged(t *testing.T) {
	err := CheckPrivilege(t.Context())
	if err == nil {
		t.Skip("the process has CAP_NET_RAW")
	}
	if !errors.Is(err, os.ErrPermission) {
		t.Fatalf("CheckPrivilege: %v, want a permission error", err)
	}
	if _, err := ListenICMP(t.Context(), false); !errors.Is(err, os.ErrPermission) {
		t.Errorf("ListenICMP: %v", err)
	}
	p := Prober{Listen: &net.ListenConfig{}, Timeout: time.Second}
	for _, proto := range []uint16{ProtoRSVP, ProtoGRE, ProtoESP, ProtoAH} {
		r := p.Probe(t.Context(), probes.Target{Addr: loopback, Port: proto})
		if r.State != probes.NotTested || r.Reason != probes.ReasonNeedsPrivilege || r.Note != NeedsPrivilegeNote {
			t.Errorf("proto %d: %v %q", proto, r, r.Note)
		}
	}
}

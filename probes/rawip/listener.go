package rawip

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sync"
	"time"
)

// Match identifies one probe's packets in the quotes of ICMP errors.
type Match struct {
	Protocol int
	Src, Dst netip.Addr
	Key      uint32 // see Key
}

// Listener reads one ICMP (or ICMPv6) socket and hands each error to the
// probe whose packet it quotes. One per address family per scan: every raw
// probe, whatever its protocol, shares it.
type Listener struct {
	conn net.PacketConn
	v6   bool

	mu      sync.Mutex
	waiters map[Match]chan<- Error
	closed  bool

	done chan struct{}
}

// maxICMP bounds every read: an ICMP error quotes at most 576 bytes of
// IPv4 (RFC 1812 4.3.2.3) or fills the 1280-byte IPv6 minimum MTU.
const maxICMP = 1500

// ListenICMP opens the raw ICMP socket of one address family
// ("ip4:icmp" or "ip6:ipv6-icmp" on all addresses) and starts reading.
// It needs CAP_NET_RAW; the error then satisfies errors.Is(err,
// os.ErrPermission). The caller closes the Listener when the scan ends.
func ListenICMP(ctx context.Context, v6 bool) (*Listener, error) {
	network, address := "ip4:icmp", "0.0.0.0"
	if v6 {
		network, address = "ip6:ipv6-icmp", "::"
	}
	var lc net.ListenConfig
	c, err := lc.ListenPacket(ctx, network, address)
	if err != nil {
		return nil, err
	}
	return NewListener(c, v6), nil
}

// NewListener starts reading conn, which returns ICMP messages from the
// ICMP header on (as Go's "ip4:icmp" and "ip6:ipv6-icmp" sockets do).
// The Listener owns conn and closes it in Close.
func NewListener(conn net.PacketConn, v6 bool) *Listener {
	l := &Listener{conn: conn, v6: v6, waiters: map[Match]chan<- Error{}, done: make(chan struct{})}
	go l.run()
	return l
}

// Watch delivers to ch every ICMP error that quotes a packet matching m,
// until the returned stop is called. Sends never block: ch should have
// room for the few errors one probe can draw.
func (l *Listener) Watch(m Match, ch chan<- Error) (stop func()) {
	m.Src, m.Dst = m.Src.Unmap(), m.Dst.Unmap()
	l.mu.Lock()
	if !l.closed {
		l.waiters[m] = ch
	}
	l.mu.Unlock()
	return func() {
		l.mu.Lock()
		if l.waiters[m] == ch {
			delete(l.waiters, m)
		}
		l.mu.Unlock()
	}
}

// Close stops reading and closes the socket.
func (l *Listener) Close() error {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	err := l.conn.Close()
	<-l.done
	return err
}

func (l *Listener) run() {
	defer close(l.done)
	buf := make([]byte, maxICMP)
	var failures int
	for {
		n, from, err := l.conn.ReadFrom(buf)
		if err != nil {
			l.mu.Lock()
			closed := l.closed
			l.mu.Unlock()
			if closed || errors.Is(err, net.ErrClosed) {
				return
			}
			// A transient error (ENOBUFS, an interrupted read): keep going,
			// but give up on a socket that only fails.
			if failures++; failures > 100 {
				return
			}
			time.Sleep(10 * time.Millisecond)
			continue
		}
		failures = 0
		l.dispatch(buf[:n], addrOf(from))
	}
}

func (l *Listener) dispatch(b []byte, from netip.Addr) {
	e, err := ParseError(b, l.v6, from)
	if err != nil {
		return // echo replies, router advertisements, garbage
	}
	key, ok := e.Quote.Key()
	if !ok {
		return
	}
	// The error outlives the read buffer in the waiter's hands.
	e.Quote.Payload = append([]byte(nil), e.Quote.Payload...)
	m := Match{Protocol: e.Quote.Protocol, Src: e.Quote.Src.Unmap(), Dst: e.Quote.Dst.Unmap(), Key: key}
	l.mu.Lock()
	ch := l.waiters[m]
	l.mu.Unlock()
	if ch == nil {
		return
	}
	select {
	case ch <- e:
	default:
	}
}

// addrOf extracts the IP of a socket address.
func addrOf(a net.Addr) netip.Addr {
	var ip net.IP
	switch a := a.(type) {
	case *net.IPAddr:
		ip = a.IP
	case *net.UDPAddr:
		ip = a.IP
	}
	addr, _ := netip.AddrFromSlice(ip)
	return addr.Unmap()
}

package responder

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes/token"
)

// Status is what became of one endpoint on one address.
type Status string

const (
	// StatusListening: the Listener holds the socket.
	StatusListening Status = "listening"
	// StatusInUse: another program holds the port; the Listener left it
	// alone (no SO_REUSEPORT, no SO_REUSEADDR tricks on UDP).
	StatusInUse Status = "in-use"
	// StatusDenied: the OS refused the socket (a port below 1024 or a raw
	// socket without privilege).
	StatusDenied Status = "denied"
	// StatusFailed: any other error, e.g. the address is not on this host.
	StatusFailed Status = "failed"
)

// Config says what a Listener opens.
type Config struct {
	// Addrs are the local addresses to bind. There is no default: a
	// Listener never binds the wildcard address.
	Addrs []netip.Addr
	// Endpoints are the TCP ports, UDP ports and IP protocols to serve.
	Endpoints []catalog.Endpoint
	// Raw opens raw sockets for IP endpoints; false reports them denied
	// without trying (the caller knows the process is unprivileged).
	Raw bool
	// Now is the clock of the rate limiter; time.Now when nil.
	Now func() time.Time
}

// Source is one sender and how many packets or connections it sent.
type Source struct {
	Addr  netip.Addr `json:"addr"`
	Count int        `json:"count"`
}

// maxSourcesListed bounds the sources kept per binding for the report.
const maxSourcesListed = 64

// Binding is one endpoint on one address and what arrived there.
type Binding struct {
	Endpoint catalog.Endpoint `json:"endpoint"`
	Addr     netip.Addr       `json:"addr"`
	Status   Status           `json:"status"`
	Note     string           `json:"note,omitempty"`
	// Arrived counts connections (TCP) or packets (UDP, raw).
	Arrived int `json:"arrived"`
	// Answered counts token replies sent (UDP, raw).
	Answered int `json:"answered,omitempty"`
	// Ignored counts packets that were not a request token.
	Ignored int `json:"ignored,omitempty"`
	// Limited counts request tokens left unanswered by the rate limits.
	Limited int `json:"limited,omitempty"`
	// Sources lists the senders, most active first (at most 64;
	// OtherSources counts the rest).
	Sources      []Source `json:"sources,omitempty"`
	OtherSources int      `json:"other_sources,omitempty"`
}

// Listener serves the endpoints of a Config until Close.
type Listener struct {
	now     func() time.Time
	limit   *limiter
	mu      sync.Mutex
	binds   []*Binding
	closers []func() error
	wg      sync.WaitGroup
}

// Listen opens every endpoint on every address and starts serving. It
// fails only on a bad Config; endpoints that cannot be opened are in
// Bindings with their status.
func Listen(ctx context.Context, cfg Config) (*Listener, error) {
	if len(cfg.Addrs) == 0 {
		return nil, errors.New("responder: no address to listen on")
	}
	for _, a := range cfg.Addrs {
		if !a.IsValid() || a.IsUnspecified() || a.IsMulticast() {
			return nil, fmt.Errorf("responder: %v is not a unicast address of this host", a)
		}
	}
	l := &Listener{now: cfg.Now, limit: newLimiter()}
	if l.now == nil {
		l.now = time.Now
	}
	eps := slices.Clone(cfg.Endpoints)
	slices.SortFunc(eps, func(a, b catalog.Endpoint) int {
		if a.Less(b) {
			return -1
		}
		if b.Less(a) {
			return 1
		}
		return 0
	})
	eps = slices.Compact(eps)
	for _, e := range eps {
		for _, a := range cfg.Addrs {
			b := &Binding{Endpoint: e, Addr: a.Unmap()}
			l.binds = append(l.binds, b)
			switch e.Transport {
			case catalog.TCP:
				l.openTCP(ctx, b)
			case catalog.UDP:
				l.openUDP(ctx, b)
			case catalog.IP:
				if !cfg.Raw {
					b.Status, b.Note = StatusDenied, "raw IP sockets need CAP_NET_RAW: not served"
					continue
				}
				l.openRaw(ctx, b)
			}
		}
	}
	return l, nil
}

// Bindings returns a snapshot of every binding and its counters.
func (l *Listener) Bindings() []Binding {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Binding, len(l.binds))
	for i, b := range l.binds {
		out[i] = *b
		out[i].Sources = slices.Clone(b.Sources)
		slices.SortStableFunc(out[i].Sources, func(x, y Source) int { return y.Count - x.Count })
	}
	return out
}

// Close stops serving, waits for the serving goroutines and returns the
// final bindings.
func (l *Listener) Close() []Binding {
	for _, c := range l.closers {
		c()
	}
	l.wg.Wait()
	return l.Bindings()
}

// setStatus records why a socket could not be opened.
func setStatus(b *Binding, err error) {
	switch {
	case errors.Is(err, syscall.EADDRINUSE) || addrInUse(err):
		b.Status, b.Note = StatusInUse, "in use by another program: not stolen"
	case errors.Is(err, os.ErrPermission) || permissionDenied(err):
		b.Status, b.Note = StatusDenied, "permission denied"
		if b.Endpoint.Transport == catalog.IP {
			b.Note += ": raw IP sockets need CAP_NET_RAW"
		} else if b.Endpoint.Port < 1024 {
			b.Note += ": ports below 1024 need root or CAP_NET_BIND_SERVICE"
		}
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		b.Status, b.Note = StatusFailed, "the address is not on this host"
	default:
		b.Status, b.Note = StatusFailed, err.Error()
	}
}

// count records one arrival from src (caller holds l.mu).
func (b *Binding) count(src netip.Addr) {
	b.Arrived++
	for i := range b.Sources {
		if b.Sources[i].Addr == src {
			b.Sources[i].Count++
			return
		}
	}
	if len(b.Sources) < maxSourcesListed {
		b.Sources = append(b.Sources, Source{Addr: src, Count: 1})
		return
	}
	b.OtherSources++
}

func (l *Listener) openTCP(ctx context.Context, b *Binding) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", netip.AddrPortFrom(b.Addr, b.Endpoint.Port).String())
	if err != nil {
		setStatus(b, err)
		return
	}
	b.Status = StatusListening
	l.closers = append(l.closers, ln.Close)
	l.wg.Go(func() { l.serveTCP(ln, b) })
}

// serveTCP accepts and closes: the handshake is the answer.
func (l *Listener) serveTCP(ln net.Listener, b *Binding) {
	backoff := 5 * time.Millisecond
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// EMFILE and friends: wait, then try again.
			time.Sleep(backoff)
			backoff = min(2*backoff, time.Second)
			continue
		}
		backoff = 5 * time.Millisecond
		src := addrOf(c.RemoteAddr())
		c.Close()
		l.mu.Lock()
		b.count(src)
		l.mu.Unlock()
	}
}

func (l *Listener) openUDP(ctx context.Context, b *Binding) {
	var lc net.ListenConfig
	c, err := lc.ListenPacket(ctx, "udp", netip.AddrPortFrom(b.Addr, b.Endpoint.Port).String())
	if err != nil {
		setStatus(b, err)
		return
	}
	b.Status = StatusListening
	l.closers = append(l.closers, c.Close)
	l.wg.Go(func() {
		l.serve(c, b, func(p []byte) ([]byte, bool) {
			if _, err := token.ParseUDPRequest(p); err != nil {
				return nil, false
			}
			return token.AppendReply(nil, p), true
		})
	})
}

func (l *Listener) openRaw(ctx context.Context, b *Binding) {
	proto := int(b.Endpoint.Port)
	if _, ok := token.MinHeader(proto); !ok {
		b.Status, b.Note = StatusFailed, fmt.Sprintf("no token packet is defined for IP protocol %d", proto)
		return
	}
	family := "ip4"
	if b.Addr.Is6() {
		family = "ip6"
	}
	var lc net.ListenConfig
	c, err := lc.ListenPacket(ctx, fmt.Sprintf("%s:%d", family, proto), b.Addr.String())
	if err != nil {
		setStatus(b, err)
		return
	}
	b.Status = StatusListening
	l.closers = append(l.closers, c.Close)
	l.wg.Go(func() {
		l.serve(c, b, func(p []byte) ([]byte, bool) {
			if _, err := token.ParseIPRequest(proto, p); err != nil {
				return nil, false
			}
			return token.AppendReply(nil, p), true
		})
	})
}

// maxPacket bounds every read; a request is far smaller, and a longer
// packet read truncated fails the token check.
const maxPacket = 2048

// serve reads packets from c, counts them, and answers the request
// tokens answer accepts, within the rate limits.
func (l *Listener) serve(c net.PacketConn, b *Binding, answer func(p []byte) ([]byte, bool)) {
	buf := make([]byte, maxPacket)
	for failures := 0; failures < 100; {
		n, from, err := c.ReadFrom(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			failures++ // transient (ENOBUFS, ICMP errors on UDP): a socket that only fails is given up
			time.Sleep(10 * time.Millisecond)
			continue
		}
		failures = 0
		src := addrOf(from)
		reply, ok := answer(buf[:n])
		if ok && !answerable(from) {
			ok = false
		}
		var limited bool
		if ok {
			limited = !l.limit.allow(src, l.now())
		}
		if ok && !limited {
			if len(reply) > n { // cannot happen: token.AppendReply copies; the rule is worth a check
				ok = false
			} else if _, err := c.WriteTo(reply, from); err != nil {
				ok = false
			}
		}
		l.mu.Lock()
		b.count(src)
		switch {
		case limited:
			b.Limited++
		case ok:
			b.Answered++
		default:
			b.Ignored++
		}
		l.mu.Unlock()
	}
}

// answerable refuses sources no probe can come from: unspecified,
// multicast or broadcast addresses and UDP port 0.
func answerable(from net.Addr) bool {
	a := addrOf(from)
	if !a.IsValid() || a.IsUnspecified() || a.IsMulticast() || a == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
		return false
	}
	if u, ok := from.(*net.UDPAddr); ok && u.Port == 0 {
		return false
	}
	return true
}

func addrOf(a net.Addr) netip.Addr {
	var ip net.IP
	switch a := a.(type) {
	case *net.TCPAddr:
		ip = a.IP
	case *net.UDPAddr:
		ip = a.IP
	case *net.IPAddr:
		ip = a.IP
	}
	addr, _ := netip.AddrFromSlice(ip)
	return addr.Unmap()
}

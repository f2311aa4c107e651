package probetest

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"
)

// Serve listens on 127.0.0.1:0 and runs handler for every accepted
// connection. At cleanup it stops listening, closes the connections still
// open (so handlers blocked in a read or write return) and waits for every
// handler to finish.
func Serve(t testing.TB, handler func(net.Conn)) netip.AddrPort {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("probetest: listen: %v", err)
	}
	var (
		mu     sync.Mutex
		conns  = map[net.Conn]struct{}{}
		closed bool
		wg     sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			if closed {
				mu.Unlock()
				c.Close()
				return
			}
			conns[c] = struct{}{}
			wg.Add(1)
			mu.Unlock()
			go func() {
				defer wg.Done()
				defer func() {
					mu.Lock()
					delete(conns, c)
					mu.Unlock()
					c.Close()
				}()
				handler(c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		closed = true
		for c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().(*net.TCPAddr).AddrPort()
}

// UDPServe listens on 127.0.0.1:0 and answers every datagram with what
// reply returns for it; a nil reply function, or a nil answer, is a
// blackhole. The socket is closed at cleanup.
func UDPServe(t testing.TB, reply func(req []byte) []byte) netip.AddrPort {
	t.Helper()
	if reply == nil {
		return UDPServeEach(t, nil)
	}
	return UDPServeEach(t, func(req []byte) [][]byte {
		if out := reply(req); out != nil {
			return [][]byte{out}
		}
		return nil
	})
}

// UDPServeEach is UDPServe for a server that may answer one request with
// several datagrams (a stray one before the answer, a retransmission): it
// sends every datagram reply returns for it, in order. A nil reply
// function, or an empty list, is silence.
func UDPServeEach(t testing.TB, reply func(req []byte) [][]byte) netip.AddrPort {
	t.Helper()
	pc, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
	if err != nil {
		t.Fatalf("probetest: listen udp: %v", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 65535)
		for {
			n, from, err := pc.ReadFromUDPAddrPort(buf)
			if err != nil {
				if errors.Is(err, net.ErrClosed) {
					return
				}
				continue
			}
			if reply == nil {
				continue
			}
			for _, out := range reply(append([]byte(nil), buf[:n]...)) {
				_, _ = pc.WriteToUDPAddrPort(out, from)
			}
		}
	}()
	t.Cleanup(func() {
		pc.Close()
		<-done
	})
	return pc.LocalAddr().(*net.UDPAddr).AddrPort()
}

// Reply is a handler that writes b, then reads until the peer goes away.
// Draining matters: closing a socket with unread data makes the kernel send
// a RST, which would hide the reply from the prober.
func Reply(b []byte) func(net.Conn) {
	return func(c net.Conn) {
		if _, err := c.Write(b); err != nil {
			return
		}
		drain(c)
	}
}

// garbageBytes are n bytes that are no protocol's opening: a fixed pattern,
// so failures reproduce, starting with a byte no text or TLS, BER or
// NetBIOS reply starts with.
func garbageBytes(n int) []byte {
	b := make([]byte, n)
	x := uint32(0x9e3779b9)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	if n > 0 {
		b[0] = 0xfe
	}
	return b
}

// Garbage answers every connection with n bytes of noise, then drains.
func Garbage(n int) func(net.Conn) { return Reply(garbageBytes(n)) }

// GarbageBytes returns the noise Garbage(n) sends, for UDP replies.
func GarbageBytes(n int) []byte { return garbageBytes(n) }

// EndlessStream writes noise until the peer goes away.
func EndlessStream(c net.Conn) {
	go drain(c)
	chunk := garbageBytes(4096)
	for {
		if _, err := c.Write(chunk); err != nil {
			return
		}
	}
}

// Trickle returns a handler that writes one byte of noise every period
// until the peer goes away.
func Trickle(every time.Duration) func(net.Conn) {
	return func(c net.Conn) {
		go drain(c)
		noise := garbageBytes(256)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for i := 0; ; i++ {
			if _, err := c.Write(noise[i%len(noise) : i%len(noise)+1]); err != nil {
				return
			}
			<-tick.C
		}
	}
}

// CloseAtOnce closes the connection right after accept (a FIN).
func CloseAtOnce(c net.Conn) { c.Close() }

// ResetAtOnce closes the connection with SO_LINGER 0 right after accept
// (a RST).
func ResetAtOnce(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	c.Close()
}

// Silent accepts and never writes; it reads until the peer goes away.
func Silent(c net.Conn) { drain(c) }

// drain reads and discards until an error (the peer closed, or cleanup
// closed the connection).
func drain(c net.Conn) { _, _ = io.Copy(io.Discard, c) }

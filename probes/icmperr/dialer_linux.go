package icmperr

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// DialContext dials TCP or UDP to a literal address with the socket error
// queue enabled. Other networks and host names go through net.Dialer.
func (d *Dialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	ap, err := netip.ParseAddrPort(address)
	if err == nil {
		ap = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
		switch network {
		case "tcp", "tcp4", "tcp6":
			return d.dialTCP(ctx, network, ap)
		case "udp", "udp4", "udp6":
			return d.dialUDP(ctx, network, ap)
		}
	}
	return d.netDialer().DialContext(ctx, network, address)
}

func (d *Dialer) netDialer() *net.Dialer {
	var nd net.Dialer
	if d.LocalAddr.IsValid() {
		nd.LocalAddr = &net.TCPAddr{IP: d.LocalAddr.AsSlice()}
	}
	return &nd
}

// dialTCP connects a nonblocking socket of its own, so that after a failed
// connect the socket, and its error queue, are still there to read.
func (d *Dialer) dialTCP(ctx context.Context, network string, ap netip.AddrPort) (net.Conn, error) {
	raddr := net.TCPAddrFromAddrPort(ap)
	opErr := func(err error) error {
		return &net.OpError{Op: "dial", Net: network, Addr: raddr, Err: err}
	}
	family, sa := sockaddr(ap)
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, opErr(os.NewSyscallError("socket", err))
	}
	if err := setRecvErr(fd, family, true); err != nil {
		unix.Close(fd)
		return nil, opErr(os.NewSyscallError("setsockopt", err))
	}
	if d.LocalAddr.IsValid() {
		_, local := sockaddr(netip.AddrPortFrom(d.LocalAddr, 0))
		if err := unix.Bind(fd, local); err != nil {
			unix.Close(fd)
			return nil, opErr(os.NewSyscallError("bind", err))
		}
	}
	switch err := unix.Connect(fd, sa); {
	case err == nil, errors.Is(err, unix.EINPROGRESS):
	default:
		e := connectError(fd, err)
		unix.Close(fd)
		return nil, opErr(e)
	}
	// A refusal often comes back before connect returns (a local or very
	// near target): one non-blocking poll settles it without registering
	// the socket with the poller, which would cost two epoll_ctl calls.
	if soerr, done := connectDone(fd); done && soerr != 0 {
		e := connectError(fd, syscall.Errno(soerr))
		unix.Close(fd)
		return nil, opErr(e)
	}

	// os.NewFile registers the nonblocking socket with Go's poller, so the
	// wait for the handshake honours deadlines like any net.Conn.
	f := os.NewFile(uintptr(fd), "tcp "+ap.String())
	defer f.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = f.SetWriteDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = f.SetWriteDeadline(time.Unix(1, 0)) })
	defer stop()
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, opErr(err)
	}
	var connErr error
	werr := rc.Write(func(s uintptr) bool {
		pfd := []unix.PollFd{{Fd: int32(s), Events: unix.POLLOUT}}
		if n, err := unix.Poll(pfd, 0); err == nil && n == 0 {
			return false // still connecting: wait for writability
		}
		soerr, err := unix.GetsockoptInt(int(s), unix.SOL_SOCKET, unix.SO_ERROR)
		switch {
		case err != nil:
			connErr = os.NewSyscallError("getsockopt", err)
		case soerr != 0:
			connErr = connectError(int(s), syscall.Errno(soerr))
		}
		return true
	})
	if werr != nil {
		if ctx.Err() != nil {
			return nil, opErr(ctx.Err())
		}
		return nil, opErr(werr)
	}
	if connErr != nil {
		return nil, opErr(connErr)
	}
	// Connected: from here on ICMP errors are TCP's business again (with
	// IP_RECVERR set, Linux would make soft errors fatal, RFC 1122 4.2.3.9).
	_ = setRecvErr(fd, family, false)
	c, err := net.FileConn(f) // a dup; f's descriptor is closed on return
	if err != nil {
		return nil, opErr(err)
	}
	return c, nil
}

// connectDone polls fd once without waiting: done when the connect has
// ended, with its SO_ERROR (0 for success).
func connectDone(fd int) (soerr int, done bool) {
	pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLOUT}}
	if n, err := unix.Poll(pfd, 0); err != nil || n == 0 {
		return 0, false
	}
	soerr, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if err != nil {
		return 0, false
	}
	return soerr, true
}

// connectError wraps errno with the ICMP message queued on fd, if any.
func connectError(fd int, err error) error {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return os.NewSyscallError("connect", err)
	}
	if e := readErrQueue(fd); e != nil {
		e.Errno, e.Syscall = errno, "connect"
		return e
	}
	return os.NewSyscallError("connect", errno)
}

// dialUDP dials with IP_RECVERR set: then every ICMP error (not only the
// "hard" 3/2, 3/3, 3/9, 3/10, 3/13) reaches the socket, and its details
// are queued for reading.
func (d *Dialer) dialUDP(ctx context.Context, network string, ap netip.AddrPort) (net.Conn, error) {
	nd := net.Dialer{
		Control: func(network, _ string, c syscall.RawConn) error {
			family := unix.AF_INET
			if network == "udp6" {
				family = unix.AF_INET6
			}
			var serr error
			if err := c.Control(func(fd uintptr) { serr = setRecvErr(int(fd), family, true) }); err != nil {
				return err
			}
			return serr
		},
	}
	if d.LocalAddr.IsValid() {
		nd.LocalAddr = &net.UDPAddr{IP: d.LocalAddr.AsSlice()}
	}
	c, err := nd.DialContext(ctx, network, ap.String())
	if err != nil {
		return nil, err
	}
	return &udpConn{UDPConn: c.(*net.UDPConn)}, nil
}

// udpConn adds the queued ICMP message to the errors of Read and Write.
type udpConn struct {
	*net.UDPConn
}

func (c *udpConn) Read(b []byte) (int, error) {
	n, err := c.UDPConn.Read(b)
	return n, c.withICMP(err)
}

func (c *udpConn) Write(b []byte) (int, error) {
	n, err := c.UDPConn.Write(b)
	return n, c.withICMP(err)
}

func (c *udpConn) withICMP(err error) error {
	var (
		op *net.OpError
		se *os.SyscallError
		en syscall.Errno
	)
	if err == nil || !errors.As(err, &op) || !errors.As(err, &se) || !errors.As(se.Err, &en) {
		return err
	}
	rc, rerr := c.UDPConn.SyscallConn()
	if rerr != nil {
		return err
	}
	var e *Error
	if rerr := rc.Control(func(fd uintptr) { e = readErrQueue(int(fd)) }); rerr != nil || e == nil {
		return err
	}
	e.Errno, e.Syscall = en, se.Syscall
	wrapped := *op
	wrapped.Err = e
	return &wrapped
}

func setRecvErr(fd, family int, on bool) error {
	v := 0
	if on {
		v = 1
	}
	if family == unix.AF_INET6 {
		return unix.SetsockoptInt(fd, unix.SOL_IPV6, unix.IPV6_RECVERR, v)
	}
	return unix.SetsockoptInt(fd, unix.SOL_IP, unix.IP_RECVERR, v)
}

func sockaddr(ap netip.AddrPort) (int, unix.Sockaddr) {
	if a := ap.Addr(); a.Is4() {
		return unix.AF_INET, &unix.SockaddrInet4{Port: int(ap.Port()), Addr: a.As4()}
	}
	return unix.AF_INET6, &unix.SockaddrInet6{Port: int(ap.Port()), Addr: ap.Addr().As16()}
}

package icmperr

import (
	"net"

	"golang.org/x/sys/unix"
)

// EnableUDP sets IP_RECVERR (IPV6_RECVERR) on a UDP socket that a probe
// opened itself, so that EnrichUDP can name the ICMP message behind an
// error read from it.
func EnableUDP(c *net.UDPConn) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	family := unix.AF_INET
	if la, ok := c.LocalAddr().(*net.UDPAddr); ok && la.IP.To4() == nil {
		family = unix.AF_INET6
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = setRecvErr(int(fd), family, true) }); err != nil {
		return err
	}
	return serr
}

// EnrichUDP adds the queued ICMP message, when there is one, to an error
// that a read or write on c returned: the same OpError -> Error -> Errno
// chain as the Dialer's connections, so probes.ClassifyDetail reads it.
func EnrichUDP(c *net.UDPConn, err error) error {
	return (&udpConn{UDPConn: c}).withICMP(err)
}

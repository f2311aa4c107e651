//go:build unix

package dhcp

import "syscall"

// reuseAddr sets SO_REUSEADDR so the connected and the unconnected socket
// can share the client port (and a DHCP client's socket, if it set it too).
func reuseAddr(network, address string, c syscall.RawConn) error {
	var serr error
	err := c.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)
	})
	if err != nil {
		return err
	}
	return serr
}

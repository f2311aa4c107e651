//go:build !unix && !windows

package dhcp

import "syscall"

// reuseAddr is a no-op where sockets have no SO_REUSEADDR; the probe then
// runs with the connected socket alone.
func reuseAddr(network, address string, c syscall.RawConn) error { return nil }

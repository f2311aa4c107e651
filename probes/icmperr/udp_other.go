//go:build !linux

package icmperr

import "net"

// EnableUDP: only Linux has a socket error queue; elsewhere errors carry
// only their errno.
func EnableUDP(*net.UDPConn) error { return nil }

// EnrichUDP returns err unchanged where there is no socket error queue.
func EnrichUDP(_ *net.UDPConn, err error) error { return err }

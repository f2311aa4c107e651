//go:build !linux

package icmperr

import (
	"context"
	"net"
)

// DialContext is net.Dialer's: this OS has no socket error queue, so
// errors carry only the errno (Windows reports admin-prohibited and
// host-unreachable alike as WSAEHOSTUNREACH, or nothing).
func (d *Dialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	var nd net.Dialer
	if d.LocalAddr.IsValid() {
		switch network {
		case "udp", "udp4", "udp6":
			nd.LocalAddr = &net.UDPAddr{IP: d.LocalAddr.AsSlice()}
		default:
			nd.LocalAddr = &net.TCPAddr{IP: d.LocalAddr.AsSlice()}
		}
	}
	c, err := nd.DialContext(ctx, network, address)
	if err == nil {
		reportUDPUnreachable(c)
	}
	return c, err
}

//go:build !linux && !windows

package icmperr

import "net"

// reportUDPUnreachable: BSD-derived stacks (macOS) report ICMP
// port-unreachable on a connected UDP socket as ECONNREFUSED already.
func reportUDPUnreachable(net.Conn) {}

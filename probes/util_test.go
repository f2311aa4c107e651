package probes

import (
	"fmt"
	"net"
	"net/netip"
)

func netipAddrPort(a net.Addr) (netip.AddrPort, error) {
	switch a := a.(type) {
	case *net.TCPAddr:
		return a.AddrPort(), nil
	case *net.UDPAddr:
		return a.AddrPort(), nil
	}
	return netip.AddrPort{}, fmt.Errorf("address %v", a)
}

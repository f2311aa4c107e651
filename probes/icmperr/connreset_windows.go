//go:build windows

package icmperr

import (
	"net"
	"unsafe"

	"golang.org/x/sys/windows"
)

// reportUDPUnreachable turns SIO_UDP_CONNRESET back on for a UDP socket.
// Go turns it off so that a server's reads are not failed by ICMP errors
// about earlier datagrams to other peers; a probe wants exactly that error:
// it is how Windows reports ICMP port-unreachable (WSAECONNRESET), and
// without it every closed UDP port would read as open|filtered.
func reportUDPUnreachable(c net.Conn) {
	uc, ok := c.(*net.UDPConn)
	if !ok {
		return
	}
	rc, err := uc.SyscallConn()
	if err != nil {
		return
	}
	_ = rc.Control(func(fd uintptr) {
		enable := uint32(1)
		var returned uint32
		_ = windows.WSAIoctl(windows.Handle(fd), windows.SIO_UDP_CONNRESET,
			(*byte)(unsafe.Pointer(&enable)), uint32(unsafe.Sizeof(enable)), nil, 0, &returned, nil, 0)
	})
}

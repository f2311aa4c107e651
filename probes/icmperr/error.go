package icmperr

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"syscall"
)

// Origin is where a queued error came from (sock_extended_err.ee_origin).
type Origin uint8

// The origins of linux/errqueue.h.
const (
	OriginNone  Origin = 0 // SO_EE_ORIGIN_NONE
	OriginLocal Origin = 1 // SO_EE_ORIGIN_LOCAL: the local stack, no ICMP involved
	OriginICMP  Origin = 2 // SO_EE_ORIGIN_ICMP
	OriginICMP6 Origin = 3 // SO_EE_ORIGIN_ICMP6
)

// Error is an ICMP error a socket received, read from its error queue.
// It sits in the error chain between *net.OpError and the
// *os.SyscallError holding the errno the call failed with.
type Error struct {
	Origin Origin
	Type   uint8 // ICMP type (3 unreachable, 11 time exceeded) or ICMPv6 type (1, 3, 4)
	Code   uint8
	// From is the node that sent the ICMP message: the target, a router or
	// firewall on the path, or this host itself when it found no neighbour.
	From netip.Addr
	// Errno is the errno the kernel derived from the message (ee_errno).
	Errno syscall.Errno
	// Syscall is the call that failed ("connect", "read", "write").
	Syscall string
}

// V6 reports whether the message is ICMPv6.
func (e *Error) V6() bool { return e.Origin == OriginICMP6 }

func (e *Error) Error() string {
	proto := "ICMP"
	if e.V6() {
		proto = "ICMPv6"
	}
	s := fmt.Sprintf("%s %d/%d", proto, e.Type, e.Code)
	if e.From.IsValid() {
		s += " from " + e.From.String()
	}
	return s + ": " + e.Unwrap().Error()
}

// Unwrap returns the errno as the syscall reported it.
func (e *Error) Unwrap() error { return os.NewSyscallError(e.Syscall, e.Errno) }

// ICMPDetail implements the interface probes.ClassifyDetail looks for.
func (e *Error) ICMPDetail() (typ, code int, from netip.Addr, v6 bool) {
	return int(e.Type), int(e.Code), e.From, e.V6()
}

// Address families in struct sockaddr, as Linux numbers them.
const (
	linuxAFInet  = 2
	linuxAFInet6 = 10
)

// sizeofExtendedErr is sizeof(struct sock_extended_err).
const sizeofExtendedErr = 16

var errShort = errors.New("icmperr: truncated sock_extended_err")

// ParseExtendedErr parses the data of an IP_RECVERR or IPV6_RECVERR
// control message in the host's byte order: struct sock_extended_err
//
//	__u32 ee_errno; __u8 ee_origin; __u8 ee_type; __u8 ee_code;
//	__u8 ee_pad; __u32 ee_info; __u32 ee_data;
//
// followed by the offender's struct sockaddr_in or sockaddr_in6
// (SO_EE_OFFENDER), whose family is in host order and address in network
// order.
func ParseExtendedErr(b []byte) (*Error, error) {
	return parseExtendedErr(b, binary.NativeEndian)
}

func parseExtendedErr(b []byte, order binary.ByteOrder) (*Error, error) {
	if len(b) < sizeofExtendedErr {
		return nil, errShort
	}
	e := &Error{
		Errno:  syscall.Errno(order.Uint32(b[0:])),
		Origin: Origin(b[4]),
		Type:   b[5],
		Code:   b[6],
	}
	sa := b[sizeofExtendedErr:]
	if len(sa) < 2 {
		return e, nil // no offender (origin local, or a short buffer)
	}
	switch order.Uint16(sa) {
	case linuxAFInet: // family, port, 4-byte address
		if len(sa) >= 8 {
			e.From = netip.AddrFrom4([4]byte(sa[4:8]))
		}
	case linuxAFInet6: // family, port, flowinfo, 16-byte address, scope
		if len(sa) >= 24 {
			e.From = netip.AddrFrom16([16]byte(sa[8:24])).Unmap()
		}
	}
	return e, nil
}

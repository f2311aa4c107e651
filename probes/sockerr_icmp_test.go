package probes

import (
	"net"
	"net/netip"
	"os"
	"syscall"
	"testing"
)

// icmpErr stands in for icmperr.Error: an ICMP message between the
// OpError and the errno, as the Linux error queue reports it.
type icmpErr struct {
	typ, code int
	from      netip.Addr
	v6        bool
	errno     syscall.Errno
}

func (e icmpErr) Error() string { return "icmp" }
func (e icmpErr) Unwrap() error { return os.NewSyscallError("connect", e.errno) }
func (e icmpErr) ICMPDetail() (int, int, netip.Addr, bool) {
	return e.typ, e.code, e.from, e.v6
}

func TestClassifyDetail(t *testing.T) {
	fw := netip.MustParseAddr("198.18.1.61")
	for _, tc := range []struct {
		network   string
		v6        bool
		typ, code int
		errno     syscall.Errno
		state     State
		reason    Reason
	}{
		// Linux folds these three into EHOSTUNREACH; the message tells them apart.
		{"tcp", false, 3, 13, syscall.EHOSTUNREACH, Filtered, ReasonAdminProhibited},
		{"tcp", false, 3, 10, syscall.EHOSTUNREACH, Filtered, ReasonAdminProhibited},
		{"tcp", false, 3, 1, syscall.EHOSTUNREACH, Filtered, ReasonHostUnreachable},
		{"tcp", false, 3, 9, syscall.ENETUNREACH, Filtered, ReasonAdminProhibited},
		{"tcp", false, 3, 0, syscall.ENETUNREACH, Filtered, ReasonNetUnreachable},
		{"tcp", false, 11, 0, syscall.EHOSTUNREACH, Filtered, ReasonTimeExceeded},
		// ICMP port-unreachable for a SYN is a packet filter's reject.
		{"tcp", false, 3, 3, syscall.ECONNREFUSED, Filtered, ReasonPortUnreachable},
		{"udp", false, 3, 3, syscall.ECONNREFUSED, Closed, ReasonPortUnreachable},
		{"udp", false, 3, 2, syscall.ENOPROTOOPT, Closed, ReasonProtoUnreachable},
		{"udp", true, 1, 4, syscall.ECONNREFUSED, Closed, ReasonPortUnreachable},
		{"tcp", true, 1, 1, syscall.EACCES, Filtered, ReasonAdminProhibited},
		{"tcp", true, 1, 5, syscall.EACCES, Filtered, ReasonAdminProhibited},
		{"tcp", true, 1, 6, syscall.EACCES, Filtered, ReasonAdminProhibited},
		{"tcp", true, 1, 3, syscall.EHOSTUNREACH, Filtered, ReasonHostUnreachable},
		{"tcp", true, 1, 0, syscall.ENETUNREACH, Filtered, ReasonNetUnreachable},
		{"udp", true, 3, 0, syscall.EHOSTUNREACH, Filtered, ReasonTimeExceeded},
	} {
		err := &net.OpError{Op: "dial", Net: tc.network, Err: icmpErr{tc.typ, tc.code, fw, tc.v6, tc.errno}}
		st, reason, m := ClassifyDetail(tc.network, err)
		if st != tc.state || reason != tc.reason {
			t.Errorf("%s v6=%v %d/%d: %v %v, want %v %v", tc.network, tc.v6, tc.typ, tc.code, st, reason, tc.state, tc.reason)
		}
		if m == nil || m.Type != tc.typ || m.Code != tc.code || m.From != fw || m.V6 != tc.v6 {
			t.Errorf("%s %d/%d: ICMP %+v", tc.network, tc.typ, tc.code, m)
		}
	}
	// Without an ICMP message it is Classify.
	plain := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	if st, reason, m := ClassifyDetail("tcp", plain); st != Closed || reason != ReasonReset || m != nil {
		t.Errorf("plain ECONNREFUSED: %v %v %+v", st, reason, m)
	}
	// A message that is not about reachability keeps the errno's verdict.
	frag := &net.OpError{Op: "write", Net: "udp", Err: icmpErr{3, 4, fw, false, syscall.EMSGSIZE}}
	if st, _, m := ClassifyDetail("udp", frag); st != NotTested || m == nil {
		t.Errorf("fragmentation needed: %v %+v", st, m)
	}
}

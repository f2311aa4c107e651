//go:build linux

package probes

import (
	"syscall"
	"testing"
)

// The Linux errnos that ICMP errors become (net/ipv4/icmp.c icmp_err_convert,
// tcp_v4_err): each must land on the state nmap would give.
func TestClassifyLinuxICMPErrnos(t *testing.T) {
	for _, tc := range []struct {
		errno  syscall.Errno
		icmp   string
		state  State
		reason Reason
	}{
		{syscall.ECONNREFUSED, "RST or ICMP 3/3", Closed, ReasonReset},
		{syscall.EHOSTUNREACH, "ICMP 3/1, 3/10, 3/13 or no ARP answer", Filtered, ReasonHostUnreachable},
		{syscall.ENETUNREACH, "ICMP 3/0, 3/9 or no route", Filtered, ReasonNetUnreachable},
		{syscall.ENOPROTOOPT, "ICMP 3/2", Closed, ReasonProtoUnreachable},
		{syscall.EPERM, "local netfilter reject", Filtered, ReasonAdminProhibited},
		{syscall.ETIMEDOUT, "SYN retries exhausted", Filtered, ReasonTimeout},
		{syscall.EMFILE, "out of descriptors", NotTested, ReasonNoDescriptors},
		{syscall.ENFILE, "system out of descriptors", NotTested, ReasonNoDescriptors},
	} {
		if st, reason := Classify(opError(tc.errno)); st != tc.state || reason != tc.reason {
			t.Errorf("%v (%s) = %v %v, want %v %v", tc.errno, tc.icmp, st, reason, tc.state, tc.reason)
		}
	}
}

// A connect is closed only when refused; the errors an established socket
// gets (the peer reset or closed after the handshake) mean it was open.
func TestClassifyConnect(t *testing.T) {
	for _, tc := range []struct {
		errno  syscall.Errno
		state  State
		reason Reason
	}{
		{syscall.ECONNREFUSED, Closed, ReasonReset},
		{syscall.ECONNRESET, Open, ReasonClosedEarly},
		{syscall.EPIPE, Open, ReasonClosedEarly},
		{syscall.EHOSTUNREACH, Filtered, ReasonHostUnreachable},
	} {
		if st, reason, _ := ClassifyConnect(opError(tc.errno)); st != tc.state || reason != tc.reason {
			t.Errorf("connect %v = %v %v, want %v %v", tc.errno, st, reason, tc.state, tc.reason)
		}
	}
}

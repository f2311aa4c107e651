//go:build unix

package probes

import "syscall"

// errnoTable is the Unix mapping of connect/read errnos. On Linux,
// ECONNREFUSED covers both a TCP RST and ICMP port-unreachable (3/3);
// EHOSTUNREACH covers ICMP 3/1, 3/10, 3/13 and a missing ARP answer;
// ENETUNREACH covers 3/0, 3/9 and a missing route; ENOPROTOOPT is 3/2.
// EACCES/EPERM come from a local firewall (an nftables reject on OUTPUT),
// which is the closest an unprivileged socket gets to admin-prohibited.
var errnoTable = []errnoReason{
	{syscall.ECONNREFUSED, Closed, ReasonReset},
	{syscall.ECONNRESET, Closed, ReasonReset},
	{syscall.EHOSTUNREACH, Filtered, ReasonHostUnreachable},
	{syscall.EHOSTDOWN, Filtered, ReasonHostUnreachable},
	{syscall.ENETUNREACH, Filtered, ReasonNetUnreachable},
	{syscall.ENETDOWN, Filtered, ReasonNetUnreachable},
	{syscall.ENOPROTOOPT, Closed, ReasonProtoUnreachable},
	{syscall.ETIMEDOUT, Filtered, ReasonTimeout},
	{syscall.EACCES, Filtered, ReasonAdminProhibited},
	{syscall.EPERM, Filtered, ReasonAdminProhibited},
	{syscall.EMSGSIZE, NotTested, ReasonLocalError},
	{syscall.EADDRNOTAVAIL, NotTested, ReasonLocalError},
	{syscall.EMFILE, NotTested, ReasonNoDescriptors},
	{syscall.ENFILE, NotTested, ReasonNoDescriptors},
	{syscall.ENOBUFS, NotTested, ReasonLocalError},
	{syscall.EAFNOSUPPORT, NotTested, ReasonUnsupported},
}

// connectedErrnos are the errors a connect can only end with after its
// handshake completed (Linux tcp_reset: ECONNRESET in ESTABLISHED and the
// other synchronized states, EPIPE in CLOSE-WAIT).
var connectedErrnos = []syscall.Errno{syscall.ECONNRESET, syscall.EPIPE}

// Package icmperr tells why a TCP connect or a UDP exchange failed by the
// ICMP message behind the error, without privilege.
//
// Linux folds ICMP errors into errnos: a firewall's reject (ICMP 3/13,
// 3/10 or 3/9) and a host that does not answer ARP (3/1, sent by the local
// stack) both become EHOSTUNREACH or ENETUNREACH. With IP_RECVERR (or
// IPV6_RECVERR) set on the socket the kernel also queues the message on
// the socket's error queue, read with recvmsg(MSG_ERRQUEUE): a struct
// sock_extended_err (origin, ICMP type and code) followed by the address
// of the node that sent it (linux/errqueue.h, ip(7), ipv6(7)).
//
// Dialer builds its TCP sockets with golang.org/x/sys/unix (Go's own dial
// closes the socket of a failed connect, and its queue with it) and sets
// IP_RECVERR on UDP sockets through RawConn.Control. Its errors keep the
// usual *net.OpError, *os.SyscallError, syscall.Errno chain, with an
// *Error between the first two, so probes.Classify still works and
// probes.ClassifyDetail finds the ICMP message. On other systems Dialer is
// a plain net.Dialer: errors carry only what the OS reports.
//
// References: RFC 792 and RFC 1812 5.2.7.1 (ICMP destination-unreachable
// codes), RFC 4443 3 (ICMPv6), RFC 1122 4.2.3.9 (TCP's handling of ICMP).
package icmperr

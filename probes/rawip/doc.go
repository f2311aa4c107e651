// Package rawip probes IP protocols that have no ports (RSVP 46, GRE 47,
// ESP 50, AH 51) the way nmap's -sO does: it sends one minimal, valid
// packet of the protocol through a raw socket and judges the answer.
//
// Any packet of the protocol from the target means open; ICMP
// protocol-unreachable from the target means closed (for IPv6, parameter
// problem code 1, unrecognised Next Header); ICMP port-unreachable from the
// target means open (the protocol was handled and only its demultiplexing
// failed); other destination-unreachable codes and time-exceeded mean
// filtered, naming the sender; silence after every retry is open|filtered.
//
// The packet encoders and the matcher of ICMP errors are pure functions.
// A Listener owns the one ICMP socket per address family and hands each
// error to the probe whose packet it quotes; a Pacer spaces the packets to
// one host so its ICMP rate limit (a burst of about six errors, then one a
// second on Linux) does not turn closed into open|filtered.
//
// To this machine's own addresses the packet goes through an IPPROTO_RAW
// socket with an IP header of its own, and no socket of the protocol is
// open: Linux sends protocol-unreachable only when no raw socket of the
// protocol took the packet, so the usual socket would hide "closed"
// (local.go).
//
// Raw sockets need CAP_NET_RAW. Without it a Prober reports NotTested with
// ReasonNeedsPrivilege; CheckPrivilege tells the caller up front.
//
// References: RFC 2637 4.1 (PPTP's enhanced GRE), RFC 2784 (GRE), RFC 4303
// (ESP), RFC 2410 (NULL encryption), RFC 4302 (AH), RFC 2205 3.1 and
// Appendix A (RSVP), RFC 791 3.1 and RFC 8200 3 (the IP headers of local
// probes), raw(7), RFC 2210 3.1 (Intserv SENDER_TSPEC), RFC 1071 (the
// Internet checksum), RFC 792 and RFC 4443 (ICMP and ICMPv6 errors), RFC
// 1812 4.3.2.3 (how much of the datagram an error quotes), nmap's -sO
// documentation (port states).
package rawip

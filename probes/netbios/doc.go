// Package netbios speaks the NetBIOS over TCP/IP services of RFC 1001 and
// RFC 1002: the name service's node status query on UDP 137 and the session
// service's session request on TCP 139.
//
// Node status (RFC 1002 4.2.17, 4.2.18) asks a node for its whole name
// table with the wildcard name "*"; the answer names the computer, its
// domain or workgroup, the roles it registered (the <20> file server, the
// <1C> domain controllers group) and, from Windows, the adapter's MAC.
//
// The session request (RFC 1002 4.3.2) opens a NetBIOS session to a called
// name; every well-formed reply, positive or negative, proves the session
// service. Session calls the alias *SMBSERVER<20>, which smbd and current
// Windows accept; a server that does not serve the alias refuses it with
// "called name not present" (0x82), and Session then learns the server's
// <20> name through node status and asks again. After a positive response
// Session can hand the connection to an SMB negotiate (Session.Then).
//
// The datagram service on UDP 138 (RFC 1002 4.4) has no request that draws
// an answer: it is probed by probes.UDP with a nil Exchange, which reports
// ICMP errors and calls silence open|filtered. Every NetBIOS stack binds 138
// along with 137, so a confirmed node status is the best evidence for it.
//
// Names are sent in first-level encoding only (RFC 1001 14.1, RFC 1002
// 4.1): no NetBIOS scope.
//
// Confirmed when: a session service reply of the right length for its
// type (positive, negative with one of the five RFC 1002 4.3.4 error
// codes, retarget, keepalive) answers the session request; over UDP a node
// status response with our transaction ID. Other bytes are open
// (unexpected-reply).
package netbios

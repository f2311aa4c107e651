// Package tlsprobe confirms implicit TLS services (IMAPS 993 and POP3S 995,
// RFC 8314 3.2; NNTPS 563, RFC 4642; LDAPS 636) and reports their
// certificates.
//
// Handshake runs a crypto/tls client handshake (RFC 8446 for TLS 1.3,
// RFC 5246 for 1.2, down to TLS 1.0) without letting verification stop
// it, then checks the certificate itself: validity dates, self-signature,
// the chain against the system roots (RFC 5280 6), and whether the name
// matches the target (RFC 6125). A server that answers the ClientHello
// with an alert record (RFC 8446 6, RFC 5246 7.2) has proved it speaks TLS
// too. After the handshake the inner Conversation (a banner, the LDAP root
// DSE) runs over the encrypted connection, and its answer is merged.
//
// Confirmed when: the handshake completed; or the server answered the
// ClientHello with a well-formed alert record; or with a handshake record
// holding a whole ServerHello (IsServerHello: record header, handshake type
// 2, a length the record carries and that fully arrived, a 3.x version)
// before the handshake failed. A record header alone, or a partial
// ServerHello, then a stall (a TLS tarpit) is open (unexpected-reply) with
// the bytes quoted.
package tlsprobe

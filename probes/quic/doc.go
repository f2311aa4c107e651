// Package quic tells whether a host offers SMB over QUIC on UDP 443 by
// opening a QUIC version 1 connection with the TLS ALPN protocol "smb"
// and reading how far the server goes.
//
// Specs: RFC 9000 (QUIC: 12.2 coalesced packets, 12.4 frames allowed in
// Initial packets, 14.1 the 1200-octet Initial datagram, 16 variable-
// length integers, 17.2 long headers, 17.2.1 Version Negotiation, 17.2.2
// Initial, 17.2.5 Retry, 18.2 transport parameters, 19.3 ACK, 19.6
// CRYPTO, 19.19 CONNECTION_CLOSE, 20.1 error codes), RFC 9001 (QUIC-TLS:
// 4.8 TLS alerts as CRYPTO_ERROR 0x100+alert, 5.2 Initial secrets from
// the client's Destination Connection ID, 5.3 AES-128-GCM packet
// protection, 5.4 AES header protection, 5.8 the Retry integrity tag,
// Appendix A the worked example this package's tests reproduce), RFC
// 8446 4.1.3 (ServerHello, HelloRetryRequest), RFC 7301 3.2 (a server
// that speaks none of the offered protocols answers with the alert
// no_application_protocol), and Microsoft's SMB over QUIC documentation
// (ALPN "smb", UDP 443).
//
// The answer is classified as: a ServerHello or Handshake packets (the
// server took the ClientHello, so it speaks "smb": SMB over QUIC), a
// CONNECTION_CLOSE with CRYPTO_ERROR no_application_protocol (a QUIC
// listener that is not SMB, e.g. HTTP/3), another close, a Retry or a
// Version Negotiation packet (a QUIC listener; SMB not tested), or
// silence (open|filtered, through probes.UDP).
//
// Why crypto/tls and hand-written packet protection rather than
// quic-go: the probe needs one flight, not a connection. It has to send
// a single Initial packet and read the server's first Initial, which
// takes the Initial keys (HKDF over the Destination Connection ID, RFC
// 9001 5.2), AES-128-GCM and AES header protection, and the parsing of
// five frame types: about 500 lines on the standard library, checked
// against RFC 9001 Appendix A. The TLS part, the one that is hard to get
// right, is not hand-written: crypto/tls' QUIC API (tls.QUICConn, Go
// 1.21+) writes the ClientHello with the ALPN and the transport
// parameters. quic-go (v0.65.0 on the proxy) is well kept, but as a
// client it hides the first flight behind a full connection: it would
// not tell a Version Negotiation from silence or a TLS alert from a
// timeout without reaching into its internals, and it would add a
// dependency tree (quic-go/qpack, x/crypto, x/sys, ...) to a project
// whose design asks for few. A server-side QUIC stack for the loopback
// tests is likewise built from tls.QUICServer and this package's
// packet protection; quic-go served only as an independent peer to check
// against: the testdata captures are its answers (ALPN smb accepted, and
// h3 only refused with no_application_protocol), recorded here by a
// throwaway program outside the repository.
//
// Probe is the prober (probes.UDP with an Exchange per probe, since the
// ClientHello is built under the probe's context); AppendClientInitial,
// SealInitial, OpenInitial, ParseFrames, ParseServerHello and Judge are
// the pure codecs.
//
// Confirmed when: a Version Negotiation or Retry packet for our
// connection IDs, or a server Initial whose AEAD tag verifies with the
// Initial keys of our Destination Connection ID (RFC 9001 5.2), which only
// a QUIC peer of this connection can produce, carrying a CONNECTION_CLOSE
// or the start of a ServerHello. Our own Initial reflected, or packets for
// another connection, are not.
package quic

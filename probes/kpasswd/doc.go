// Package kpasswd confirms a Kerberos password-change service (kpasswd,
// TCP and UDP 464) by sending a set-password request whose AP-REQ cannot
// be authenticated, and reading the error the server returns.
//
// Specs: RFC 3244 2 (the request: message length, protocol version
// 0xff80, AP-REQ length, AP-REQ, KRB-PRIV) and 3 (the reply: message
// length, version 0x0001, AP-REP length, then a KRB-PRIV, or a KRB-ERROR
// when the AP-REP length is 0, whose e-data carries a 2-byte result code
// and a result string); RFC 3244 2 also says TCP carries the message
// behind the 4-byte record mark of RFC 4120 7.2.2. The KRB-ERROR itself
// is RFC 4120 5.9.1, read with probes/kerberos.
//
// The AP-REQ sent is an empty APPLICATION 14 sequence: no KDC can
// authenticate it, so a kpasswd server answers with an error (result code
// 1, malformed, or 3, authentication error) and changes nothing. A bare
// KRB-ERROR without the RFC 3244 framing, which some servers send for a
// request they cannot parse, also confirms the service.
//
// AppendRequest and ParseReply are the pure codecs; Request is the
// probes.Datagram for UDP 464 and the probes.Conversation for TCP 464.
package kpasswd

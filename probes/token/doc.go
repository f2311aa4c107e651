// Package token is the wire format of the token that `winreach scan
// --responder` puts in its UDP and raw IP probes and that `winreach
// listen` (package scanner/responder) echoes: pure append and parse
// functions, used by both ends.
//
// # Version 1
//
// A token is 24 bytes; integers are big-endian:
//
//	offset size field
//	0      4    magic "wrch" (77 72 63 68)
//	4      1    version: 1
//	5      1    kind: 1 request (scanner to listener), 2 reply
//	6      2    reserved: zero
//	8      16   nonce: random, chosen by the scanner per attempt
//
// A UDP probe is the request token alone. A raw IP probe is a packet of
// the protocol (the GRE, ESP, AH or RSVP packet of package rawip, so the
// first 8 bytes still tie ICMP errors to the probe) followed by the
// request token: the token is always the last 24 bytes of the payload.
//
// A reply is the request with kind set to 2 and nothing else changed:
// the same size as the request, never larger, and the nonce echoed. The
// nonce is not a secret and carries no MAC: it only proves that this
// listener saw this probe, which is all a path check needs.
package token

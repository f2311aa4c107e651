// Package responder is the Listener behind `winreach listen`, the far end
// of winreach's path check before a migration: it stands in for servers
// that do not exist yet and answers only probes that carry the token
// `winreach scan --responder` puts in its UDP and raw IP probes.
//
// The token (its wire format and codec) is package probes/token.
//
// # Not a reflector
//
// The Listener answers a datagram only when it is a well-formed request
// token (anything else, including replies, is counted and dropped), from a
// unicast source other than itself, within a per-source rate limit and a
// global one. Its answer is never larger than the request, so a spoofed
// source gains no amplification and at most the rate limit in packets.
package responder

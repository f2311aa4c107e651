// Package dns confirms a DNS server on UDP and TCP 53 with one query
// (RFC 1035 4.1): ". NS IN", the question every server can answer in some
// way. Any reply with our ID and the QR bit set proves DNS, whatever its
// RCODE: REFUSED from a server that serves no recursion is as good a proof
// as the root servers' names.
//
// The query goes without RD (RFC 1035 4.1.1): a resolver answers from its
// cache or refuses, and the probe does not make the target recurse to the
// Internet. Over TCP the message is prefixed with its 2-byte length (RFC
// 1035 4.2.2, RFC 7766).
//
// Confirmed when: a DNS message with our ID, the QR bit and, if it
// carries a question, our question came back (any RCODE); over TCP inside
// one length-prefixed message within the bound. Our query reflected has
// no QR bit and is open (unexpected-reply).
package dns

// Package probes holds winreach's probe types and the vocabulary they share:
// the fixed set of states (open, confirmed, closed, filtered, open|filtered,
// not-tested), the reasons in nmap's --reason words, and the one classifier
// of socket errors.
//
// A probe is a small value with its dependencies injected (a Dialer, a
// clock) whose Probe(ctx, target) returns a Result; it never fails with an
// error, since "could not run" is itself an answer (NotTested with its
// reason). TCP and UDP are the two transports here; the protocol
// conversations live in the sub-packages, one protocol each, as pure
// encode/parse functions plus a Conversation or Datagram adapter.
//
// Confirmed is earned: a protocol package reports a Service only when the
// peer spoke enough of its protocol to be identified, and each package's
// doc says what that takes. A peer that answered, but not so, is Open with
// reason unexpected-reply and its first bytes in the note (Answer's
// Unexpected); one that accepted and then said nothing, closed or reset is
// Open (syn-ack with a timeout note, or closed-by-peer). Only a refused
// connect is Closed (ClassifyConnect).
//
// References: RFC 793 and RFC 9293 (TCP), RFC 768 (UDP), RFC 792 and
// RFC 4443 (ICMP and ICMPv6 error types and codes), RFC 1122 3.2.2.1.
package probes

// Package ike identifies an IPsec key-exchange responder on UDP 500.
//
// IKEv2 (RFC 7296): the probe sends IKE_SA_INIT with a random initiator
// SPI and one proposal (3.3: AES-CBC-256, PRF-HMAC-SHA2-256,
// HMAC-SHA2-256-128, DH group 14), a Key Exchange payload (3.4) and a
// Nonce (3.9). A responder answers with its own SA, KE and Nonce, or with
// a Notify (3.10) such as NO_PROPOSAL_CHOSEN, INVALID_KE_PAYLOAD or
// COOKIE; each of them proves IKEv2.
//
// IKEv1 (RFC 2408 3.1-3.15, RFC 2409 5 and Appendix A): Main Mode's first
// message carries one ISAKMP SA payload with a few transforms; the answer
// is the responder's chosen transform or an Informational exchange with a
// notification (NO-PROPOSAL-CHOSEN, ...).
//
// A reply belongs to the probe when its initiator SPI (IKEv1: cookie)
// equals the one sent, its version is 1.0 or 2.0, its exchange type fits
// the version, and its length field equals the datagram's length.
// Vendor ID payloads (RFC 7296 3.12, RFC 2408 3.16) are reported in hex
// and by name where the value is well known.
//
// Confirmed when: a reply with our initiator SPI, version 1.0 or 2.0, an
// exchange type of that version, the IKEv2 response flag, a length field
// equal to the datagram's and payloads that walk to the end, and that is
// not our request unchanged. Anything else is open (unexpected-reply).
package ike

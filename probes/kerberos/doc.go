// Package kerberos confirms a Kerberos KDC (TCP and UDP 88) by sending an
// AS-REQ for a client principal that does not exist and reading the
// KRB-ERROR that comes back.
//
// Specs: RFC 4120 5.4.1 (KDC-REQ, AS-REQ), 5.4.2 (KDC-REP, AS-REP), 5.9.1
// (KRB-ERROR), 5.2 (basic types), 7.2.1 and 7.2.2 (UDP datagrams and TCP
// records with a 4-byte big-endian length whose high bit is reserved),
// 7.5.9 (error codes; 62-76 from RFC 4556 and RFC 6806); the encoding is
// DER (X.690) with the explicit context tags and APPLICATION tags of RFC
// 4120 5.1.
//
// A KDC's answer to such a request is a KRB-ERROR: 6
// (KDC_ERR_C_PRINCIPAL_UNKNOWN) from a KDC of the realm asked for, 68
// (KDC_ERR_WRONG_REALM) from a Windows KDC of another realm, 25
// (PREAUTH_REQUIRED) if the name happens to exist, 52 (RESPONSE_TOO_BIG)
// over UDP: each one confirms Kerberos. An AS-REP (APPLICATION 11) also
// confirms it; an AS-REQ (APPLICATION 10) coming back is our own request
// reflected, not a KDC.
//
// The realm in a KRB-ERROR (the realm field, RFC 4120 5.9.1) echoes the
// realm of the request: it names what we asked for, not what the KDC
// serves. Learn the real realm elsewhere (CLDAP netlogon, the LDAP
// rootDSE) and pass it as ASRequest.Realm.
//
// AppendASRequest and ParseReply are the pure codecs; ASRequest is both
// the probes.Datagram for UDP 88 and the probes.Conversation for TCP 88.
//
// Confirmed when: a whole DER KRB-ERROR with pvno 5 (or an AS-REP)
// came back, nothing after it; over TCP inside one record whose length
// field fits the bound. An AS-REQ coming back is our request reflected
// (ErrEcho), open (unexpected-reply).
package kerberos

// Package ldap identifies LDAP directories and Active Directory domain
// controllers.
//
// Over TCP (389, and 636 inside TLS) RootDSE reads the root DSE (RFC 4512
// 5.1) with an anonymous base search (RFC 4511 4.5.1): the naming
// contexts, the host name, the Kerberos realm of an AD DC (ldapServiceName,
// [MS-ADTS] 3.1.1.3.2) and the vendor. Over UDP 389 NetlogonPing sends the
// connectionless "LDAP ping" ([MS-ADTS] 6.3.3, transport per RFC 1798 as
// Windows implements it) and decodes NETLOGON_SAM_LOGON_RESPONSE_EX
// ([MS-ADTS] 6.3.1.9), whose names are compressed as in RFC 1035 4.1.4.
//
// Messages are BER (X.690 8.1-8.7) with the LDAP restrictions of RFC 4511
// 5.1: definite lengths only, low tag numbers. The reader here is small and
// bounded: it never recurses, checks every length against the bytes that
// remain, and accepts long-form lengths of at most four octets (Active
// Directory always uses four).
//
// Confirmed when: a BER LDAPMessage answers the root DSE search: a
// SearchResultEntry, SearchResultReference or SearchResultDone with the
// search's message ID, an ExtendedResponse with that ID, or an unsolicited
// notification (ExtendedResponse with ID 0, RFC 4511 4.4). Our own request
// reflected, another operation or another ID is open (unexpected-reply).
// Over UDP, a SearchResultEntry or a result with the ping's message ID.
package ldap

// Package locator finds a domain's DCs the way a Windows client's DC
// locator does ([MS-ADTS] 6.3.6 "Locating a Domain Controller", [MS-NRPC]
// 5.5.4.x DsrGetDcNameEx2), so that `winreach logon DOMAIN` probes the DC a
// workstation would use:
//
//  1. DNS SRV _ldap._tcp.dc._msdcs.DOMAIN (RFC 2782; [MS-ADTS] 6.3.6.1);
//  2. each target's A and AAAA records, from the answer's additional
//     section when the server sent them, else by asking;
//  3. the CLDAP "LDAP ping" to each DC (UDP 389, NtVer
//     NETLOGON_NT_VERSION_5EX, [MS-ADTS] 6.3.3), whose
//     NETLOGON_SAM_LOGON_RESPONSE_EX names the DC's site and the client's
//     site (ClientSiteName, from the client's address and the subnets in
//     AD Sites and Services);
//  4. when the client has a site, _ldap._tcp.SITE._sites.dc._msdcs.DOMAIN,
//     the DCs of that site;
//  5. beside them, the records other parts of a logon use:
//     _kerberos._tcp.DOMAIN, _kpasswd._tcp and _kpasswd._udp.DOMAIN, and
//     _gc._tcp.FOREST (the forest from the ping's DnsForestName).
//
// The DC chosen (the rule, deterministic where Windows uses randomness):
// the DCs of the client's site when it has any that answered the ping,
// otherwise every DC; among them the SRV order of RFC 2782 — lowest
// priority first, then highest weight (where Windows draws by weight),
// then target name — and the first that answered the CLDAP ping with a
// NETLOGON_SAM_LOGON_RESPONSE_EX. Windows pings the DCs in that order a
// few at a time and takes the first answer; the first answer in SRV order
// is what a client on an idle network gets.
//
// A NetBIOS domain name (no dot) is located by a directed NetBIOS name
// query for DOMAIN<1C> (the domain controllers' group name) to a WINS
// server ([MS-NRPC] 5.5.4.1 for the NetBIOS path), never by broadcast.
//
// Every failure is a sentence an admin can act on: the missing record by
// its full name, the server asked and what it answered (NXDOMAIN, an empty
// answer, SERVFAIL, a timeout), an SRV target with no address, a DC that
// does not answer the ping, a site without a DC.
package locator

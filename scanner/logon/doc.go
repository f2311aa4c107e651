// Package logon explains, step by step, whether a client can log on to and
// through a domain controller, from the results of a scan of that DC.
//
// A Windows logon uses the network in a fixed order (Microsoft KB Q150543
// for the NT 4.0 functions, "Active Directory and Active Directory Domain
// Services port requirements" and [MS-ADTS] 6.3.3 for the Windows 2000 DC
// locator):
//
//  1. name resolution: DNS (UDP 53, the DC's SRV records) or the NetBIOS
//     name service (UDP 137);
//  2. the DC locator: the CLDAP "LDAP ping" (UDP 389, [MS-ADTS] 6.3.3) or
//     NETLOGON mailslot queries in NetBIOS datagrams (UDP 138);
//  3. Kerberos (TCP and UDP 88, RFC 4120);
//  4. LDAP (TCP 389): directory lookups and group policy;
//  5. SMB: the NETLOGON and SYSVOL shares, by SMB direct host (TCP 445) or
//     through a NetBIOS session (TCP 139);
//  6. RPC: the endpoint mapper (TCP 135) and the dynamic ports it lists,
//     for the secure channel and NetLogon RPC (which can also run over
//     named pipes inside SMB).
//
// Two paths get a client logged on: the Windows 2000 path (DNS, CLDAP,
// Kerberos over TCP or UDP, LDAP, SMB direct host) and the NT 4.0 NetBIOS
// path (UDP 137, UDP 138, TCP 139). A logon can work when one of them has
// no endpoint proven broken; RPC on TCP 135 is reported but not required,
// since NetLogon RPC also runs over SMB named pipes.
//
// Explain is pure: it reads a scanner.HostResult and writes words. Each
// endpoint's evidence is told apart: rejected by a named sender (ICMP
// administratively prohibited), unreachable (ICMP host or network
// unreachable), dropped (silence with no ICMP), nothing listening (a TCP
// reset or an ICMP port unreachable from the DC itself), and silence where
// silence proves nothing (UDP 138, which nothing answers).
//
// Beyond reachability, Checker (facts.go) gathers what breaks logons on
// paths that work: the Kerberos realm learned from the CLDAP ping
// (DnsDomainName) or the rootDSE (ldapServiceName, defaultNamingContext)
// and whether the KDC serves it (KDC_ERR_C_PRINCIPAL_UNKNOWN or
// PREAUTH_REQUIRED for the realm asked, versus KDC_ERR_WRONG_REALM); the
// clock offset from the KRB-ERROR's stime/susec (RFC 4120 5.9.1), checked
// against the SMB2 NEGOTIATE SystemTime ([MS-SMB2] 2.2.4) and NTP (RFC
// 5905), each the server's time minus the midpoint of send and receive,
// with more than 5 minutes (RFC 4120 1.6, KRB_AP_ERR_SKEW) stopping the
// logon; the DC's own DNS server asked the locator's SRV question; and the
// SMB settings that shut out some clients (SMB1 off, signing required).
// The advice speaks the DC's language (words.go): Windows services and
// Windows Defender Firewall rules, Samba's smb.conf server services, or
// neutral words, by what the DC said of itself (Vendor).
package logon

package logon

import "github.com/winreach/winreach/catalog"

// serviceWords name what should listen on an endpoint in the DC's own
// terms: Windows' services, Samba's daemons and smb.conf "server
// services", or neutral words when the vendor is unknown.
func serviceWords(ep catalog.Endpoint, vendor, neutral string) string {
	type words struct{ windows, samba string }
	m := map[catalog.Endpoint]words{
		udp(53):  {"the DNS Server service", "samba's internal DNS server (\"dns\" in smb.conf's server services)"},
		udp(137): {"NetBIOS over TCP/IP on the DC's network adapter", "samba's NetBIOS name server (\"nbt\" in smb.conf's server services, or nmbd)"},
		udp(138): {"NetBIOS over TCP/IP and the Netlogon service", "samba's NetBIOS datagram server (\"nbt\" in smb.conf's server services, or nmbd)"},
		udp(389): {"the Netlogon and Active Directory Domain Services services (they answer the CLDAP ping)", "samba's CLDAP server (\"cldap\" in smb.conf's server services)"},
		tcp(389): {"the Active Directory Domain Services service", "samba's LDAP server (\"ldap\" in smb.conf's server services)"},
		tcp(88):  {"the Kerberos Key Distribution Center service", "samba's KDC (\"kdc\" in smb.conf's server services)"},
		udp(88):  {"the Kerberos Key Distribution Center service", "samba's KDC (\"kdc\" in smb.conf's server services)"},
		tcp(445): {"the Server service (LanmanServer)", "samba's SMB server (smbd; \"smb\" in smb.conf's server services)"},
		tcp(139): {"the Server service and NetBIOS over TCP/IP", "samba's SMB server on the NetBIOS session port (smbd; \"smb ports\" in smb.conf)"},
		tcp(135): {"the RPC Endpoint Mapper service", "samba's RPC server (\"rpc\" in smb.conf's server services)"},
	}
	w, ok := m[ep]
	switch {
	case !ok:
		return neutral
	case vendor == VendorWindows:
		return w.windows
	case vendor == VendorSamba:
		return w.samba
	}
	return neutral
}

// firewallRule is the Windows Defender Firewall inbound rule (its display
// name on a Windows Server DC) that lets an endpoint in.
func firewallRule(ep catalog.Endpoint) string {
	return map[catalog.Endpoint]string{
		udp(53):  "DNS (UDP, Incoming)",
		udp(88):  "Kerberos Key Distribution Center (UDP-In)",
		tcp(88):  "Kerberos Key Distribution Center (TCP-In)",
		udp(137): "File and Printer Sharing (NB-Name-In)",
		udp(138): "File and Printer Sharing (NB-Datagram-In)",
		tcp(139): "File and Printer Sharing (NB-Session-In)",
		tcp(135): "Active Directory Domain Controller (RPC-EPMAP)",
		udp(389): "Active Directory Domain Controller - LDAP (UDP-In)",
		tcp(389): "Active Directory Domain Controller - LDAP (TCP-In)",
		tcp(445): "Active Directory Domain Controller - SAM/LSA (NP-TCP-In)",
	}[ep]
}

// firewallWords says where to open an endpoint on the DC itself.
func firewallWords(ep catalog.Endpoint, vendor string) string {
	switch vendor {
	case VendorWindows:
		if r := firewallRule(ep); r != "" {
			return " (on the DC, the Windows Defender Firewall rule \"" + r + "\")"
		}
		return " (on the DC, in Windows Defender Firewall)"
	case VendorSamba:
		return " (on the DC, in its host firewall: nftables or iptables)"
	}
	return ""
}

// firewallWordsOr, for a drop whose place is unknown, names the DC's own
// firewall beside the path: " (on the way, or on the DC, ...)".
func firewallWordsOr(ep catalog.Endpoint, vendor string) string {
	if w := firewallWords(ep, vendor); w != "" {
		return " (on the way, or " + w[2:]
	}
	return ""
}

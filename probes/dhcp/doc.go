// Package dhcp asks a DHCPv4 server for configuration with DHCPINFORM
// (RFC 2131 3.4, 4.3.5, 4.4.3): a client that already has an address
// (ciaddr) asks for the other parameters, and the server answers with a
// DHCPACK unicast to ciaddr, client port 68. It carries the server
// identifier and options (RFC 2132: subnet mask, routers, DNS servers,
// domain name, NetBIOS name servers) without leasing anything.
//
// Because the answer goes to port 68, the probe must own that port, which
// needs root or CAP_NET_BIND_SERVICE; without it the endpoint is reported
// not-tested. The INFORM leaves from a socket on port 68 connected to the
// server's port 67, so that the kernel reports ICMP port-unreachable to it
// (Linux tells only connected UDP sockets of ICMP errors); a second,
// unconnected socket on the same port (SO_REUSEADDR) hears answers sent
// from another of the server's addresses.
//
// Servers differ: dnsmasq answers INFORM from any client it can reach;
// ISC dhcpd only from clients inside a subnet it is authoritative for;
// Windows DHCP answers if the scope exists. Silence is open|filtered.
//
// Confirmed when: a BOOTREPLY with the magic cookie and our xid, whose
// options parse, came back to port 68. Anything else is ignored as not for
// us; silence is open|filtered.
package dhcp

// Package ica recognises a Citrix ICA listener (TCP 1494). Citrix never
// published the ICA wire protocol; the one public fact a probe needs is
// that the server speaks first, sending the detection string
// 7f 7f 49 43 41 00 (two DEL octets, "ICA", NUL) and repeating it until
// the client answers. nmap's service probes match the same bytes on
// connect (nmap-service-probes, NULL probe, "citrix-ica"), and
// Wireshark's ICA heuristics look for them too.
//
// No Citrix server is packaged for Debian; the lab runs the project's own
// stand-in, cmd/winreach-labd, which sends this greeting.
//
// Confirmed when: the first bytes are a whole copy of the detection
// string. Anything else is open (unexpected-reply).
package ica

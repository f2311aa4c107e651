package icmperr

import "net/netip"

// Dialer dials TCP and UDP so that failures carry the ICMP message behind
// them (Linux; elsewhere a plain net.Dialer). It implements probes.Dialer.
// The zero value is ready to use.
type Dialer struct {
	// LocalAddr, when valid, is the source address to bind.
	LocalAddr netip.Addr
}

//go:build !linux

package icmperr

import "net/netip"

// Unresolved knows nothing outside Linux: a missing host reads as silence.
func (Neighbors) Unresolved(netip.Addr) bool { return false }

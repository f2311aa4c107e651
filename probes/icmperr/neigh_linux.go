package icmperr

import (
	"net/netip"
	"syscall"
)

// Unresolved reports whether addr is in the neighbour table with no
// link-layer address: resolution is still incomplete or has failed. An
// address that is not on a local link has no entry and gives false.
func (Neighbors) Unresolved(addr netip.Addr) bool {
	family := syscall.AF_INET
	if !addr.Unmap().Is4() {
		family = syscall.AF_INET6
	}
	dump, err := syscall.NetlinkRIB(syscall.RTM_GETNEIGH, family)
	if err != nil {
		return false
	}
	rows, _ := parseNeighbors(dump)
	for _, n := range rows {
		if n.addr == addr.Unmap() {
			return n.unresolved()
		}
	}
	return false
}

package icmperr

import (
	"encoding/binary"
	"errors"
	"net/netip"
)

// Neighbors asks the kernel's neighbour table (ARP for IPv4, neighbour
// discovery for IPv6) whether an address on the local link has answered.
// A host that does not exist sends no ICMP error: the kernel gives up
// resolving its link-layer address after about three seconds and only then
// reports EHOSTUNREACH. A probe that waits less sees silence, like a
// firewall's drop; the neighbour table tells the two apart at once, since a
// dropping host still answers ARP. The zero value is ready to use; on
// systems other than Linux it knows nothing.
type Neighbors struct{}

// Neighbour states (linux/neighbour.h, NUD_*).
const (
	nudIncomplete = 0x01 // resolution in progress: no answer yet
	nudFailed     = 0x20 // resolution gave up
	ndaDst        = 1    // NDA_DST: the neighbour's network address
	ndMsgLen      = 12   // struct ndmsg
	nlMsgHdrLen   = 16   // struct nlmsghdr
	rtmNewNeigh   = 28   // RTM_NEWNEIGH
	nlmsgDone     = 3    // NLMSG_DONE
)

// neighbor is one row of the neighbour table.
type neighbor struct {
	addr  netip.Addr
	state uint16
}

// unresolved reports whether the state means no link-layer answer came.
func (n neighbor) unresolved() bool { return n.state&(nudIncomplete|nudFailed) != 0 }

// parseNeighbors reads an RTM_GETNEIGH dump: netlink messages (nlmsghdr,
// RFC 3549 2.3.2) of type RTM_NEWNEIGH, each an ndmsg followed by rtattrs
// (4-byte aligned), of which NDA_DST holds the address. It is bounded by
// the input and never trusts a length beyond it.
func parseNeighbors(b []byte) ([]neighbor, error) {
	var out []neighbor
	for len(b) >= nlMsgHdrLen {
		msgLen := int(binary.NativeEndian.Uint32(b[0:4]))
		typ := binary.NativeEndian.Uint16(b[4:6])
		if msgLen < nlMsgHdrLen || msgLen > len(b) {
			return out, errors.New("netlink: message length out of bounds")
		}
		if typ == nlmsgDone {
			break
		}
		if typ == rtmNewNeigh && msgLen >= nlMsgHdrLen+ndMsgLen {
			body := b[nlMsgHdrLen:msgLen]
			n := neighbor{state: binary.NativeEndian.Uint16(body[8:10])}
			attrs := body[ndMsgLen:]
			for len(attrs) >= 4 {
				alen := int(binary.NativeEndian.Uint16(attrs[0:2]))
				atyp := binary.NativeEndian.Uint16(attrs[2:4])
				if alen < 4 || alen > len(attrs) {
					break
				}
				if atyp == ndaDst {
					if a, ok := netip.AddrFromSlice(attrs[4:alen]); ok {
						n.addr = a.Unmap()
					}
				}
				attrs = attrs[min(align4(alen), len(attrs)):]
			}
			if n.addr.IsValid() {
				out = append(out, n)
			}
		}
		b = b[min(align4(msgLen), len(b)):]
	}
	return out, nil
}

func align4(n int) int { return (n + 3) &^ 3 }

package icmperr

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"io"
	"net/netip"
	"strconv"
	"strings"
)

// Routes is a snapshot of the kernel's routing table, read once per scan,
// that names the path to each address: the evidence that two hosts share
// their round trips. Hosts on the same on-link prefix share a link; hosts
// behind the same next hop in the same /24 (IPv4) or /64 (IPv6) share the
// path up to one far subnet. A default or summary route alone is no such
// evidence: it is narrowed to the address's /24 or /64. The zero value
// knows no route.
type Routes struct {
	routes []route
	// noARP holds the interfaces that resolve no link-layer addresses
	// (IFF_NOARP: tunnels, point-to-point links), where "on-link" says
	// nothing about the distance.
	noARP map[string]bool
}

// route is one row of the routing table.
type route struct {
	prefix  netip.Prefix
	gateway netip.Addr // invalid on-link
	iface   string
	metric  uint32
}

// Route flags (linux/route.h).
const (
	rtfUp      = 0x0001
	rtfGateway = 0x0002
	rtfReject  = 0x0200
)

// PathKey names the path to a: "" when no route covers it (no evidence,
// nothing shared).
func (r Routes) PathKey(a netip.Addr) string {
	rt, ok := r.lookup(a)
	if !ok {
		return ""
	}
	a = a.Unmap()
	if !rt.gateway.IsValid() {
		return "link " + rt.iface + " " + rt.prefix.String()
	}
	far := rt.prefix
	subnet := 24
	if a.Is6() {
		subnet = 64
	}
	if far.Bits() < subnet {
		far, _ = a.Prefix(subnet)
	}
	return "via " + rt.gateway.String() + " " + rt.iface + " " + far.String()
}

// Adjacent reports whether a is on the local link of an interface that
// resolves link-layer addresses (ARP, neighbour discovery): no router in
// between, and no packet to a leaves before a itself answered the
// resolution, so any wait for it is a wait on one link. A tunnel's
// "on-link" addresses are not adjacent: the tunnel may cross a WAN.
func (r Routes) Adjacent(a netip.Addr) bool {
	rt, ok := r.lookup(a)
	return ok && !rt.gateway.IsValid() && rt.iface != "lo" && !r.noARP[rt.iface]
}

// lookup is the longest-prefix match for a, the lowest metric among equals.
func (r Routes) lookup(a netip.Addr) (route, bool) {
	a = a.Unmap()
	best := -1
	for i, rt := range r.routes {
		if !rt.prefix.Contains(a) {
			continue
		}
		if best < 0 || rt.prefix.Bits() > r.routes[best].prefix.Bits() ||
			rt.prefix.Bits() == r.routes[best].prefix.Bits() && rt.metric < r.routes[best].metric {
			best = i
		}
	}
	if best < 0 {
		return route{}, false
	}
	return r.routes[best], true
}

// parseRoutes4 reads /proc/net/route: a header line, then per route the
// interface, destination, gateway, flags, refcnt, use, metric and mask,
// addresses as the hex of the 32-bit value in host byte order. Malformed
// lines are skipped; reading is bounded by the input.
func parseRoutes4(rd io.Reader) []route {
	var out []route
	sc := bufio.NewScanner(rd)
	for first := true; sc.Scan(); first = false {
		f := strings.Fields(sc.Text())
		if first || len(f) < 8 {
			continue
		}
		dst, ok1 := hexAddr4(f[1])
		gw, ok2 := hexAddr4(f[2])
		flags, err1 := strconv.ParseUint(f[3], 16, 16)
		metric, err2 := strconv.ParseUint(f[6], 10, 32)
		mask, ok3 := hexAddr4(f[7])
		if !ok1 || !ok2 || !ok3 || err1 != nil || err2 != nil || flags&rtfUp == 0 || flags&rtfReject != 0 {
			continue
		}
		bits := maskBits(mask.AsSlice())
		if bits < 0 {
			continue
		}
		rt := route{prefix: netip.PrefixFrom(dst, bits).Masked(), iface: f[0], metric: uint32(metric)}
		if flags&rtfGateway != 0 {
			rt.gateway = gw
		}
		out = append(out, rt)
	}
	return out
}

// parseRoutes6 reads /proc/net/ipv6_route: per route the destination (32
// hex digits), its prefix length (2 hex digits), source and its length,
// next hop, metric, refcnt, use, flags (all hex) and the interface.
func parseRoutes6(rd io.Reader) []route {
	var out []route
	sc := bufio.NewScanner(rd)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 10 {
			continue
		}
		dst, ok1 := hexAddr16(f[0])
		gw, ok2 := hexAddr16(f[4])
		bits, err1 := strconv.ParseUint(f[1], 16, 8)
		metric, err2 := strconv.ParseUint(f[5], 16, 32)
		flags, err3 := strconv.ParseUint(f[8], 16, 32)
		if !ok1 || !ok2 || err1 != nil || err2 != nil || err3 != nil || bits > 128 ||
			flags&rtfUp == 0 || flags&rtfReject != 0 || f[9] == "lo" {
			continue
		}
		rt := route{prefix: netip.PrefixFrom(dst, int(bits)).Masked(), iface: f[9], metric: uint32(metric)}
		if flags&rtfGateway != 0 && !gw.IsUnspecified() {
			rt.gateway = gw
		}
		out = append(out, rt)
	}
	return out
}

// hexAddr4 is an IPv4 address printed as the hex of a host-order uint32.
func hexAddr4(s string) (netip.Addr, bool) {
	v, err := strconv.ParseUint(s, 16, 32)
	if err != nil || len(s) != 8 {
		return netip.Addr{}, false
	}
	var b [4]byte
	binary.NativeEndian.PutUint32(b[:], uint32(v))
	return netip.AddrFrom4(b), true
}

// hexAddr16 is an IPv6 address as 32 hex digits in network order.
func hexAddr16(s string) (netip.Addr, bool) {
	var b [16]byte
	if len(s) != 32 {
		return netip.Addr{}, false
	}
	if _, err := hex.Decode(b[:], []byte(s)); err != nil {
		return netip.Addr{}, false
	}
	return netip.AddrFrom16(b), true
}

// maskBits is the length of a contiguous netmask, -1 for any other.
func maskBits(m []byte) int {
	bits, done := 0, false
	for _, x := range m {
		for i := 7; i >= 0; i-- {
			set := x&(1<<i) != 0
			switch {
			case set && done:
				return -1
			case set:
				bits++
			default:
				done = true
			}
		}
	}
	return bits
}

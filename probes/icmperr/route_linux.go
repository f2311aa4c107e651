package icmperr

import (
	"io"
	"os"
	"strconv"
	"strings"
)

// maxRouteTable bounds each routing-table read.
const maxRouteTable = 4 << 20

// LoadRoutes reads this network namespace's routing tables
// (/proc/net/route, /proc/net/ipv6_route). A table that cannot be read
// is empty: its addresses get no path key, so nothing is shared.
func LoadRoutes() Routes {
	var r Routes
	if f, err := os.Open("/proc/net/route"); err == nil {
		r.routes = append(r.routes, parseRoutes4(io.LimitReader(f, maxRouteTable))...)
		f.Close()
	}
	if f, err := os.Open("/proc/net/ipv6_route"); err == nil {
		r.routes = append(r.routes, parseRoutes6(io.LimitReader(f, maxRouteTable))...)
		f.Close()
	}
	r.noARP = map[string]bool{}
	for _, rt := range r.routes {
		if _, seen := r.noARP[rt.iface]; seen || strings.ContainsAny(rt.iface, "/.") {
			continue
		}
		// /sys/class/net/IF/flags: "0x1003"; IFF_NOARP is 0x80. An
		// unreadable one is taken as NOARP: no claim of adjacency.
		r.noARP[rt.iface] = true
		if b, err := os.ReadFile("/sys/class/net/" + rt.iface + "/flags"); err == nil {
			if f, err := strconv.ParseUint(strings.TrimSpace(strings.TrimPrefix(string(b), "0x")), 16, 32); err == nil {
				r.noARP[rt.iface] = f&iffNoARP != 0
			}
		}
	}
	return r
}

// iffNoARP is IFF_NOARP (linux/if.h).
const iffNoARP = 0x80

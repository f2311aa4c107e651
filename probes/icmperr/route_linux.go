package icmperr

import (
	"io"
	"os"
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
	return r
}

package icmperr

import (
	"net/netip"
	"strings"
	"testing"
)

// labRoutes4 is /proc/net/route in the shape the kernel prints it (x86,
// so each address is the little-endian hex of its four bytes), for a
// client on 198.18.1.0/24 with 198.18.2.0/23 behind the router 198.18.1.1
// and a default route via it.
const labRoutes4 = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n" +
	"eth0\t00000000\t010112C6\t0003\t0\t0\t0\t00000000\t0\t0\t0\n" +
	"eth0\t000112C6\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n" +
	"eth0\t000212C6\t010112C6\t0003\t0\t0\t0\t00FEFFFF\t0\t0\t0\n" +
	"eth0\t000412C6\t00000000\t0201\t0\t0\t0\t00FFFFFF\t0\t0\t0\n" // a reject route: no path

// labRoutes6 is /proc/net/ipv6_route for the same client: the on-link
// fd77:7272:1::/64, fd77:7272:2::/48 via fd77:7272:1::1, and the local
// route of the client's own address on lo (ignored).
const labRoutes6 = "fd777272000100000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0\n" +
	"fd777272000200000000000000000000 30 00000000000000000000000000000000 00 fd777272000100000000000000000001 00000400 00000002 00000000 00000003     eth0\n" +
	"fd777272000100000000000000000002 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000003 00000000 80200001       lo\n"

func labTable() Routes {
	return Routes{routes: append(parseRoutes4(strings.NewReader(labRoutes4)), parseRoutes6(strings.NewReader(labRoutes6))...)}
}

func TestPathKey(t *testing.T) {
	r := labTable()
	for _, tc := range []struct{ addr, want string }{
		{"198.18.1.10", "link eth0 198.18.1.0/24"},
		{"198.18.1.60", "link eth0 198.18.1.0/24"},
		{"198.18.2.10", "via 198.18.1.1 eth0 198.18.2.0/24"},
		{"198.18.3.10", "via 198.18.1.1 eth0 198.18.3.0/24"}, // a /23 route: narrowed to the /24
		{"198.19.7.7", "via 198.18.1.1 eth0 198.19.7.0/24"},  // default route: narrowed to the /24
		{"198.18.4.4", "via 198.18.1.1 eth0 198.18.4.0/24"},  // the reject route is skipped
		{"fd77:7272:1::10", "link eth0 fd77:7272:1::/64"},
		{"fd77:7272:2:5::10", "via fd77:7272:1::1 eth0 fd77:7272:2:5::/64"},
		{"fd00::1", ""},
		{"::ffff:198.18.1.10", "link eth0 198.18.1.0/24"},
	} {
		if got := r.PathKey(netip.MustParseAddr(tc.addr)); got != tc.want {
			t.Errorf("PathKey(%s) = %q, want %q", tc.addr, got, tc.want)
		}
	}
	if got := (Routes{}).PathKey(netip.MustParseAddr("198.18.1.10")); got != "" {
		t.Errorf("empty table: %q", got)
	}
}

func TestAdjacent(t *testing.T) {
	r := labTable()
	r.routes = append(r.routes, parseRoutes4(strings.NewReader("Iface\n"+
		"tun0\t000512C6\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"))...) // 198.18.5.0/24 dev tun0
	r.noARP = map[string]bool{"eth0": false, "tun0": true}
	for addr, want := range map[string]bool{
		"198.18.1.60":     true,  // on the Ethernet link
		"198.18.2.10":     false, // behind the router
		"198.18.5.10":     false, // "on-link" through a tunnel
		"fd77:7272:1::60": true,
		"fd00::1":         false, // no route
	} {
		if got := r.Adjacent(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Adjacent(%s) = %v, want %v", addr, got, want)
		}
	}
}

func TestMaskBits(t *testing.T) {
	for _, tc := range []struct {
		m    []byte
		want int
	}{{[]byte{255, 255, 255, 0}, 24}, {[]byte{255, 255, 254, 0}, 23}, {[]byte{0, 0, 0, 0}, 0}, {[]byte{255, 0, 255, 0}, -1}} {
		if got := maskBits(tc.m); got != tc.want {
			t.Errorf("maskBits(%v) = %d, want %d", tc.m, got, tc.want)
		}
	}
}

func FuzzParseRoutes(f *testing.F) {
	f.Add(labRoutes4)
	f.Add(labRoutes6)
	f.Fuzz(func(t *testing.T, s string) {
		r := Routes{routes: append(parseRoutes4(strings.NewReader(s)), parseRoutes6(strings.NewReader(s))...)}
		for _, rt := range r.routes {
			if !rt.prefix.IsValid() {
				t.Fatalf("invalid prefix from %q", s)
			}
		}
		_ = r.PathKey(netip.MustParseAddr("198.18.1.10"))
	})
}

package locator

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"strings"

	"github.com/winreach/winreach/probes/dns"
)

// ResolvConf is the system's DNS server list on Unix.
const ResolvConf = "/etc/resolv.conf"

// SystemServer is the first "nameserver" of a resolv.conf (resolv.conf(5)),
// the server a stub resolver asks first; false when there is none.
func SystemServer(path string) (netip.AddrPort, bool) {
	f, err := os.Open(path)
	if err != nil {
		return netip.AddrPort{}, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 || fields[0] != "nameserver" {
			continue
		}
		if a, err := netip.ParseAddr(fields[1]); err == nil {
			return netip.AddrPortFrom(a.WithZone(""), 53), true
		}
	}
	return netip.AddrPort{}, false
}

// ParseServer reads --dns: an address with an optional port (53 when
// absent), "[v6]:port" for IPv6 with a port.
func ParseServer(s string) (netip.AddrPort, error) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap, nil
	}
	a, err := netip.ParseAddr(strings.Trim(s, "[]"))
	if err != nil {
		return netip.AddrPort{}, errors.New("want an IP address with an optional :PORT, e.g. 198.18.1.10 or 198.18.1.10:53")
	}
	return netip.AddrPortFrom(a, 53), nil
}

// NetResolver asks the operating system's resolver (where no resolv.conf
// names a server, as on Windows). It cannot tell NXDOMAIN from an empty
// answer; both come back as NXDOMAIN.
type NetResolver struct{ R *net.Resolver }

// Query implements Resolver for SRV, A and AAAA.
func (n NetResolver) Query(ctx context.Context, name string, qtype uint16) (dns.Exchange, error) {
	r := n.R
	if r == nil {
		r = net.DefaultResolver
	}
	var m dns.Message
	var err error
	switch qtype {
	case dns.TypeSRV:
		var srvs []*net.SRV
		_, srvs, err = r.LookupSRV(ctx, "", "", name)
		for _, s := range srvs {
			m.Answers = append(m.Answers, dns.RR{Name: name, Type: dns.TypeSRV, Class: dns.ClassIN,
				SRV: &dns.SRV{Priority: s.Priority, Weight: s.Weight, Port: s.Port, Target: s.Target}})
		}
	case dns.TypeA, dns.TypeAAAA:
		network := "ip4"
		if qtype == dns.TypeAAAA {
			network = "ip6"
		}
		var addrs []netip.Addr
		addrs, err = r.LookupNetIP(ctx, network, name)
		for _, a := range addrs {
			m.Answers = append(m.Answers, dns.RR{Name: name, Type: qtype, Class: dns.ClassIN, Addr: a.Unmap()})
		}
	default:
		return dns.Exchange{}, errors.New("the system resolver asks only SRV, A and AAAA")
	}
	var de *net.DNSError
	switch {
	case errors.As(err, &de) && de.IsNotFound:
		m.RCode = 3
		err = nil
	case errors.As(err, &de) && de.IsTimeout:
		err = dns.ErrTimeout
	}
	return dns.Exchange{Server: "the system resolver", Reply: m}, err
}

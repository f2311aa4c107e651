package locator

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/netbios"
)

// WINS asks one WINS server (a NetBIOS name server, UDP 137) directly:
// unicast, never a broadcast.
type WINS struct {
	Server  netip.Addr
	Dialer  probes.Dialer
	Timeout time.Duration
	Retries int
}

// DomainControllers asks for domain<1C>.
func (w WINS) DomainControllers(ctx context.Context, domain string) (netbios.NameQueryReply, error) {
	d := w.Dialer
	if d == nil {
		d = &net.Dialer{}
	}
	timeout := w.Timeout
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	conn, err := d.DialContext(ctx, "udp", netip.AddrPortFrom(w.Server, 137).String())
	if err != nil {
		return netbios.NameQueryReply{}, err
	}
	defer conn.Close()
	id := uint16(rand.Uint32())
	req := netbios.AppendNameQuery(nil, id, domain, netbios.SuffixDomainControllers)
	buf := make([]byte, 1500)
	for range 1 + max(w.Retries, 0) {
		if _, err := conn.Write(req); err != nil {
			return netbios.NameQueryReply{}, err
		}
		_ = conn.SetReadDeadline(time.Now().Add(timeout))
		for {
			n, err := conn.Read(buf)
			if err != nil {
				break
			}
			r, err := netbios.ParseNameQuery(buf[:n])
			if err == nil && r.ID == id {
				return r, nil
			}
		}
		if ctx.Err() != nil {
			return netbios.NameQueryReply{}, ctx.Err()
		}
	}
	return netbios.NameQueryReply{}, errTimeoutWINS
}

var errTimeoutWINS = errors.New("no answer")

// LocateNetBIOS finds the DCs of a NetBIOS domain (LAB) through WINS, as
// NT-style clients do, then CLDAP-pings each to learn its DNS domain.
func LocateNetBIOS(ctx context.Context, cfg Config, w WINS, domain string) Result {
	domain = strings.ToUpper(domain)
	rec := domain + "<1C>"
	res := Result{Domain: domain, Server: w.Server.String(), Via: "WINS server", Record: rec, Chosen: -1}
	l := Lookup{Name: rec, Type: "NB", Server: w.Server.String() + ":137", Purpose: "the domain controllers of a NetBIOS domain, registered in WINS"}
	r, err := w.DomainControllers(ctx, domain)
	switch {
	case errors.Is(err, errTimeoutWINS):
		l.Outcome = Timeout
	case err != nil:
		l.Outcome, l.Detail = Failed, err.Error()
	case r.RCode == 3:
		l.Outcome, l.Detail = NXDomain, "NAM_ERR"
	case r.RCode != 0:
		l.Outcome, l.Detail = Failed, fmt.Sprintf("RCODE %d", r.RCode)
	case len(r.Addrs) == 0:
		l.Outcome = Empty
	default:
		l.Outcome = Found
		for _, a := range r.Addrs {
			l.Addrs = append(l.Addrs, a.String())
		}
	}
	res.Lookups = append(res.Lookups, l)
	if l.Outcome != Found {
		res.Problems = append(res.Problems, fmt.Sprintf("WINS server %s has no name %s: it answered %s; NetBIOS clients cannot find a DC of %s (the DCs register it when NetBIOS over TCP/IP and WINS are set on them)",
			w.Server, rec, l.Said(), domain))
		return res
	}
	for _, a := range r.Addrs {
		res.DCs = append(res.DCs, DC{Name: a.String(), Addrs: []netip.Addr{a}, AddrSource: "WINS"})
	}
	pingDCs(ctx, cfg, &res, "")
	for i := range res.DCs {
		dc := &res.DCs[i]
		if dc.Ping != nil && dc.Ping.Answered() {
			if n := dc.Ping.Netlogon.DNSHostName; n != "" {
				dc.Name = strings.ToLower(n)
			}
			if res.Chosen < 0 {
				res.Chosen = i
				dc.Chosen = true
				res.ClientSite = dc.Ping.Netlogon.ClientSiteName
			}
		}
	}
	if res.Chosen < 0 {
		res.Problems = append(res.Problems, noPing(res.DCs))
	}
	return res
}

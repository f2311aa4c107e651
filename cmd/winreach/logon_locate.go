package main

// The DC locator side of winreach logon: --dns and --wins, telling a
// domain from a DC's name, and the document's text. Kept apart from
// logon.go, whose scanner set-up moves to the scanner package.

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/dns"
	"github.com/winreach/winreach/probes/ldap"
	"github.com/winreach/winreach/probes/ntp"
	"github.com/winreach/winreach/probes/suite"
	"github.com/winreach/winreach/scanner/locator"
	"github.com/winreach/winreach/scanner/logon"
)

func checkLocatorFlags(f *scanFlags) error {
	if f.dns != "" {
		if _, err := locator.ParseServer(f.dns); err != nil {
			return usagef("logon: --dns %q: %v", f.dns, err)
		}
	}
	if f.wins != "" {
		if _, err := netip.ParseAddr(f.wins); err != nil {
			return usagef("logon: --wins %q: want the WINS server's IP address", f.wins)
		}
	}
	return nil
}

// resolverFor is --dns, else the first server of /etc/resolv.conf, else
// the operating system's resolver.
func resolverFor(f *scanFlags, d probes.Dialer) (locator.Resolver, string) {
	if f.dns != "" {
		ap, _ := locator.ParseServer(f.dns) // checked by checkLocatorFlags
		return dns.Client{Server: ap, Dialer: d, Timeout: f.timeout, Retries: f.retries}, ap.String()
	}
	if ap, ok := locator.SystemServer(locator.ResolvConf); ok {
		return dns.Client{Server: ap, Dialer: d, Timeout: f.timeout, Retries: f.retries}, ap.String() + " (from " + locator.ResolvConf + ")"
	}
	return locator.NetResolver{}, "the system resolver"
}

// locateTargets runs the DC locator when the one target is a domain and
// replaces it with the DC a client would use (or, when none answers the
// CLDAP ping, the first DC with an address, so the steps show why). It
// returns the CLDAP answers by address.
func locateTargets(ctx context.Context, f *scanFlags, cfg suite.Config, doc *logonDocument) (map[netip.Addr]*ldap.NetlogonResponse, error) {
	located := map[netip.Addr]*ldap.NetlogonResponse{}
	if len(f.targets) != 1 || f.listFile != "" {
		return located, nil
	}
	resolver, server := resolverFor(f, cfg.Dialer)
	name := f.targets[0]
	var res locator.Result
	lc := locator.Config{Resolver: resolver, Server: server,
		Ping: locator.PingUDP(probes.UDP{Dialer: cfg.Dialer, Timeout: f.timeout, Retries: max(f.retries, 2)})}
	switch {
	case f.wins != "" && !strings.Contains(name, ".") && !isAddr(name):
		wins, _ := netip.ParseAddr(f.wins)
		res = locator.LocateNetBIOS(ctx, lc, locator.WINS{Server: wins, Dialer: cfg.Dialer, Timeout: f.timeout, Retries: max(f.retries, 2)}, name)
	case locator.IsDomain(ctx, resolver, name):
		res = locator.Locate(ctx, lc, name)
	default:
		return located, nil
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	doc.Locator = &res
	f.targets = nil
	if dc, ok := res.ChosenDC(); ok {
		f.targets = []string{dc.Pinged.String()}
		located[dc.Pinged] = dc.Ping.Netlogon
		return located, nil
	}
	for _, dc := range res.DCs {
		if dc.Pinged.IsValid() {
			f.targets = []string{dc.Pinged.String()}
			break
		}
	}
	return located, nil
}

func isAddr(s string) bool { _, err := netip.ParseAddr(s); return err == nil }

// ntpSample asks the DC's NTP server for the clock cross-check.
func ntpSample(d probes.Dialer, timeout time.Duration) func(context.Context, netip.Addr) (logon.ClockSample, bool) {
	return logon.NTPSampler(ntp.Clock{Dialer: d, Timeout: timeout})
}

// summarise copies the first DC's realm and clock to the top of the
// document.
func (d *logonDocument) summarise() {
	for _, r := range d.DCs {
		if r.Facts == nil {
			continue
		}
		if rl := r.Facts.Realm; rl != nil {
			d.RealmLearned, d.RealmAsked = rl.Learned, rl.Asked
		}
		if c := r.Facts.Clock; c != nil {
			off := c.OffsetMS
			d.ClockOffsetMS, d.ClockSource = &off, c.Source
		}
		return
	}
}

func (d *logonDocument) writeText(w io.Writer) error {
	if d.Locator != nil {
		if err := d.Locator.WriteText(w); err != nil {
			return err
		}
	}
	for _, r := range d.DCs {
		if err := r.WriteText(w); err != nil {
			return err
		}
	}
	verdict := "A logon can work: some DC can serve it."
	if !d.CanLogOn {
		verdict = "A logon cannot work: no DC found can serve it."
	}
	_, err := fmt.Fprintln(w, verdict)
	return err
}

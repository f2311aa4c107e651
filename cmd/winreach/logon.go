package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes/icmperr"
	"github.com/winreach/winreach/probes/suite"
	"github.com/winreach/winreach/scanner"
	"github.com/winreach/winreach/scanner/locator"
	"github.com/winreach/winreach/scanner/logon"
	"github.com/winreach/winreach/scanner/report"
)

const logonUsage = `Usage: winreach logon [flags] DOMAIN
       winreach logon [flags] DC...

Why can't this workstation log on? Run from the client's network.

Given a domain (lab.test), logon runs the DC locator as a Windows client
does: it asks DNS for _ldap._tcp.dc._msdcs.DOMAIN, resolves each DC's A
and AAAA records, pings each DC over CLDAP (UDP 389), learns the client's
site and prefers _ldap._tcp.SITE._sites.dc._msdcs.DOMAIN, checks the
_kerberos, _kpasswd and _gc records, and picks the DC the client would use
(the site's DCs first, then SRV priority, weight and name; the first that
answers the ping). Then it probes every function a logon to that DC uses
(DNS, NetBIOS, CLDAP, Kerberos, LDAP, SMB 445 and 139, RPC), asks the KDC
for the realm the DC named, measures the clock offset (Kerberos stime,
SMB2 SystemTime, NTP), and explains step by step what works, what breaks
and what to open, in the DC's own terms (Windows or Samba).

A name with a dot is a domain when DNS has its locator record, or when
neither it nor its parent domain has one (dc1.lab.test, in a domain that
has, is a DC's name). Addresses and several names are DCs. A name without
a dot is a NetBIOS domain when --wins is given, else a DC's name.

Flags:
  --dns SERVER[:PORT] ask this DNS server (default: the first nameserver of
                     /etc/resolv.conf, else the system resolver)
  --wins SERVER      locate a NetBIOS domain (CORP) by a directed query for
                     CORP<1C> to this WINS server (never a broadcast)
  --timeout D        wait per attempt (default 2s)
  --retries N        extra attempts after silence (default 1; UDP at least 2)
  --concurrency N    probes in flight (default: from the open-file limit)
  --rpc-follow=false do not probe the dynamic RPC ports the endpoint mapper lists
  --format F         text (default), json (the steps as data) or html
  -o FILE            write to FILE (atomically) instead of standard output
  --no-progress      no progress bar

Examples:
  # Would a client using this DNS server find a DC and log on?
  winreach logon --dns 198.18.1.12 lab.test
  # Why can't this workstation log on to these DCs?
  winreach logon dc1.example.test 198.18.1.11

Exit codes: 0 a logon can work (some DC can serve it), 1 it cannot (no DC
found, or none can serve it: a path blocked, a KDC without the realm, a
clock more than 5 minutes off), 2 bad usage, 3 runtime failure, 130
interrupted.
`

func parseLogonFlags(args []string, defaultConcurrency int) (*scanFlags, error) {
	f := &scanFlags{}
	fs := newFlagSet("logon")
	fs.IntVar(&f.concurrency, "concurrency", defaultConcurrency, "")
	fs.DurationVar(&f.timeout, "timeout", 2*time.Second, "")
	fs.IntVar(&f.retries, "retries", 1, "")
	fs.StringVar(&f.format, "format", "text", "")
	fs.StringVar(&f.output, "o", "", "")
	fs.BoolVar(&f.noProgress, "no-progress", false, "")
	fs.BoolVar(&f.rpcFollow, "rpc-follow", true, "")
	fs.StringVar(&f.dns, "dns", "", "")
	fs.StringVar(&f.wins, "wins", "", "")
	targets, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usagef("logon: %v", err)
	}
	f.targets = targets
	switch {
	case len(f.targets) == 0:
		return nil, usagef("logon: no domain controller given (name one or more DCs)")
	case f.concurrency < 1:
		return nil, usagef("logon: --concurrency must be at least 1, not %d", f.concurrency)
	case f.timeout <= 0:
		return nil, usagef("logon: --timeout must be positive, not %s", f.timeout)
	case f.retries < 0:
		return nil, usagef("logon: --retries cannot be negative")
	case f.format != "text" && f.format != "json" && f.format != "html":
		return nil, usagef("logon: unknown --format %q (want text, json or html)", f.format)
	}
	if err := checkLocatorFlags(f); err != nil {
		return nil, err
	}
	return f, nil
}

// logonSelection is every function a logon uses, plus the CLDAP ping.
func logonSelection(c *catalog.Catalog) scanner.Selection {
	var fns []catalog.Function
	for _, id := range logon.Functions() {
		f, ok := c.Function(id)
		if !ok {
			panic("logon function " + id + " is not in the catalog") // ruled out by the logon package tests
		}
		fns = append(fns, f)
	}
	return scanner.Select(c, fns, logon.ExtraEndpoints())
}

// logonDocument is the JSON of winreach logon.
type logonDocument struct {
	Scanner     string    `json:"scanner"`
	Version     string    `json:"version"`
	StartTime   time.Time `json:"start_time"`
	EndTime     time.Time `json:"end_time"`
	Interrupted bool      `json:"interrupted"`
	Targets     []string  `json:"targets"`
	CanLogOn    bool      `json:"can_log_on"`
	// Locator is the DC locator's run when a domain was given.
	Locator *locator.Result `json:"locator,omitempty"`
	// The realm and the clock of the first DC, as in its facts.
	RealmLearned  string         `json:"realm_learned,omitempty"`
	RealmAsked    string         `json:"realm_asked,omitempty"`
	ClockOffsetMS *int64         `json:"clock_offset_ms,omitempty"`
	ClockSource   string         `json:"clock_source,omitempty"`
	DCs           []logon.Report `json:"dcs"`
}

func cmdLogon(ctx context.Context, e env, args []string) error {
	f, err := parseLogonFlags(args, defaultConcurrency())
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(e.stdout, logonUsage)
		return nil
	}
	if err != nil {
		return err
	}
	sel := logonSelection(catalog.Default())
	doc := logonDocument{Scanner: "winreach", Version: version, StartTime: time.Now().UTC(), Targets: f.targets}
	cfg := suite.Config{Dialer: &icmperr.Dialer{}, Timeout: f.timeout, Retries: f.retries, RPCFollow: f.rpcFollow}
	located, err := locateTargets(ctx, f, cfg, &doc)
	if err != nil {
		return err
	}
	out, err := createOutput(e.stdout, f.output)
	if err != nil {
		return err
	}
	defer out.Abort()
	var hosts []scanner.HostResult
	var stats scanner.Stats
	if len(f.targets) > 0 {
		src, err := openTargets(ctx, e, f)
		if err != nil {
			return err
		}
		stats = probeHosts(ctx, e, f, sel, src, cfg, nil, func(h scanner.HostResult) { hosts = append(hosts, h) })
	}
	doc.EndTime, doc.Interrupted = time.Now().UTC(), stats.Interrupted
	report.SortHosts(hosts)
	checker := logon.Checker{Dialer: cfg.Dialer, Timeout: f.timeout, Retries: f.retries, NTP: ntpSample(cfg.Dialer, f.timeout)}
	doc.DCs = checker.ExplainAll(ctx, hosts, located, 8)
	for _, r := range doc.DCs {
		doc.CanLogOn = doc.CanLogOn || r.CanLogOn
	}
	if doc.Locator != nil && !doc.Locator.Located() {
		doc.CanLogOn = false
		logon.Unlocated(doc.Locator, doc.DCs)
	}
	doc.summarise()
	doc.EndTime = time.Now().UTC()

	if f.format == "json" {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		err = enc.Encode(doc)
	} else if f.format == "html" {
		err = writeLogonHTML(out, doc)
	} else {
		err = doc.writeText(out)
	}
	if err != nil {
		return err
	}
	if stats.Err != nil {
		if err := out.Commit(); err != nil {
			return err
		}
		return stats.Err
	}
	if err := finishOutput(e, out, stats.Interrupted); err != nil {
		return err
	}
	switch {
	case !doc.CanLogOn:
		return exitError{exitNotAll}
	}
	return nil
}

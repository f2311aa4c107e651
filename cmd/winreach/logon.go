package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"time"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes/icmperr"
	"github.com/winreach/winreach/probes/suite"
	"github.com/winreach/winreach/scanner"
	"github.com/winreach/winreach/scanner/logon"
	"github.com/winreach/winreach/scanner/report"
)

const logonUsage = `Usage: winreach logon [flags] DC...

Why can't a client log on? Run from the client's network, against its
domain controllers, logon probes every function a logon to and through a
DC uses (name resolution by DNS and NetBIOS, the DC locator's CLDAP ping
and NetLogon datagrams, Kerberos, LDAP, SMB direct host and the NetBIOS
session, the RPC endpoint mapper and the dynamic ports it lists) and
explains, step by step in the order a logon uses them, what works, what
breaks and how (rejected by a firewall, unreachable, dropped, nothing
listening), and what to open.

A logon can work when the Windows 2000 path (DNS, CLDAP, Kerberos, LDAP,
SMB 445) or the NT 4.0 NetBIOS path (UDP 137, UDP 138, TCP 139) has no
endpoint proven broken.

Flags:
  --timeout D        wait per attempt (default 2s)
  --retries N        extra attempts after silence (default 1; UDP at least 2)
  --concurrency N    probes in flight (default: from the open-file limit)
  --rpc-follow=false do not probe the dynamic RPC ports the endpoint mapper lists
  --format F         text (default) or json (the steps as data)
  -o FILE            write to FILE (atomically) instead of standard output
  --no-progress      no progress bar

Example:
  # Why can't this workstation log on to the domain?
  winreach logon dc1.example.test 198.18.1.11

Exit codes: 0 a logon can work (to every DC given), 1 it cannot (to some DC),
2 bad usage, 3 runtime failure, 130 interrupted.
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
	case f.format != "text" && f.format != "json":
		return nil, usagef("logon: unknown --format %q (want text or json)", f.format)
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
	Scanner     string         `json:"scanner"`
	Version     string         `json:"version"`
	StartTime   time.Time      `json:"start_time"`
	EndTime     time.Time      `json:"end_time"`
	Interrupted bool           `json:"interrupted"`
	Targets     []string       `json:"targets"`
	CanLogOn    bool           `json:"can_log_on"`
	DCs         []logon.Report `json:"dcs"`
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
	src, err := openTargets(ctx, e, f)
	if err != nil {
		return err
	}
	out, err := createOutput(e.stdout, f.output)
	if err != nil {
		return err
	}
	defer out.Abort()

	doc := logonDocument{Scanner: "winreach", Version: version, StartTime: time.Now().UTC(), Targets: src.specs}
	var hosts []scanner.HostResult
	cfg := suite.Config{Dialer: &icmperr.Dialer{}, Timeout: f.timeout, Retries: f.retries, RPCFollow: f.rpcFollow}
	stats := probeHosts(ctx, e, f, sel, src, cfg, nil, func(h scanner.HostResult) { hosts = append(hosts, h) })
	doc.EndTime, doc.Interrupted = time.Now().UTC(), stats.Interrupted
	report.SortHosts(hosts)
	doc.CanLogOn = len(hosts) > 0
	for _, h := range hosts {
		r := logon.Explain(h)
		doc.DCs = append(doc.DCs, r)
		doc.CanLogOn = doc.CanLogOn && r.CanLogOn
	}

	if f.format == "json" {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		err = enc.Encode(doc)
	} else {
		for _, r := range doc.DCs {
			if err = r.WriteText(out); err != nil {
				break
			}
		}
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

// probeHosts runs a selection against the hosts of src with the probe
// suite cfg describes, the raw IP probes when the selection has any, and
// the progress bar: the part of a scan that scan and logon share.
// onEndpoint and onHost may be nil.
func probeHosts(ctx context.Context, e env, f *scanFlags, sel scanner.Selection, src *targetSource, cfg suite.Config,
	onEndpoint func(netip.Addr, scanner.EndpointResult), onHost func(scanner.HostResult)) scanner.Stats {
	closeRaw := setupRaw(ctx, e.stderr, sel, f, &cfg)
	defer closeRaw()
	bar := newProgress(e.stderr, !f.noProgress, src.total*uint64(len(sel.Endpoints)))
	defer bar.Finish()
	sc := &scanner.Scanner{
		Prober:      suite.New(cfg).For,
		Concurrency: f.concurrency,
		Grace:       f.timeout,
		Neighbors:   icmperr.Neighbors{},
		OnEndpoint: func(h netip.Addr, r scanner.EndpointResult) {
			bar.Add(1)
			if onEndpoint != nil {
				onEndpoint(h, r)
			}
		},
		OnHost: onHost,
	}
	f.scale.apply(sc)
	stats := sc.Run(ctx, src.hosts, sel)
	if stats.Requeued > 0 && stats.Err == nil {
		bar.Finish()
		fmt.Fprintf(e.stderr, "winreach: out of file descriptors: ran %d probe(s) again with at most %d in flight (raise ulimit -n to go faster)\n",
			stats.Requeued, stats.Concurrency)
	}
	return stats
}

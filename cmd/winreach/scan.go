package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes/icmperr"
	"github.com/winreach/winreach/probes/suite"
	"github.com/winreach/winreach/scanner"
	"github.com/winreach/winreach/scanner/policy"
	"github.com/winreach/winreach/scanner/report"
)

const scanUsage = `Usage: winreach scan [flags] TARGET...

Targets: IPv4 or IPv6 addresses, host names (every A and AAAA address),
networks (198.18.1.0/24, fd00::/120) and ranges (198.18.1.1-20,
198.18.1.1-198.18.2.5). Flags may come before or after the targets.

Selection (default: every function of the catalog; see 'winreach catalog'):
  --catalog NAME[,NAME]       q150543 (default: KB Q150543, NT 4.0 to Windows 2000), modern
                              (Windows Server 2016-2025) or a catalog FILE of your own
  -f, --function NAME[,NAME]  functions by slug or KB name (repeatable)
  -g, --group NAME[,NAME]     groups: nt4, wlbs, exchange, terminal-server, win2000 (q150543;
                              the modern catalog's: winreach catalog --catalog modern)
  -p PORTS                    raw endpoints, as nmap writes them: 80 and 1-1024 (TCP),
                              tcp/3268, udp/53,137-139, T:80,U:53, ip/47 (an IP protocol).
                              Alone they restrict the scan to them and the exit code follows
                              them (0 only if every one is open); with -f/-g they are added

Targets:
  -iL FILE                    read targets from FILE (one or more per line, # comments, - for stdin)
  --exclude SPEC[,SPEC]       leave these addresses, networks or ranges out
  --allow-large               accept a target of more than 2^24 addresses

Probing:
  --concurrency N             probes in flight, 1 to 100000 (default: from the open-file limit)
  --timeout D                 longest wait per attempt, 1ms to 10m, e.g. 500ms, 2s (default 2s);
                              waits adapt below it to each host's measured round trips
  --retries N                 extra attempts after silence, 0 to 10 (default 1; UDP at least 2,
                              raw IP 3)
  --rpc-follow=false          do not probe the dynamic RPC ports the endpoint mapper lists
  --responder                 the targets run 'winreach listen': send token-bearing UDP and
                              raw IP probes, so silence means dropped (filtered), never open|filtered

Scale:
` + scaleUsage + `
Policy:
  --expect FILE               check a policy: which functions must be reachable or blocked
                              where; exit 1 on any violation (see scanner/policy/README.md)

Output:
  --format F                  table (default), json, jsonl (records per host as it finishes),
                              csv (one row per host and function), markdown (a report),
                              xml (nmap -oX format: ndiff and nmap importers read it); every
                              format is written host by host as the scan goes ('winreach report'
                              renders a saved json or jsonl scan in any of them), html (one
                              self-contained page: host x function matrix, evidence)
  -o FILE                     write to FILE (atomically) instead of standard output
  --no-progress               no progress bar (it shows only when stderr is a terminal)

Examples:
  # Why can't this workstation log on? Check the path to the domain controller:
  winreach scan -f logon-sequence,kerberos,smb-direct-host,dns-resolution dc1.example.test
  # What does this server expose? Every function, as JSON for a report:
  winreach scan --format json -o exposure.json 198.18.1.20
  # Audit exposure against a policy ("198.18.1.20 smtp reachable", "198.18.1.0/24 * blocked"):
  winreach scan --expect policy.txt --format markdown -o audit.md
  # Pre-migration: will the new site reach the old domain controllers and mail servers?
  winreach scan -g nt4,exchange,win2000 -iL old-servers.txt --exclude 198.18.1.99

Exit codes: 0 all reachable (with --expect: the policy holds), 1 some not (a violation), 2 bad usage or input, 3 runtime failure,
130 interrupted (what is known is written, unfinished hosts marked partial).
`

// scanFlags are the parsed options of a scan.
type scanFlags struct {
	functions, groups listFlag
	endpoints         portsFlag // -p: one nmap-style port list per flag
	catalog           string    // --catalog: catalog.Load's spec
	listFile          string
	exclude           listFlag
	allowLarge        bool
	concurrency       int
	timeout           time.Duration
	retries           int
	format            string
	output            string
	noProgress        bool
	rpcFollow         bool
	responder         bool       // token probes for winreach listen (listen.go)
	expect            string     // policy file (expect.go)
	scale             scaleFlags // --rate, --max-per-host, --shard, --resume (scale.go)
	targets           []string
	dns, wins         string // logon only: --dns SERVER[:PORT], --wins SERVER (logon_locate.go)
}

func parseScanFlags(args []string, defaultConcurrency int) (*scanFlags, error) {
	f := &scanFlags{concurrency: defaultConcurrency}
	fs := newFlagSet("scan")
	defineFlags(fs, scanFlagSpecs, map[string]any{
		"function": &f.functions, "group": &f.groups, "p": &f.endpoints,
		"iL": &f.listFile, "exclude": &f.exclude, "allow-large": &f.allowLarge,
		"concurrency": &f.concurrency, "timeout": &f.timeout, "retries": &f.retries,
		"rpc-follow": &f.rpcFollow, "responder": &f.responder,
		"rate": &f.scale.rate, "max-per-host": &f.scale.maxPerHost, "fixed-timeouts": &f.scale.fixed,
		"shard": &f.scale.shard, "resume": &f.scale.resume, "expect": &f.expect,
		"format": &f.format, "o": &f.output, "no-progress": &f.noProgress,
		"catalog": &f.catalog,
	})
	targets, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usagef("scan: %v", err)
	}
	f.targets = targets
	if len(f.targets) == 0 && f.listFile == "" && f.expect == "" {
		return nil, usagef("scan: no target given (name hosts, networks or ranges, or use -iL FILE)")
	}
	if err := f.scale.check(); err != nil {
		return nil, err
	}
	if err := checkValue(scanFlagSpecs, "format", f.format); err != nil {
		return nil, usagef("scan: %v", err)
	}
	return f, nil
}

// loadCatalog resolves --catalog: embedded names and files, joined. A
// bad name or a bad line of a file is bad input ("FILE:LINE: what").
func loadCatalog(cmd, spec string) (*catalog.Catalog, error) {
	c, err := catalog.Load(spec, os.ReadFile)
	if err != nil {
		return nil, usagef("%s: --catalog: %v", cmd, err)
	}
	return c, nil
}

// catalogOption is what a saved scan records of its catalog: nothing for
// the default, so that older readers and the pinned schema are unchanged.
func catalogOption(c *catalog.Catalog) string {
	if c.Name == catalog.Q150543 {
		return ""
	}
	return c.Name
}

// selection resolves -f, -g and -p against the catalog.
func selection(c *catalog.Catalog, f *scanFlags) (scanner.Selection, error) {
	var fns []catalog.Function
	for _, name := range append(append([]string{}, f.functions...), f.groups...) {
		got, ok := c.Lookup(name)
		if !ok {
			msg := fmt.Sprintf("scan: unknown function or group %s", catalog.Quote(name))
			if s := c.Suggest(name); len(s) > 0 {
				msg += " (did you mean " + strings.Join(s, ", ") + "?)"
			}
			return scanner.Selection{}, usageError{msg + "; 'winreach catalog' lists them"}
		}
		fns = append(fns, got...)
	}
	var extra []catalog.Endpoint
	for _, s := range f.endpoints {
		eps, err := catalog.ParsePorts(s)
		if err != nil {
			return scanner.Selection{}, usagef("scan: %v", err)
		}
		extra = append(extra, eps...)
	}
	return scanner.Select(c, fns, extra), nil
}

func cmdScan(ctx context.Context, e env, args []string) error {
	f, err := parseScanFlags(args, defaultConcurrency())
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(e.stdout, scanUsage)
		return nil
	}
	if err != nil {
		return err
	}
	cat, err := loadCatalog("scan", f.catalog)
	if err != nil {
		return err
	}
	pol, err := loadPolicy(cat, f.expect)
	if err != nil {
		return err
	}
	if f, err = f.scopedBy(pol, cat); err != nil {
		return err
	}
	sel, err := selection(cat, f)
	if err != nil {
		return err
	}
	src, err := openTargets(ctx, e, f)
	if err != nil {
		return err
	}
	if err := f.scale.load(); err != nil {
		return err
	}

	doc := &report.Document{
		Scanner:   "winreach",
		Version:   version,
		StartTime: time.Now().UTC(),
		Options: report.Options{
			Concurrency: f.concurrency,
			TimeoutMS:   f.timeout.Milliseconds(),
			Retries:     f.retries,
			Excluded:    f.exclude,
			Shard:       f.scale.shardOption(),
			Catalog:     catalogOption(cat),
		},
		Targets: src.specs,
	}
	for _, fn := range sel.Functions {
		doc.Options.Functions = append(doc.Options.Functions, fn.ID)
	}
	for _, ep := range sel.Endpoints {
		doc.Options.Endpoints = append(doc.Options.Endpoints, ep.String())
	}

	out, err := createOutput(e.stdout, f.output)
	if err != nil {
		return err
	}
	defer out.Abort()

	wr, err := newWriter(f.format, out)
	if err != nil {
		return err
	}
	if f.format != "jsonl" {
		// JSON Lines shows hosts as they finish; the others come out in
		// address order within a bounded window.
		wr = report.Sorted(wr, report.SortWindow)
	}
	// Hosts are encoded beside the probes, not under the scanner's lock.
	wr = report.Async(wr, 16)
	findings := policy.NewFindings(pol)
	if findings != nil {
		doc.Violations, doc.Unproven = findings.Violations, findings.Unproven
	}
	if err := wr.Begin(doc); err != nil {
		return err
	}
	cfg := suite.Config{Dialer: &icmperr.Dialer{}, Timeout: f.timeout, Retries: f.retries, RPCFollow: f.rpcFollow}
	cfg.Responder = f.responder
	eps := newEndpointCheck(f, sel)
	var werr error
	stats := probeHosts(ctx, e, f, sel, src, cfg, nil, func(h scanner.HostResult) {
		eps.Host(h)
		violations, unproven := findings.Host(h)
		doc.Summary.Add(h)
		if werr == nil {
			werr = wr.Host(report.Host{HostResult: h, Violations: violations, Unproven: unproven})
		}
	})
	if werr != nil {
		return werr
	}
	doc.EndTime = time.Now().UTC()
	doc.Interrupted = stats.Interrupted
	if findings != nil {
		doc.Violations, doc.Unproven = findings.Violations, findings.Unproven
	}
	if err := wr.End(doc); err != nil {
		return err
	}
	if stats.Err != nil {
		// The scan could not go on: what is known is written, exit 3.
		if err := out.Commit(); err != nil {
			return err
		}
		return stats.Err
	}
	if err := finishOutput(e, out, stats.Interrupted); err != nil {
		return err
	}
	switch {
	case findings != nil:
		// A policy run judges the policy, not the reachability.
		if len(findings.Violations) > 0 {
			fmt.Fprintf(e.stderr, "winreach: %d policy violation(s)\n", len(findings.Violations))
			return exitError{exitNotAll}
		}
		return nil
	case eps != nil:
		// -p alone: the endpoints are what was asked about.
		if !eps.allOpen {
			return exitError{exitNotAll}
		}
		return nil
	case !doc.Summary.AllReachable:
		return exitError{exitNotAll}
	}
	return nil
}

// endpointCheck judges a scan of -p alone (no -f, -g or --expect) by its
// endpoints: every selected endpoint open or confirmed on every host.
// Endpoints that belong to no function have no verdict, so the functions
// alone would call such a scan a success whatever the ports said.
type endpointCheck struct {
	endpoints []catalog.Endpoint
	allOpen   bool
}

func newEndpointCheck(f *scanFlags, sel scanner.Selection) *endpointCheck {
	if len(f.endpoints) == 0 || len(f.functions) > 0 || len(f.groups) > 0 || f.expect != "" {
		return nil
	}
	return &endpointCheck{endpoints: sel.Endpoints, allOpen: true}
}

// Host folds one host in; a nil check does nothing.
func (c *endpointCheck) Host(h scanner.HostResult) {
	if c == nil {
		return
	}
	if h.Status != scanner.StatusComplete {
		c.allOpen = false
		return
	}
	results := h.Results()
	for _, e := range c.endpoints {
		if !results[e].State.Reachable() {
			c.allOpen = false
			return
		}
	}
}

var _ io.Writer = (*output)(nil)

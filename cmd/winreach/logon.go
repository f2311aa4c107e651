package main

import (
	"context"
	"net/netip"

	"winreach/probes/suite"
	"winreach/scanner"
)

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
		OnEndpoint: func(h netip.Addr, r scanner.EndpointResult) {
			bar.Add(1)
			if onEndpoint != nil {
				onEndpoint(h, r)
			}
		},
		OnHost: onHost,
	}
	return sc.Run(ctx, src.hosts, sel)
}

package main

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/winreach/winreach/probes/icmperr"
	"github.com/winreach/winreach/probes/suite"
	"github.com/winreach/winreach/scanner"
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

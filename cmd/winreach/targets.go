package main

import (
	"context"
	"iter"
	"net/netip"

	"winreach/scanner"
)

// targetSource is the stream of hosts a scan probes.
type targetSource struct {
	specs []string
	total uint64 // addresses, for the progress bar
	hosts iter.Seq[scanner.Host]
	err   func() error
}

// openTargets is a placeholder until scanner/targets lands: literals only.
func openTargets(ctx context.Context, e env, f *scanFlags) (*targetSource, error) {
	var hs []scanner.Host
	for _, s := range f.targets {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, usagef("target %q: %v", s, err)
		}
		hs = append(hs, scanner.Host{Addr: a})
	}
	return &targetSource{specs: f.targets, total: uint64(len(hs)), hosts: func(yield func(scanner.Host) bool) {
		for _, h := range hs {
			if !yield(h) {
				return
			}
		}
	}, err: func() error { return nil }}, nil
}

package main

import (
	"context"
	"errors"
	"iter"
	"net"
	"os"
	"strings"

	"github.com/winreach/winreach/scanner"
	"github.com/winreach/winreach/scanner/targets"
)

// targetSource is the stream of hosts a scan probes.
type targetSource struct {
	specs []string
	total uint64 // hosts, for the progress bar
	hosts iter.Seq[scanner.Host]
}

// openTargets parses the command line's targets, -iL and --exclude,
// resolves host names, and checks that something is left to scan. The
// hosts themselves are expanded lazily, as the scan consumes them.
func openTargets(ctx context.Context, e env, f *scanFlags) (*targetSource, error) {
	opts := targets.Options{AllowLarge: f.allowLarge}
	var list targets.List
	for _, s := range f.targets {
		spec, err := opts.Parse(s)
		if err != nil {
			return nil, usageError{err.Error()}
		}
		list = append(list, spec)
	}
	if f.listFile != "" {
		r := e.stdin
		if f.listFile != "-" {
			file, err := os.Open(f.listFile)
			if err != nil {
				return nil, usagef("-iL: %v", err)
			}
			defer file.Close()
			r = file
		}
		more, err := opts.ReadList(r, f.listFile)
		if err != nil {
			return nil, usageError{err.Error()}
		}
		list = append(list, more...)
	}
	excl, err := targets.Options{AllowLarge: true}.ParseList(strings.Join(f.exclude, ","))
	if err != nil {
		return nil, usagef("--exclude: %v", err)
	}
	list, err = list.Resolve(ctx, net.DefaultResolver)
	if err != nil {
		return nil, err
	}
	if excl, err = excl.Resolve(ctx, net.DefaultResolver); err != nil {
		return nil, err
	}
	exclSet, err := targets.NewExcludeSet(excl)
	if err != nil {
		return nil, usagef("--exclude: %v", err)
	}
	total, err := list.Count(exclSet)
	switch {
	case errors.Is(err, targets.ErrNoTargets):
		return nil, usagef("scan: no target given (name hosts, networks or ranges, or use -iL FILE)")
	case errors.Is(err, targets.ErrAllExcluded):
		return nil, usagef("scan: --exclude removes every target")
	case err != nil:
		return nil, usageError{err.Error()}
	}
	specs := make([]string, len(list))
	for i, s := range list {
		specs[i] = s.String()
	}
	return &targetSource{specs: specs, total: total, hosts: func(yield func(scanner.Host) bool) {
		for h := range list.All(exclSet) {
			if !yield(scanner.Host{Addr: h.Addr, Name: h.Name, Err: h.Err}) {
				return
			}
		}
	}}, nil
}

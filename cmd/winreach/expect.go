package main

import (
	"os"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/scanner/policy"
)

// loadPolicy reads --expect FILE; nil without one.
func loadPolicy(c *catalog.Catalog, path string) (*policy.Policy, error) {
	if path == "" {
		return nil, nil
	}
	file, err := os.Open(path)
	if err != nil {
		return nil, usagef("--expect: %v", err)
	}
	defer file.Close()
	p, err := policy.Parse(file, path, c)
	if err != nil {
		return nil, usageError{err.Error()}
	}
	return p, nil
}

// scopedBy returns the flags a policy scan runs with: without -f/-g/-p it
// judges the functions the policy covers, and without targets it probes
// the targets the policy names. f itself is not changed.
func (f *scanFlags) scopedBy(p *policy.Policy, c *catalog.Catalog) (*scanFlags, error) {
	if p == nil {
		return f, nil
	}
	g := *f
	if len(g.functions) == 0 && len(g.groups) == 0 && len(g.endpoints) == 0 {
		g.functions = nil
		for _, fn := range p.Functions(c) {
			g.functions = append(g.functions, fn.ID)
		}
	}
	if len(g.targets) == 0 && g.listFile == "" {
		g.targets = p.Targets()
		if len(g.targets) == 0 {
			return nil, usagef("scan: no target given, and %s names only * (name hosts, networks or ranges)", g.expect)
		}
	}
	return &g, nil
}

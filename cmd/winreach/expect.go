package main

import (
	"os"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/scanner/policy"
)

// loadPolicy reads --expect FILE. Without -f/-g/-p the scan judges the
// functions the policy covers, and without targets it probes the targets
// the policy names.
func loadPolicy(c *catalog.Catalog, f *scanFlags) (*policy.Policy, error) {
	if f.expect == "" {
		return nil, nil
	}
	file, err := os.Open(f.expect)
	if err != nil {
		return nil, usagef("--expect: %v", err)
	}
	defer file.Close()
	p, err := policy.Parse(file, f.expect, c)
	if err != nil {
		return nil, usageError{err.Error()}
	}
	if len(f.functions) == 0 && len(f.groups) == 0 && len(f.endpoints) == 0 {
		for _, fn := range p.Functions(c) {
			f.functions = append(f.functions, fn.ID)
		}
	}
	if len(f.targets) == 0 && f.listFile == "" {
		f.targets = p.Targets()
		if len(f.targets) == 0 {
			return nil, usagef("scan: no target given, and %s names only * (name hosts, networks or ranges)", f.expect)
		}
	}
	return p, nil
}

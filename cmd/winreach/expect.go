package main

import (
	"os"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/scanner"
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

// policyCheck collects the violations of every host as it is reported.
type policyCheck struct {
	policy               *policy.Policy
	violations, unproven []policy.Violation
}

func newPolicyCheck(p *policy.Policy) *policyCheck {
	if p == nil {
		return nil
	}
	// Non-nil: the report says "no violation" rather than nothing.
	return &policyCheck{policy: p, violations: []policy.Violation{}, unproven: []policy.Violation{}}
}

// Host checks one host; a nil check does nothing.
func (pc *policyCheck) Host(h scanner.HostResult) {
	if pc == nil {
		return
	}
	v, u := pc.policy.Check(h)
	pc.violations = append(pc.violations, v...)
	pc.unproven = append(pc.unproven, u...)
}

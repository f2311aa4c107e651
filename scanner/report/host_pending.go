package report

// PENDING(h11): this copy of report.Host goes when branch h11's writer.go
// (which defines it, with the Writer interface) is merged.

import (
	"github.com/winreach/winreach/scanner"
	"github.com/winreach/winreach/scanner/policy"
)

// Host is one finished host and the policy's findings on it.
type Host struct {
	scanner.HostResult
	// Violations and Unproven are this host's policy findings (nil
	// without a policy).
	Violations []policy.Violation
	Unproven   []policy.Violation
}

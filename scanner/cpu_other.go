//go:build !unix

package scanner

import "time"

// processCPU is unknown here: the worker pool then grows on demand alone.
func processCPU() (time.Duration, bool) { return 0, false }

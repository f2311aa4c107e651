package main

import (
	"os"
	"syscall"
)

// peakRSS is the child's peak resident set in kilobytes (getrusage
// ru_maxrss, which Linux counts in kilobytes).
func peakRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss
	}
	return 0
}

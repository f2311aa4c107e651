//go:build !linux

package main

import "os"

// peakRSS is not measured here: the benchmark is meant for Linux.
func peakRSS(*os.ProcessState) int64 { return 0 }

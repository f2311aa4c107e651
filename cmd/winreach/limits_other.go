//go:build !unix

package main

// defaultConcurrency: Windows has no per-process descriptor limit of the
// Unix kind; sockets are bounded by memory and ephemeral ports.
func defaultConcurrency() int { return concurrencyFor(4096) }

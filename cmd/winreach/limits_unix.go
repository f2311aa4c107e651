//go:build unix

package main

import "syscall"

// defaultConcurrency raises the open-file soft limit to the hard limit
// and leaves headroom for the process's own files: each probe in flight
// holds one socket.
func defaultConcurrency() int {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 256
	}
	if lim.Cur < lim.Max {
		raised := lim
		raised.Cur = lim.Max
		if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &raised) == nil {
			lim = raised
		}
	}
	return concurrencyFor(lim.Cur)
}

package main

// concurrencyFor turns an open-file limit into a default concurrency: keep
// 64 descriptors for the process itself and cap at 8192. The scanner only
// grows its pool that far while probes wait on the network (silent
// addresses, a firewall that drops: each waits its 1 s + 2 s side by side
// with the others); a sweep of hosts that answer stays CPU-bound with a
// small pool, and each host's congestion window keeps its backlog from
// overflowing.
func concurrencyFor(nofile uint64) int {
	const headroom, ceiling = 64, 8192
	if nofile <= headroom+16 {
		return 16
	}
	return int(min(nofile-headroom, ceiling))
}

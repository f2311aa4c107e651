package main

// concurrencyFor turns an open-file limit into a default concurrency: keep
// 64 descriptors for the process itself and cap at 2048, beyond which a
// connect scan gains nothing but SYN drops on the targets' backlogs.
func concurrencyFor(nofile uint64) int {
	const headroom, ceiling = 64, 2048
	if nofile <= headroom+16 {
		return 16
	}
	return int(min(nofile-headroom, ceiling))
}

package rawip

// unsupportedNote explains why raw probes do not run on Windows: its raw
// sockets cannot receive ICMP errors reliably (the stack consumes
// protocol-unreachable, and Windows client editions restrict raw sends),
// so closed, filtered and open|filtered could not be told apart.
func unsupportedNote() string {
	return "raw IP probes are not supported on Windows: raw sockets there do not reliably receive ICMP protocol-unreachable; run winreach from Linux"
}

//go:build !linux && !windows

package rawip

// unsupportedNote: the BSD raw socket semantics (darwin strips or keeps
// the IP header per protocol, and passes ICMP errors to raw sockets
// differently) have not been verified, so raw probes say so rather than
// guess.
func unsupportedNote() string {
	return "raw IP probes are implemented for Linux only; on this OS they are not tested"
}

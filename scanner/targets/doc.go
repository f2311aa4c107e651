// Package targets parses winreach's scan targets and expands them into
// hosts one at a time.
//
// A target spec is one of:
//
//   - an IPv4 or IPv6 address: 198.18.1.10, fd77:7272::10, fe80::1%eth0
//     (a zone is kept for single addresses only);
//   - a network in CIDR notation: 198.18.1.0/24, fd00::/120; host bits
//     are ignored, and every address counts, network and broadcast
//     included, as in nmap;
//   - a range: 198.18.1.1-20 (last octet), 198.18.1.1-198.18.2.5 and
//     fd00::1-fd00::ff (both ends written out);
//   - nmap's IPv4 octet ranges: 198.18.1-2.1-5, 198.18.*.1;
//   - a host name, resolved with every A and AAAA address. A name that
//     does not resolve yields one Host carrying the error: a result row,
//     not a failure of the scan. Text made only of digits and dots is never
//     a host name (300.1.1.1 is a bad address, not a name), nor is anything
//     else the C library would read as a number, such as 0x7f.1.
//
// Parse reads one spec, ReadList a file of them (one or more per line, #
// comments), ParseList a comma-separated flag value such as --exclude.
// Every error is one line naming the bad spec, and for files FILE:LINE.
//
// A Spec knows its size without enumerating it; a spec of more than
// MaxAddrs addresses is refused unless Options.AllowLarge is set. Names are
// looked up by List.Resolve through an injected Resolver (net.Resolver
// satisfies it); nothing else in the package touches the network, and it
// never sends a packet.
//
// Expansion streams: List.Hosts returns an Iterator whose memory does not
// grow with the size of a network, so planning a scan of a /8 holds one
// cursor per list, not sixteen million addresses. Exclusions (ExcludeSet)
// are a merged, sorted interval list: membership is a binary search, the
// iterator jumps over an excluded interval in one step, and List.Count
// computes the number of hosts with interval arithmetic, which lets the
// caller refuse "every target is excluded" before the scan starts.
//
// Repeats: a single address listed twice (as a literal, a /32 or /128, or
// the address of a resolved name) is expanded once, at its first place.
// Overlapping networks and ranges are not compared with each other and may
// repeat addresses; exclude the overlap or list them once.
package targets

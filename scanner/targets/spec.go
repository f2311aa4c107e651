package targets

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/winreach/winreach/catalog"
)

// MaxAddrs is the most addresses one spec may hold unless
// Options.AllowLarge is set: a /8, 2^24.
const MaxAddrs = 1 << 24

// Options controls parsing. The zero value is the default.
type Options struct {
	// AllowLarge accepts specs of more than MaxAddrs addresses
	// (the --allow-large flag). Exclusions never enumerate, so the
	// caller may parse them with AllowLarge set.
	AllowLarge bool
}

type kind uint8

const (
	// kindSpan is every address from first to last: a single address,
	// a network, a range, or contiguous octet ranges such as 198.18.1.*.
	kindSpan kind = iota + 1
	// kindOctets is nmap's IPv4 octet ranges whose addresses are not
	// contiguous, such as 198.18.1-2.1-5.
	kindOctets
	// kindName is a host name, with its addresses once resolved.
	kindName
)

// octetRange is the inclusive range lo..hi of one IPv4 octet.
type octetRange struct{ lo, hi uint8 }

func (r octetRange) size() uint64 { return uint64(r.hi) - uint64(r.lo) + 1 }

// Spec is one parsed target: an address, network, range, octet ranges or
// host name. The zero Spec is not valid; get one from Parse. A Spec is a
// small value; copying it is cheap.
type Spec struct {
	text string
	kind kind

	first, last netip.Addr    // kindSpan: inclusive, same family
	octets      [4]octetRange // kindOctets

	// kindName, filled by List.Resolve: sorted, unique addresses, or
	// the lookup error.
	resolved bool
	addrs    []netip.Addr
	err      error
}

// String returns the spec as written, trimmed of surrounding space.
func (s Spec) String() string { return s.text }

// Name returns the host name of a name spec, and "" for the other forms.
func (s Spec) Name() string {
	if s.kind == kindName {
		return s.text
	}
	return ""
}

// Size returns the number of addresses in s without enumerating them. A
// spec of more than math.MaxUint64 addresses (an IPv6 /64 or larger, only
// with AllowLarge) returns math.MaxUint64 and false. A host name counts its
// resolved addresses: zero before List.Resolve or when the lookup failed.
func (s Spec) Size() (n uint64, exact bool) { return s.size().uint64() }

func (s Spec) size() u128 {
	switch s.kind {
	case kindSpan:
		return spanSize(s.first, s.last)
	case kindOctets:
		n := uint64(1)
		for _, r := range s.octets {
			n *= r.size()
		}
		return u64(n)
	case kindName:
		return u64(uint64(len(s.addrs)))
	}
	return u128{}
}

// Contains reports whether a is one of the addresses of s. Zones are
// ignored except for a single address written with one, which contains
// only itself with that zone.
func (s Spec) Contains(a netip.Addr) bool {
	switch s.kind {
	case kindSpan:
		if s.first == s.last && s.first.Zone() != "" {
			return a == s.first
		}
		a = a.WithZone("")
		return s.first.Compare(a) <= 0 && a.Compare(s.last) <= 0
	case kindOctets:
		return s.octetsContain(a)
	case kindName:
		for _, b := range s.addrs {
			if a == b {
				return true
			}
		}
	}
	return false
}

func (s Spec) octetsContain(a netip.Addr) bool {
	if !a.Is4() {
		return false
	}
	b := a.As4()
	for i, r := range s.octets {
		if b[i] < r.lo || b[i] > r.hi {
			return false
		}
	}
	return true
}

// single reports whether s is exactly one address, the case repeats are
// removed for.
func (s Spec) single() bool { return s.kind == kindSpan && s.first == s.last }

// Parse parses one target spec with the default Options.
func Parse(spec string) (Spec, error) { return Options{}.Parse(spec) }

// Parse parses one target spec. The error is one line that quotes spec.
func (o Options) Parse(spec string) (Spec, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return Spec{}, errors.New("empty target")
	}
	s, reason := parse(spec)
	if reason != "" {
		return Spec{}, fmt.Errorf("target %s: %s", catalog.Quote(spec), reason)
	}
	if n := s.size(); !o.AllowLarge && u64(MaxAddrs).less(n) {
		return Spec{}, fmt.Errorf("target %s: %s addresses is more than %d; use --allow-large to scan it", catalog.Quote(spec), n, MaxAddrs)
	}
	return s, nil
}

const (
	notAddress = "not an IP address, network or range"
	notAnyForm = "not an IP address, network, range or host name"
)

// parse returns the spec for text, or the reason it is none.
func parse(text string) (Spec, string) {
	if addrText, bitsText, ok := strings.Cut(text, "/"); ok {
		return parsePrefix(text, addrText, bitsText)
	}
	if strings.ContainsAny(text, "-*") {
		left, _, _ := strings.Cut(text, "-")
		if _, err := netip.ParseAddr(left); err == nil || onlyChars(text, "0123456789.-*") {
			return parseRange(text)
		}
	}
	if a, err := netip.ParseAddr(text); err == nil {
		a = a.Unmap()
		return Spec{text: text, kind: kindSpan, first: a, last: a}, ""
	}
	if isHostName(text) {
		return Spec{text: text, kind: kindName}, ""
	}
	if onlyChars(text, "0123456789.") || strings.Contains(text, ":") || looksNumeric(text) {
		return Spec{}, notAddress
	}
	return Spec{}, notAnyForm
}

// parsePrefix parses a network, addrText/bitsText.
func parsePrefix(text, addrText, bitsText string) (Spec, string) {
	a, err := netip.ParseAddr(addrText)
	if err != nil {
		return Spec{}, notAddress
	}
	if a.Zone() != "" {
		return Spec{}, "zone not allowed in a network or range"
	}
	maxBits := a.BitLen()
	bits, err := strconv.Atoi(bitsText)
	if err != nil || !onlyChars(bitsText, "0123456789") || len(bitsText) > 3 {
		return Spec{}, fmt.Sprintf("bad prefix length %s", catalog.Quote(bitsText))
	}
	if bits > maxBits {
		family := "IPv4"
		if a.Is6() {
			family = "IPv6"
		}
		return Spec{}, fmt.Sprintf("bad prefix length %d (%s allows 0 to %d)", bits, family, maxBits)
	}
	// ::ffff:198.18.1.0/120 is the IPv4 network 198.18.1.0/24; dialing the
	// mapped form reaches the same hosts, and exclusions compare one form.
	if a.Is4In6() && bits >= 96 {
		a, bits = a.Unmap(), bits-96
	}
	p := netip.PrefixFrom(a, bits).Masked()
	return Spec{text: text, kind: kindSpan, first: p.Addr(), last: lastAddr(p)}, ""
}

// lastAddr is the highest address of p (p masked).
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Addr().As16()
	hostBits := p.Addr().BitLen() - p.Bits()
	for i := 15; hostBits > 0; i-- {
		n := min(hostBits, 8)
		b[i] |= byte(1<<n - 1)
		hostBits -= n
	}
	a := netip.AddrFrom16(b)
	if p.Addr().Is4() {
		return a.Unmap()
	}
	return a
}

// parseRange parses nmap octet ranges (198.18.1-2.*, 198.18.1.1-20) or a
// range with both ends written out (198.18.1.1-198.18.2.5, fd00::1-fd00::ff).
func parseRange(text string) (Spec, string) {
	if fields := strings.Split(text, "."); len(fields) == 4 && !strings.Contains(text, ":") && allOctetSyntax(fields) {
		return parseOctets(text, fields)
	}
	left, right, _ := strings.Cut(text, "-")
	first, err1 := netip.ParseAddr(left)
	last, err2 := netip.ParseAddr(right)
	if err1 != nil || err2 != nil {
		return Spec{}, notAddress
	}
	if first.Zone() != "" || last.Zone() != "" {
		return Spec{}, "zone not allowed in a network or range"
	}
	first, last = first.Unmap(), last.Unmap()
	if first.Is4() != last.Is4() {
		return Spec{}, "range mixes IPv4 and IPv6"
	}
	if last.Less(first) {
		return Spec{}, "range end before start"
	}
	return Spec{text: text, kind: kindSpan, first: first, last: last}, ""
}

// allOctetSyntax reports whether every field is N, N-M or *, the digits
// not yet checked for size.
func allOctetSyntax(fields []string) bool {
	for _, f := range fields {
		if f == "*" {
			continue
		}
		lo, hi, isRange := strings.Cut(f, "-")
		if lo == "" || !onlyChars(lo, "0123456789") {
			return false
		}
		if isRange && (hi == "" || !onlyChars(hi, "0123456789")) {
			return false
		}
	}
	return true
}

func parseOctets(text string, fields []string) (Spec, string) {
	var s Spec
	for i, f := range fields {
		if f == "*" {
			s.octets[i] = octetRange{0, 255}
			continue
		}
		loText, hiText, isRange := strings.Cut(f, "-")
		if !isRange {
			hiText = loText
		}
		lo, reason := parseOctet(loText)
		if reason != "" {
			return Spec{}, reason
		}
		hi, reason := parseOctet(hiText)
		if reason != "" {
			return Spec{}, reason
		}
		if hi < lo {
			return Spec{}, "range end before start"
		}
		s.octets[i] = octetRange{lo, hi}
	}
	s.text = text
	// Octet ranges that are one contiguous run (198.18.1.1-20,
	// 198.18.2-3.*) are a span, which exclusions and counting handle
	// directly.
	var lo, hi [4]byte
	contiguous := true
	for i, r := range s.octets {
		lo[i], hi[i] = r.lo, r.hi
		if i > 0 && s.octets[i-1].lo != s.octets[i-1].hi && r != (octetRange{0, 255}) {
			contiguous = false
		}
	}
	if contiguous {
		return Spec{text: text, kind: kindSpan, first: netip.AddrFrom4(lo), last: netip.AddrFrom4(hi)}, ""
	}
	s.kind = kindOctets
	return s, ""
}

func parseOctet(t string) (uint8, string) {
	if len(t) > 1 && t[0] == '0' {
		// inet_aton reads 010 as octal 8; refuse rather than guess.
		return 0, fmt.Sprintf("octet %s has a leading zero", catalog.Quote(t))
	}
	n, err := strconv.Atoi(t)
	if err != nil || len(t) > 3 || n > 255 {
		return 0, fmt.Sprintf("octet %s is above 255", t)
	}
	return uint8(n), ""
}

// isHostName reports whether s is a DNS host name (RFC 1123 2.1 labels,
// with the underscore that Windows names use) that the C library would not
// read as a number in inet_aton's forms (10.1, 0x7f.1, 2130706433).
func isHostName(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		if !onlyChars(label, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") {
			return false
		}
	}
	return !looksNumeric(s)
}

// looksNumeric reports whether every dot-separated part of s is a number
// as inet_aton reads them: decimal, octal, or 0x hexadecimal.
func looksNumeric(s string) bool {
	for part := range strings.SplitSeq(strings.TrimSuffix(s, "."), ".") {
		digits := "0123456789"
		if len(part) >= 2 && part[0] == '0' && (part[1] == 'x' || part[1] == 'X') {
			part, digits = part[2:], "0123456789abcdefABCDEF"
		} else if part == "" {
			return false
		}
		if !onlyChars(part, digits) {
			return false
		}
	}
	return true
}

func onlyChars(s, chars string) bool {
	for i := range len(s) {
		if strings.IndexByte(chars, s[i]) < 0 {
			return false
		}
	}
	return true
}

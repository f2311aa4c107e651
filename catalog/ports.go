package catalog

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ParsePorts reads a port list as nmap's -p writes it, plus winreach's
// own transport/number form:
//
//	80              TCP 80 (a bare number is TCP)
//	1-1024          TCP 1 to 1024
//	tcp/1-1024      the same, named
//	udp/53,137-139  a transport applies to the numbers after it
//	T:80,U:53       nmap's prefixes; T:80-90,U:53,161 (U: until the next prefix)
//	ip/47           IP protocol 47 (GRE); ip/46-51 for a range
//
// Items are separated by commas; spaces around them are ignored. The
// result keeps the first occurrence of each endpoint, in order.
func ParsePorts(s string) ([]Endpoint, error) {
	var out []Endpoint
	seen := map[Endpoint]bool{}
	t := TCP
	items := strings.Split(s, ",")
	for _, item := range items {
		item = strings.TrimSpace(item)
		if item == "" {
			if len(items) == 1 {
				return nil, fmt.Errorf("-p: empty port list")
			}
			return nil, fmt.Errorf("-p %s: empty item between commas", Quote(s))
		}
		lower := strings.ToLower(item)
		nums := lower
		if p, rest, ok := strings.Cut(lower, "/"); ok {
			tt, known := transportNames[p]
			if !known {
				return nil, fmt.Errorf("-p %s: unknown transport %s (want tcp, udp or ip)", Quote(item), Quote(p))
			}
			t, nums = tt, rest
		} else if p, rest, ok := strings.Cut(lower, ":"); ok {
			switch p {
			case "t":
				t = TCP
			case "u":
				t = UDP
			case "s":
				return nil, fmt.Errorf("-p %s: SCTP (S:) is not probed; want T:, U: or ip/", Quote(item))
			default:
				return nil, fmt.Errorf("-p %s: unknown prefix %s (want T: or U:)", Quote(item), Quote(p+":"))
			}
			nums = rest
		}
		lo, hi, err := portRange(nums, t)
		if err != nil {
			return nil, fmt.Errorf("-p %s: %v", Quote(item), err)
		}
		for n := lo; n <= hi; n++ {
			e := Endpoint{Transport: t, Port: uint16(n)}
			if !seen[e] {
				seen[e] = true
				out = append(out, e)
			}
		}
	}
	return out, nil
}

var transportNames = map[string]Transport{"tcp": TCP, "udp": UDP, "ip": IP}

// portRange reads "N" or "N-M" for transport t.
func portRange(s string, t Transport) (lo, hi int, err error) {
	a, b, isRange := strings.Cut(s, "-")
	if lo, err = portNumber(a, t); err != nil {
		return 0, 0, err
	}
	hi = lo
	if isRange {
		if hi, err = portNumber(b, t); err != nil {
			return 0, 0, err
		}
		if hi < lo {
			return 0, 0, fmt.Errorf("range %d-%d runs backwards", lo, hi)
		}
	}
	return lo, hi, nil
}

func portNumber(s string, t Transport) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("missing number")
	}
	n, err := strconv.ParseUint(s, 10, 32)
	switch {
	case err != nil:
		return 0, fmt.Errorf("%s is not a number", Quote(s))
	case t == IP && n > 255:
		return 0, fmt.Errorf("IP protocol numbers stop at 255, not %d", n)
	case t != IP && n > 65535:
		return 0, fmt.Errorf("ports stop at 65535, not %d", n)
	case t != IP && n == 0:
		return 0, fmt.Errorf("port 0 cannot be probed")
	}
	return int(n), nil
}

// quoteMax is how much of a piece of user input an error message quotes.
const quoteMax = 64

// Quote quotes a piece of user input (a target, a -p item, a name, a
// policy line) for an error message: whole when short, else a readable
// prefix, cut at a character boundary, with the input's length, so that
// a 100 KB argument gives a one-line error of a readable size.
func Quote(s string) string {
	if q := strconv.Quote(s); len(q) <= quoteMax+2 {
		return q
	}
	// The longest prefix whose quoted form (escapes included) fits.
	n := 0
	for n < len(s) {
		_, size := utf8.DecodeRuneInString(s[n:])
		if len(strconv.Quote(s[:n+size])) > quoteMax-16 {
			break
		}
		n += size
	}
	return strconv.Quote(s[:n]) + fmt.Sprintf("... (%d bytes)", len(s))
}

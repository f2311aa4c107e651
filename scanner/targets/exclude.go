package targets

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/winreach/winreach/catalog"
)

// interval is the addresses lo..hi inclusive, one family, no zone.
type interval struct{ lo, hi netip.Addr }

// ExcludeSet is the addresses of --exclude as sorted, merged, disjoint
// intervals. The nil *ExcludeSet excludes nothing.
type ExcludeSet struct {
	ivs []interval
}

// NewExcludeSet builds the set of every address of l. Host names must have
// been resolved (List.Resolve); a name that did not resolve is an error,
// since what it was meant to exclude is unknown. Non-contiguous octet
// ranges such as 198.18.1-2.1-5 are refused: write them as ranges.
// Exclusions never enumerate, so l may hold large specs.
func NewExcludeSet(l List) (*ExcludeSet, error) {
	var ivs []interval
	for _, s := range l {
		switch s.kind {
		case kindSpan:
			ivs = append(ivs, interval{s.first.WithZone(""), s.last.WithZone("")})
		case kindOctets:
			return nil, fmt.Errorf("exclude %s: octet ranges that are not one run cannot be excluded; write them as ranges or networks", catalog.Quote(s.text))
		case kindName:
			if !s.resolved {
				return nil, fmt.Errorf("exclude %s: host name not resolved", catalog.Quote(s.text))
			}
			if s.err != nil {
				return nil, fmt.Errorf("exclude %s: %v", catalog.Quote(s.text), s.err)
			}
			for _, a := range s.addrs {
				a = a.WithZone("")
				ivs = append(ivs, interval{a, a})
			}
		}
	}
	slices.SortFunc(ivs, func(x, y interval) int { return x.lo.Compare(y.lo) })
	merged := ivs[:0]
	for _, iv := range ivs {
		if n := len(merged); n > 0 && touches(merged[n-1], iv) {
			if merged[n-1].hi.Less(iv.hi) {
				merged[n-1].hi = iv.hi
			}
			continue
		}
		merged = append(merged, iv)
	}
	return &ExcludeSet{ivs: slices.Clip(merged)}, nil
}

// touches reports whether b, which starts at or after a, overlaps a or
// begins right after it. Next of the last IPv4 address is invalid, so the
// two families never merge.
func touches(a, b interval) bool {
	if b.lo.Compare(a.hi) <= 0 {
		return true
	}
	next := a.hi.Next()
	return next.IsValid() && next == b.lo
}

// Contains reports whether a is excluded. The zone of a is ignored.
func (e *ExcludeSet) Contains(a netip.Addr) bool {
	if e == nil {
		return false
	}
	return intervalsContain(e.ivs, a)
}

// intervalsContain reports whether a, zone ignored, is in sorted ivs.
func intervalsContain(ivs []interval, a netip.Addr) bool {
	a = a.WithZone("")
	i := searchIntervals(ivs, a)
	return i < len(ivs) && ivs[i].lo.Compare(a) <= 0
}

func (e *ExcludeSet) intervals() []interval {
	if e == nil {
		return nil
	}
	return e.ivs
}

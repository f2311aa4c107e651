package targets

import "net/netip"

// Count returns the number of hosts l.Hosts(excl) yields, computed with
// interval arithmetic rather than by enumerating: a name that did not
// resolve counts once, as the Iterator yields one Host for it. The count
// saturates at math.MaxUint64. It fails with ErrNoTargets for an empty
// list and ErrAllExcluded when excl removes every host, so the caller can
// refuse the scan before it starts.
func (l List) Count(excl *ExcludeSet) (uint64, error) {
	if len(l) == 0 {
		return 0, ErrNoTargets
	}
	ivs := excl.intervals()
	var total u128
	// Repeats are removed exactly as the Iterator does.
	seen := make(map[netip.Addr]struct{})
	countSingle := func(a netip.Addr) {
		if _, ok := seen[a]; ok || intervalsContain(ivs, a) {
			return
		}
		seen[a] = struct{}{}
		total = total.add(u64(1))
	}
	for i := range l {
		s := &l[i]
		switch {
		case s.single():
			countSingle(s.first)
		case s.kind == kindSpan:
			total = total.add(s.size().sub(spanOverlap(ivs, s.first, s.last)))
		case s.kind == kindOctets:
			total = total.add(u64(s.size().lo - s.octetOverlap(ivs)))
		case s.kind == kindName:
			if !s.resolved || s.err != nil {
				total = total.add(u64(1))
				continue
			}
			for _, a := range s.addrs {
				countSingle(a)
			}
		}
	}
	if total == (u128{}) {
		return 0, ErrAllExcluded
	}
	n, _ := total.uint64()
	return n, nil
}

// spanOverlap is the number of addresses first..last that ivs holds.
func spanOverlap(ivs []interval, first, last netip.Addr) u128 {
	var n u128
	for k := searchIntervals(ivs, first); k < len(ivs) && ivs[k].lo.Compare(last) <= 0; k++ {
		lo, hi := ivs[k].lo, ivs[k].hi
		if lo.Less(first) {
			lo = first
		}
		if last.Less(hi) {
			hi = last
		}
		n = n.add(spanSize(lo, hi))
	}
	return n
}

// octetOverlap is the number of addresses of octet ranges s that ivs holds.
func (s *Spec) octetOverlap(ivs []interval) uint64 {
	first, last := s.octetFirst(), s.octetLast()
	var n uint64
	for k := searchIntervals(ivs, first); k < len(ivs) && ivs[k].lo.Compare(last) <= 0; k++ {
		lo, hi := ivs[k].lo, ivs[k].hi
		if lo.Less(first) {
			lo = first
		}
		if last.Less(hi) {
			hi = last
		}
		n += s.octetsBelow(hi.As4()) - s.octetsBelow(lo.As4())
		if s.octetsContain(hi) {
			n++
		}
	}
	return n
}

// octetsBelow is the number of addresses of octet ranges s below x,
// counted octet by octet like digits of a mixed-radix number.
func (s *Spec) octetsBelow(x [4]byte) uint64 {
	var n uint64
	for i, r := range s.octets {
		// below is how many addresses each value of octet i stands for.
		below := uint64(1)
		for _, later := range s.octets[i+1:] {
			below *= later.size()
		}
		switch {
		case x[i] < r.lo:
			return n
		case x[i] > r.hi:
			return n + r.size()*below
		}
		n += uint64(x[i]-r.lo) * below
	}
	return n
}

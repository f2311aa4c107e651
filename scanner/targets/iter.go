package targets

import (
	"errors"
	"fmt"
	"iter"
	"net/netip"

	"github.com/winreach/winreach/catalog"
)

// Host is one expanded target.
type Host struct {
	// Addr is the address to scan; invalid when Err is set.
	Addr netip.Addr
	// Name is the host name the address came from, "" for addresses,
	// networks and ranges.
	Name string
	// Err is why a host name yielded no address: the lookup failed or
	// List.Resolve was not called. The caller reports it as a result row.
	Err error
}

var (
	// ErrNoTargets is Count's error for an empty list.
	ErrNoTargets = errors.New("no target given")
	// ErrAllExcluded is Count's error when exclusions remove every target.
	ErrAllExcluded = errors.New("every target is excluded")
)

// Iterator expands a List host by host in the order given, each spec in
// ascending address order. Its memory does not grow with the size of a
// network: one cursor, plus one entry per distinct single address for
// removing repeats. Get one from List.Hosts.
type Iterator struct {
	list List
	excl []interval
	seen map[netip.Addr]struct{}

	i       int        // spec being expanded
	started bool       // spec i has begun
	cur     netip.Addr // next candidate address in spec i
	k       int        // first exclusion interval that may hold cur
	j       int        // next address of a resolved name
}

// Hosts returns an Iterator over the hosts of l not in excl (nil for no
// exclusions). l must not change while the Iterator is in use.
func (l List) Hosts(excl *ExcludeSet) *Iterator {
	return &Iterator{list: l, excl: excl.intervals()}
}

// All returns the hosts of l not in excl as a sequence for range loops.
func (l List) All(excl *ExcludeSet) iter.Seq[Host] {
	return func(yield func(Host) bool) {
		it := l.Hosts(excl)
		for h, ok := it.Next(); ok; h, ok = it.Next() {
			if !yield(h) {
				return
			}
		}
	}
}

// Next returns the next host, or false when there are no more.
func (it *Iterator) Next() (Host, bool) {
	for it.i < len(it.list) {
		if h, ok := it.next(&it.list[it.i]); ok {
			return h, true
		}
		it.i, it.started, it.j = it.i+1, false, 0
	}
	return Host{}, false
}

// next returns the next host of s, or false when s is done.
func (it *Iterator) next(s *Spec) (Host, bool) {
	switch {
	case s.single():
		if it.started {
			return Host{}, false
		}
		it.started = true
		if it.excluded(s.first) || it.repeated(s.first) {
			return Host{}, false
		}
		return Host{Addr: s.first}, true
	case s.kind == kindSpan || s.kind == kindOctets:
		if !it.started {
			it.started = true
			it.cur = s.first
			if s.kind == kindOctets {
				it.cur = s.octetFirst()
			}
			it.k = searchIntervals(it.excl, it.cur)
		}
		return it.nextInRun(s)
	case s.kind == kindName:
		if !s.resolved || s.err != nil {
			if it.started {
				return Host{}, false
			}
			it.started = true
			err := s.err
			if err == nil {
				err = fmt.Errorf("host name %s not resolved", catalog.Quote(s.text))
			}
			return Host{Name: s.text, Err: err}, true
		}
		for it.j < len(s.addrs) {
			a := s.addrs[it.j]
			it.j++
			if !it.excluded(a) && !it.repeated(a) {
				return Host{Addr: a, Name: s.text}, true
			}
		}
	}
	return Host{}, false
}

// nextInRun steps through a span or octet ranges, jumping over each
// exclusion interval in one step. it.cur invalid means s is done.
func (it *Iterator) nextInRun(s *Spec) (Host, bool) {
	for it.cur.IsValid() {
		for it.k < len(it.excl) && it.excl[it.k].hi.Less(it.cur) {
			it.k++
		}
		if it.k < len(it.excl) && it.excl[it.k].lo.Compare(it.cur) <= 0 {
			// cur is excluded: resume after the interval.
			it.cur = s.after(it.excl[it.k].hi)
			it.k++
			continue
		}
		a := it.cur
		it.cur = s.after(a)
		return Host{Addr: a}, true
	}
	return Host{}, false
}

// after returns the first address of s above a, or the invalid Addr.
func (s *Spec) after(a netip.Addr) netip.Addr {
	if s.kind == kindSpan {
		if !a.Less(s.last) {
			return netip.Addr{}
		}
		return a.Next()
	}
	next := a.Next() // invalid after 255.255.255.255
	if !next.IsValid() {
		return netip.Addr{}
	}
	return s.octetCeil(next.As4())
}

func (it *Iterator) excluded(a netip.Addr) bool {
	return len(it.excl) > 0 && intervalsContain(it.excl, a)
}

// repeated records a and reports whether it was seen before.
func (it *Iterator) repeated(a netip.Addr) bool {
	if _, ok := it.seen[a]; ok {
		return true
	}
	if it.seen == nil {
		it.seen = make(map[netip.Addr]struct{})
	}
	it.seen[a] = struct{}{}
	return false
}

// octetFirst is the lowest address of octet ranges.
func (s *Spec) octetFirst() netip.Addr {
	return netip.AddrFrom4([4]byte{s.octets[0].lo, s.octets[1].lo, s.octets[2].lo, s.octets[3].lo})
}

// octetLast is the highest address of octet ranges.
func (s *Spec) octetLast() netip.Addr {
	return netip.AddrFrom4([4]byte{s.octets[0].hi, s.octets[1].hi, s.octets[2].hi, s.octets[3].hi})
}

// octetCeil returns the lowest address of octet ranges s at or above x,
// or the invalid Addr when there is none.
func (s *Spec) octetCeil(x [4]byte) netip.Addr {
	for i := range 4 {
		r := s.octets[i]
		switch {
		case x[i] < r.lo:
			// Raise this octet to its lowest; the rest start over.
			x[i] = r.lo
			return s.fillLow(x, i+1)
		case x[i] > r.hi:
			// Past this octet's range: carry into an earlier octet.
			for j := i - 1; j >= 0; j-- {
				if x[j] < s.octets[j].hi {
					x[j]++
					return s.fillLow(x, j+1)
				}
			}
			return netip.Addr{}
		}
	}
	return netip.AddrFrom4(x)
}

func (s *Spec) fillLow(x [4]byte, from int) netip.Addr {
	for i := from; i < 4; i++ {
		x[i] = s.octets[i].lo
	}
	return netip.AddrFrom4(x)
}

// searchIntervals returns the index of the first interval that ends at or
// after a.
func searchIntervals(ivs []interval, a netip.Addr) int {
	lo, hi := 0, len(ivs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if ivs[m].hi.Less(a) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

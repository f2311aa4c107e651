package targets

import (
	"math"
	"math/big"
	"math/bits"
	"net/netip"
)

// u128 is an unsigned 128-bit count: an IPv6 network holds more addresses
// than a uint64 can, and counting must not allocate the way math/big does.
// Arithmetic saturates at maxU128 instead of wrapping.
type u128 struct{ hi, lo uint64 }

var maxU128 = u128{math.MaxUint64, math.MaxUint64}

func u64(n uint64) u128 { return u128{lo: n} }

// addrBits is the address as a number. IPv4 addresses map into the IPv4-
// mapped IPv6 space, which keeps differences between two IPv4 addresses right.
func addrBits(a netip.Addr) u128 {
	b := a.As16()
	var n u128
	for i := range 8 {
		n.hi = n.hi<<8 | uint64(b[i])
		n.lo = n.lo<<8 | uint64(b[8+i])
	}
	return n
}

func (x u128) add(y u128) u128 {
	lo, carry := bits.Add64(x.lo, y.lo, 0)
	hi, carry := bits.Add64(x.hi, y.hi, carry)
	if carry != 0 {
		return maxU128
	}
	return u128{hi, lo}
}

// sub returns x-y for x >= y.
func (x u128) sub(y u128) u128 {
	lo, borrow := bits.Sub64(x.lo, y.lo, 0)
	hi, _ := bits.Sub64(x.hi, y.hi, borrow)
	return u128{hi, lo}
}

func (x u128) less(y u128) bool {
	return x.hi < y.hi || x.hi == y.hi && x.lo < y.lo
}

// uint64 returns x, or math.MaxUint64 and false when x does not fit.
func (x u128) uint64() (uint64, bool) {
	if x.hi != 0 {
		return math.MaxUint64, false
	}
	return x.lo, true
}

func (x u128) String() string {
	n := new(big.Int).SetUint64(x.hi)
	n.Lsh(n, 64)
	n.Or(n, new(big.Int).SetUint64(x.lo))
	return n.String()
}

// spanSize is the number of addresses from first to last inclusive
// (first <= last, same family), saturating for ::/0.
func spanSize(first, last netip.Addr) u128 {
	return addrBits(last).sub(addrBits(first)).add(u64(1))
}

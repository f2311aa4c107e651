package scanner

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/winreach/winreach/catalog"
)

// Shard is one part of a scan split over N machines: shard K of N probes
// the (host, endpoint) pairs whose hash is K modulo N. The hash is fixed
// (no random seed), so every machine computes the same partition without
// talking to the others, and it scatters pairs so each shard sees every
// subnet and every endpoint rather than a contiguous block.
type Shard struct {
	K, N int // 0 <= K < N
}

// ParseShard reads "K/N" with K counted from 0 (a Kubernetes Indexed
// Job's JOB_COMPLETION_INDEX).
func ParseShard(s string) (Shard, error) {
	ks, ns, ok := strings.Cut(s, "/")
	if !ok {
		return Shard{}, fmt.Errorf("shard %q: want K/N, e.g. 0/4", s)
	}
	k, err1 := strconv.Atoi(ks)
	n, err2 := strconv.Atoi(ns)
	switch {
	case err1 != nil || err2 != nil:
		return Shard{}, fmt.Errorf("shard %q: want K/N with whole numbers", s)
	case n < 1:
		return Shard{}, fmt.Errorf("shard %q: N must be at least 1", s)
	case k < 0 || k >= n:
		return Shard{}, fmt.Errorf("shard %q: K counts from 0 and must be below N", s)
	}
	return Shard{K: k, N: n}, nil
}

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.K, s.N) }

// Keep reports whether the pair belongs to this shard; it is the
// Scanner's Keep hook.
func (s Shard) Keep(addr netip.Addr, e catalog.Endpoint) bool {
	if s.N <= 1 {
		return true
	}
	return PairHash(addr, e)%uint64(s.N) == uint64(s.K)
}

// PairHash is a stable 64-bit hash of a (host, endpoint) pair: the 16
// bytes of the address (IPv4 mapped into IPv6, so both spellings agree)
// and the endpoint, mixed with splitmix64's finaliser.
func PairHash(addr netip.Addr, e catalog.Endpoint) uint64 {
	a := addr.Unmap().As16()
	hi, lo := binary.BigEndian.Uint64(a[:8]), binary.BigEndian.Uint64(a[8:])
	h := mix64(hi ^ 0x9e3779b97f4a7c15)
	h = mix64(h ^ lo)
	return mix64(h ^ uint64(e.Transport)<<16 ^ uint64(e.Port))
}

// mix64 is splitmix64's output function (Steele, Lea, Flood 2014).
func mix64(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

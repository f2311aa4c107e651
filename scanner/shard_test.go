package scanner

import (
	"context"
	"net/netip"
	"sync"
	"testing"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes"
)

func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Shard
		ok   bool
	}{
		{"0/1", Shard{0, 1}, true},
		{"2/3", Shard{2, 3}, true},
		{"3/3", Shard{}, false},
		{"-1/3", Shard{}, false},
		{"1/0", Shard{}, false},
		{"1", Shard{}, false},
		{"a/b", Shard{}, false},
	} {
		got, err := ParseShard(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseShard(%q) = %v, %v", tc.in, got, err)
		}
	}
}

// The partition must not depend on the machine or the run: shards of one
// scan run on different machines, perhaps different builds. The values
// were computed independently with a Python transcription of splitmix64.
func TestPairHashIsStable(t *testing.T) {
	for _, tc := range []struct {
		addr string
		ep   string
		want uint64
	}{
		{"198.18.1.10", "tcp/139", 0x5e5a4dff2234d793},
		{"::ffff:198.18.1.10", "tcp/139", 0x5e5a4dff2234d793},
		{"fd77:7272::10", "udp/389", 0x90b1615d2ef3edf8},
	} {
		e, _ := catalog.ParseEndpoint(tc.ep)
		if got := PairHash(netip.MustParseAddr(tc.addr), e); got != tc.want {
			t.Errorf("PairHash(%s, %s) = %#x, want %#x", tc.addr, tc.ep, got, tc.want)
		}
	}
}

// Every pair of a /20 x the catalog lands in exactly one of N shards, and
// every shard sees every /24 and every endpoint.
func TestShardsPartitionAndSpread(t *testing.T) {
	eps := catalog.Endpoints(catalog.Default().Functions)
	prefix := netip.MustParsePrefix("198.18.16.0/20")
	for _, n := range []int{1, 2, 3, 7, 16} {
		counts := make([]int, n)
		subnets := make([]map[netip.Prefix]bool, n)
		endpoints := make([]map[catalog.Endpoint]bool, n)
		for k := range n {
			subnets[k], endpoints[k] = map[netip.Prefix]bool{}, map[catalog.Endpoint]bool{}
		}
		total := 0
		for a := prefix.Addr(); prefix.Contains(a); a = a.Next() {
			for _, e := range eps {
				owners := 0
				for k := range n {
					if (Shard{k, n}).Keep(a, e) {
						owners++
						counts[k]++
						p, _ := a.Prefix(24)
						subnets[k][p] = true
						endpoints[k][e] = true
					}
				}
				if owners != 1 {
					t.Fatalf("N=%d: %v %v is in %d shards", n, a, e, owners)
				}
				total++
			}
		}
		for k := range n {
			share := float64(counts[k]) / float64(total)
			if share < 0.9/float64(n) || share > 1.1/float64(n) {
				t.Errorf("N=%d: shard %d holds %.3f of the pairs", n, k, share)
			}
			if len(subnets[k]) != 16 || len(endpoints[k]) != len(eps) {
				t.Errorf("N=%d: shard %d sees %d of 16 subnets and %d of %d endpoints", n, k, len(subnets[k]), len(endpoints[k]), len(eps))
			}
		}
	}
}

// Running the scanner once per shard probes the whole scan, each pair
// once.
func TestShardedRunsCoverTheScanOnce(t *testing.T) {
	sel := Select(catalog.Default(), nil, nil)
	var mu sync.Mutex
	probed := map[task]int{}
	prober := func(e catalog.Endpoint) probes.Prober {
		return probes.ProberFunc(func(_ context.Context, tg probes.Target) probes.Result {
			mu.Lock()
			probed[task{probes.Target{Addr: tg.Addr, Port: tg.Port}, e}]++
			mu.Unlock()
			return probes.Result{State: probes.Closed, Reason: probes.ReasonReset}
		})
	}
	const hosts, n = 40, 3
	seen := map[netip.Addr]int{}
	for k := range n {
		s := &Scanner{Prober: prober, Concurrency: 8, Keep: Shard{k, n}.Keep,
			OnHost: func(h HostResult) { seen[h.Address]++ }}
		s.Run(t.Context(), loopbackHosts(netip.MustParseAddr("198.18.5.1"), hosts), sel)
	}
	if want := hosts * len(sel.Endpoints); len(probed) != want {
		t.Errorf("%d pairs probed over %d shards, want %d", len(probed), n, want)
	}
	for tk, c := range probed {
		if c != 1 {
			t.Errorf("%v probed %d times", tk, c)
		}
	}
	for a, c := range seen {
		if c != n {
			t.Errorf("%v reported by %d shards, want %d (each has some of its pairs)", a, c, n)
		}
	}
}

package scanner

import (
	"iter"
	"net/netip"
	"testing"
	"time"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/icmperr"
)

// loopbackHosts yields n addresses of 127.0.0.0/8 from base on.
func loopbackHosts(base netip.Addr, n int) iter.Seq[Host] {
	return func(yield func(Host) bool) {
		a := base
		for range n {
			if !yield(Host{Addr: a}) {
				return
			}
			a = a.Next()
		}
	}
}

// catalogTCP selects the catalog's TCP endpoints only (the shape of
// benchmark case 1: closed ports on loopback answer with RST at once).
func catalogTCP() Selection {
	var eps []catalog.Endpoint
	for _, e := range catalog.Endpoints(catalog.Default().Functions) {
		if e.Transport == catalog.TCP {
			eps = append(eps, e)
		}
	}
	return Select(catalog.Default(), nil, eps)
}

// BenchmarkScanLoopback runs the real TCP connect probe (through the
// ICMP-aware dialer the CLI uses) against 1,000 loopback hosts x the
// catalog's 21 TCP ports, 21,000 endpoints per iteration, all closed.
func BenchmarkScanLoopback(b *testing.B) {
	sel := catalogTCP()
	const hosts = 1000
	tcp := probes.TCP{Dialer: &icmperr.Dialer{}, Timeout: 2 * time.Second}
	var probesRun int
	start := time.Now()
	for b.Loop() {
		s := &Scanner{
			Prober:      func(catalog.Endpoint) probes.Prober { return tcp },
			Concurrency: 512,
			OnHost:      func(HostResult) {},
		}
		st := s.Run(b.Context(), loopbackHosts(netip.MustParseAddr("127.3.0.1"), hosts), sel)
		probesRun += st.Probes
	}
	b.ReportMetric(float64(probesRun)/time.Since(start).Seconds(), "probes/s")
	b.ReportMetric(float64(hosts*len(sel.Endpoints)), "endpoints/op")
}

// BenchmarkScanLoopbackMillion is the million probes: 47,620
// loopback hosts x 21 TCP ports, with goroutines and descriptors counted
// before and after (it fails on growth).
func BenchmarkScanLoopbackMillion(b *testing.B) {
	const hosts = 47620
	for b.Loop() {
		g0, fd0 := settled(0), openFDs(b)
		start := time.Now()
		st := scanLoopback(b, "127.6.0.1", hosts)
		b.ReportMetric(float64(st.Probes)/time.Since(start).Seconds(), "probes/s")
		g1, fd1 := settled(g0), openFDs(b)
		b.ReportMetric(float64(g1-g0), "goroutines-growth")
		b.ReportMetric(float64(fd1-fd0), "fds-growth")
		if st.Probes < 1_000_000 || g1 > g0 || fd1 > fd0 {
			b.Fatalf("%d probes: goroutines %d -> %d, descriptors %d -> %d", st.Probes, g0, g1, fd0, fd1)
		}
	}
}

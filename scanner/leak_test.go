package scanner

import (
	"net/netip"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/icmperr"
)

// openFDs counts this process's open descriptors (Linux).
func openFDs(tb testing.TB) int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		tb.Skipf("cannot count descriptors: %v", err)
	}
	return len(entries)
}

// settled waits for goroutines of a finished run to exit (timers and
// context callbacks end a moment after Run returns) and reports the
// count.
func settled(limit int) int {
	n := runtime.NumGoroutine()
	for deadline := time.Now().Add(5 * time.Second); n > limit && time.Now().Before(deadline); n = runtime.NumGoroutine() {
		time.Sleep(20 * time.Millisecond)
	}
	return n
}

// scanLoopback runs the real TCP connect probe, with adaptive timing,
// against hosts x the catalog's TCP ports on loopback (closed: RST).
func scanLoopback(tb testing.TB, base string, hosts int) Stats {
	sel := catalogTCP()
	tcp := probes.TCP{Dialer: &icmperr.Dialer{}, Timeout: 2 * time.Second, Retries: 1}
	s := &Scanner{
		Prober:      func(catalog.Endpoint) probes.Prober { return tcp },
		Concurrency: 256,
		Timing:      &Timing{},
		OnHost:      func(HostResult) {},
	}
	return s.Run(tb.Context(), loopbackHosts(netip.MustParseAddr(base), hosts), sel)
}

// A large loopback scan leaves no goroutine and no descriptor behind:
// per-host state, sockets and workers all end with the scan.
func TestLoopbackScanLeavesNoGoroutinesOrFDs(t *testing.T) {
	hosts := 3000 // 63,000 probes; BenchmarkScanLoopbackMillion does a million
	if testing.Short() || raceEnabled {
		hosts = 500
	}
	scanLoopback(t, "127.5.0.1", 50) // warm up the runtime's own goroutines
	g0, fd0 := settled(0), openFDs(t)
	st := scanLoopback(t, "127.5.1.1", hosts)
	if want := hosts * len(catalogTCP().Endpoints); st.Probes != want || st.Interrupted {
		t.Fatalf("%+v, want %d probes", st, want)
	}
	g1, fd1 := settled(g0), openFDs(t)
	if g1 > g0 || fd1 > fd0 {
		t.Errorf("after %d probes: goroutines %d -> %d, descriptors %d -> %d", st.Probes, g0, g1, fd0, fd1)
	}
}

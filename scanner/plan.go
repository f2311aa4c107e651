package scanner

import (
	"slices"

	"github.com/winreach/winreach/catalog"
)

// Selection is what a scan asks about: the functions to judge and every
// distinct endpoint to probe for them (plus any extra endpoints asked for
// by -p, probed and reported without a function).
type Selection struct {
	Functions []catalog.Function
	Endpoints []catalog.Endpoint
	// Gated maps each endpoint that only optional transports need (no
	// selected function requires it, and -p did not ask for it) to the
	// functions listing it as optional. The scanner holds such an
	// endpoint back until those functions' required endpoints answer,
	// and skips it when each of them has one the host itself reported
	// closed: an optional transport is set up over the function's main
	// one ([MS-RDPEUDP] 1.3: RDP's UDP transport is negotiated inside
	// the TCP connection; [MS-TSGU] 1.3: the gateway's UDP 3391 inside
	// its HTTPS one), so where the host says that service is absent no
	// client would ever send to it, and the probe would only spend the
	// host's ICMP budget.
	Gated map[catalog.Endpoint][]catalog.Function
}

// Select builds the selection. With no functions and no extra endpoints
// it selects the whole catalog. Extra endpoints alone restrict the scan to
// them, and only the functions they fully cover are judged; with functions
// they are added.
func Select(c *catalog.Catalog, fns []catalog.Function, extra []catalog.Endpoint) Selection {
	switch {
	case len(fns) == 0 && len(extra) == 0:
		fns = c.Functions
	case len(fns) == 0:
		have := map[catalog.Endpoint]bool{}
		for _, e := range extra {
			have[e] = true
		}
		for _, f := range c.Functions {
			covered := true
			for _, e := range f.Endpoints {
				covered = covered && have[e]
			}
			if covered {
				fns = append(fns, f)
			}
		}
	}
	fns = dedupFunctions(fns)
	eps := catalog.Endpoints(fns)
	for _, e := range extra {
		if !slices.Contains(eps, e) {
			eps = append(eps, e)
		}
	}
	slices.SortFunc(eps, compareEndpoints)
	return Selection{Functions: fns, Endpoints: eps, Gated: gated(fns, extra)}
}

// gated finds the endpoints of fns that only optional transports need.
func gated(fns []catalog.Function, extra []catalog.Endpoint) map[catalog.Endpoint][]catalog.Function {
	needed := map[catalog.Endpoint]bool{}
	for _, e := range extra {
		needed[e] = true
	}
	for _, f := range fns {
		for _, e := range f.Endpoints {
			needed[e] = true
		}
	}
	var out map[catalog.Endpoint][]catalog.Function
	for _, f := range fns {
		for _, e := range f.Optional {
			if needed[e] {
				continue
			}
			if out == nil {
				out = map[catalog.Endpoint][]catalog.Function{}
			}
			out[e] = append(out[e], f)
		}
	}
	return out
}

func dedupFunctions(fns []catalog.Function) []catalog.Function {
	seen := map[string]bool{}
	out := fns[:0:0]
	for _, f := range fns {
		if !seen[f.ID] {
			seen[f.ID] = true
			out = append(out, f)
		}
	}
	return out
}

func compareEndpoints(a, b catalog.Endpoint) int {
	switch {
	case a.Less(b):
		return -1
	case b.Less(a):
		return 1
	}
	return 0
}

// probeOrder is the order in which a host's endpoints are probed, as
// indices into endpoints: the selection's order, raw IP probes last (they
// share one ICMP listener and are the ones a target's ICMP rate limit
// hurts most). Across hosts, the scanner takes one probe per host in turn
// (run.pick), so consecutive probes go to different hosts: one slow host
// does not hold the workers, and the probes each host receives are spaced.
func probeOrder(endpoints []catalog.Endpoint) []int {
	order := make([]int, 0, len(endpoints))
	for _, raw := range []bool{false, true} {
		for i, e := range endpoints {
			if (e.Transport == catalog.IP) == raw {
				order = append(order, i)
			}
		}
	}
	return order
}

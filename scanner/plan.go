package scanner

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/winreach/winreach/catalog"
)

// Selection is what a scan asks about: the functions to judge and every
// distinct endpoint to probe for them (plus any extra endpoints asked for
// by -p, probed and reported without a function).
type Selection struct {
	Functions []catalog.Function
	Endpoints []catalog.Endpoint
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
	return Selection{Functions: fns, Endpoints: eps}
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

// Task is one probe of the plan: one endpoint of one host.
type Task struct {
	Host     netip.Addr
	Endpoint catalog.Endpoint
}

func (t Task) String() string { return fmt.Sprintf("%s %s", t.Host, t.Endpoint) }

// PlanWindow orders the probes for a window of hosts: endpoint by endpoint,
// and within an endpoint host by host, so consecutive probes go to
// different hosts. That keeps one slow host from holding the workers and
// spaces the probes each host receives, which is what a target's ICMP rate
// limit needs. Every (host, endpoint) pair appears once, even when a dozen
// functions share the endpoint (TCP 139).
//
// Raw IP probes go last: they share one ICMP listener and are the ones a
// target's rate limit hurts most.
func PlanWindow(hosts []netip.Addr, endpoints []catalog.Endpoint) []Task {
	tasks := make([]Task, 0, len(hosts)*len(endpoints))
	for _, pass := range []func(catalog.Endpoint) bool{
		func(e catalog.Endpoint) bool { return e.Transport != catalog.IP },
		func(e catalog.Endpoint) bool { return e.Transport == catalog.IP },
	} {
		for _, e := range endpoints {
			if !pass(e) {
				continue
			}
			for _, h := range hosts {
				tasks = append(tasks, Task{Host: h, Endpoint: e})
			}
		}
	}
	return tasks
}

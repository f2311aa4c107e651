package diff

import (
	"net/netip"
	"slices"
	"testing"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/scanner"
)

var (
	a1 = netip.MustParseAddr("198.18.1.10")
	a2 = netip.MustParseAddr("198.18.1.20")
)

// states maps endpoints ("udp/138") to results.
type states map[string]probes.Result

var (
	open      = probes.Result{State: probes.Open, Reason: probes.ReasonSynAck}
	confirmed = probes.Result{State: probes.Confirmed, Reason: probes.ReasonReply}
	silent    = probes.Result{State: probes.OpenFiltered, Reason: probes.ReasonNoResponse}
	dropped   = probes.Result{State: probes.Filtered, Reason: probes.ReasonNoResponse}
	timedOut  = probes.Result{State: probes.Filtered, Reason: probes.ReasonTimeout}
	rejected  = probes.Result{State: probes.Filtered, Reason: probes.ReasonAdminProhibited,
		ICMP: &probes.ICMP{Type: 3, Code: 13, From: netip.MustParseAddr("198.18.1.1")}}
	closed   = probes.Result{State: probes.Closed, Reason: probes.ReasonReset}
	untested = probes.Result{State: probes.NotTested, Reason: probes.ReasonNeedsPrivilege}
)

// host judges the functions fns of a host from the endpoint results, as a
// scan does.
func host(t *testing.T, addr netip.Addr, fns []string, st states) scanner.HostResult {
	t.Helper()
	c := catalog.Default()
	h := scanner.HostResult{Address: addr, Status: scanner.StatusComplete}
	results := map[catalog.Endpoint]probes.Result{}
	for s, r := range st {
		e, err := catalog.ParseEndpoint(s)
		if err != nil {
			t.Fatal(err)
		}
		results[e] = r
		h.Endpoints = append(h.Endpoints, scanner.EndpointResult{Endpoint: e, Result: r})
	}
	for _, id := range fns {
		f, ok := c.Function(id)
		if !ok {
			t.Fatalf("no function %q", id)
		}
		h.Functions = append(h.Functions, scanner.Judge(f, results))
	}
	return h
}

// change is the part of a Change the table checks.
type change struct {
	id       string
	old, new string
	kind     Kind
	ignored  bool
}

func TestCompare(t *testing.T) {
	logon := []string{"netlogon", "smtp", "logon-sequence", "pptp"}
	base := states{"udp/137": confirmed, "udp/138": confirmed, "tcp/139": open, "tcp/25": confirmed, "tcp/1723": confirmed, "ip/47": confirmed}
	with := func(over states) states {
		s := states{}
		for k, v := range base {
			s[k] = v
		}
		for k, v := range over {
			s[k] = v
		}
		return s
	}
	for _, tc := range []struct {
		name       string
		old, new   []scanner.HostResult
		all        bool
		want       []change
		regs, exps int
		ignored    int
	}{
		{
			name: "identical",
			old:  []scanner.HostResult{host(t, a1, logon, base)},
			new:  []scanner.HostResult{host(t, a1, logon, base)},
		},
		{
			name: "udp 138 dropped: the functions that need it regress, the others not",
			old:  []scanner.HostResult{host(t, a1, logon, base)},
			new:  []scanner.HostResult{host(t, a1, logon, with(states{"udp/138": dropped}))},
			want: []change{
				{"netlogon", "reachable", "blocked", Regression, false},
				{"logon-sequence", "reachable", "blocked", Regression, false},
			},
			regs: 2,
		},
		{
			name: "blocked to reachable is new exposure",
			old:  []scanner.HostResult{host(t, a1, logon, with(states{"tcp/25": rejected, "ip/47": dropped}))},
			new:  []scanner.HostResult{host(t, a1, logon, base)},
			want: []change{
				{"smtp", "blocked", "reachable", Exposure, false},
				{"pptp", "blocked", "reachable", Exposure, false},
			},
			exps: 2,
		},
		{
			name:    "open|filtered to filtered silence is ignored",
			old:     []scanner.HostResult{host(t, a1, logon, with(states{"udp/138": silent, "ip/47": silent}))},
			new:     []scanner.HostResult{host(t, a1, logon, with(states{"udp/138": dropped, "ip/47": timedOut}))},
			ignored: 3,
		},
		{
			name: "--all shows the ignored changes",
			old:  []scanner.HostResult{host(t, a1, logon, with(states{"udp/138": dropped}))},
			new:  []scanner.HostResult{host(t, a1, logon, with(states{"udp/138": silent}))},
			all:  true,
			want: []change{
				{"netlogon", "blocked", "uncertain", Changed, true},
				{"logon-sequence", "blocked", "uncertain", Changed, true},
			},
			ignored: 2,
		},
		{
			name: "silence to an ICMP reject is a change",
			old:  []scanner.HostResult{host(t, a1, logon, with(states{"udp/138": silent}))},
			new:  []scanner.HostResult{host(t, a1, logon, with(states{"udp/138": rejected}))},
			want: []change{
				{"netlogon", "uncertain", "blocked", Changed, false},
				{"logon-sequence", "uncertain", "blocked", Changed, false},
			},
		},
		{
			name: "blocked to not-listening, and reachable to not-tested",
			old:  []scanner.HostResult{host(t, a1, logon, with(states{"tcp/25": dropped}))},
			new:  []scanner.HostResult{host(t, a1, logon, with(states{"tcp/25": closed, "ip/47": untested}))},
			want: []change{
				{"smtp", "blocked", "not-listening", Changed, false},
				{"pptp", "reachable", "not-tested", Regression, false},
			},
			regs: 1,
		},
		{
			name: "a function left out of NEW regresses when it was reachable",
			old:  []scanner.HostResult{host(t, a1, logon, base)},
			new:  []scanner.HostResult{host(t, a1, []string{"netlogon", "smtp", "logon-sequence"}, base)},
			want: []change{{"pptp", "reachable", NotScanned, Regression, false}},
			regs: 1,
		},
		{
			name: "host gone and host appeared",
			old:  []scanner.HostResult{host(t, a1, []string{"smtp", "netlogon"}, with(states{"udp/138": dropped}))},
			new:  []scanner.HostResult{host(t, a2, []string{"smtp", "netlogon"}, with(states{"udp/138": dropped}))},
			want: []change{
				{"smtp", "reachable", NotScanned, Regression, false},
				{"smtp", NotScanned, "reachable", Exposure, false},
			},
			regs: 1, exps: 1,
		},
		{
			name: "unresolved in NEW",
			old:  []scanner.HostResult{host(t, a1, []string{"smtp"}, base)},
			new:  []scanner.HostResult{{Address: a1, Status: scanner.StatusUnresolved}},
			want: []change{{"smtp", "reachable", NotScanned, Regression, false}},
			regs: 1,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Compare(tc.old, tc.new, Options{All: tc.all})
			var got []change
			for _, h := range r.Hosts {
				for _, c := range h.Changes {
					got = append(got, change{c.ID, c.Old, c.New, c.Kind, c.Ignored})
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("changes\n got %+v\nwant %+v", got, tc.want)
			}
			if r.Regressions != tc.regs || r.Exposures != tc.exps || r.Ignored != tc.ignored {
				t.Errorf("counts: %d regressions, %d exposures, %d ignored; want %d, %d, %d",
					r.Regressions, r.Exposures, r.Ignored, tc.regs, tc.exps, tc.ignored)
			}
		})
	}
}

func TestComparePresence(t *testing.T) {
	old := []scanner.HostResult{host(t, a1, []string{"smtp"}, states{"tcp/25": open})}
	new := []scanner.HostResult{host(t, a2, []string{"smtp"}, states{"tcp/25": dropped})}
	r := Compare(old, new, Options{})
	if len(r.Hosts) != 2 || r.Hosts[0].Presence != Gone || r.Hosts[1].Presence != Appeared {
		t.Fatalf("%+v", r.Hosts)
	}
	// The appeared host's blocked smtp is not an exposure and not listed.
	if len(r.Hosts[1].Changes) != 0 || r.Exposures != 0 || r.Regressions != 1 {
		t.Errorf("%+v", r)
	}
}

// TestCompareOnlyWhatBothAsked: scans that asked for different functions
// (another catalog, another -g) compare only the functions both asked
// for; the rest are listed, not counted as regressions or exposures.
func TestCompareOnlyWhatBothAsked(t *testing.T) {
	old := []scanner.HostResult{host(t, a1, []string{"smtp", "pop3"}, states{"tcp/25": open, "tcp/110": open})}
	new := []scanner.HostResult{host(t, a1, []string{"smtp", "imap"}, states{"tcp/25": dropped, "tcp/143": open})}

	// Unknown selections (scans saved without them): everything counts.
	r := Compare(old, new, Options{})
	if r.Regressions != 2 || r.Exposures != 1 {
		t.Errorf("without selections: %d regressions, %d exposures; want 2, 1", r.Regressions, r.Exposures)
	}

	r = Compare(old, new, Options{OldFunctions: []string{"smtp", "pop3"}, NewFunctions: []string{"smtp", "imap"}})
	if r.Regressions != 1 || r.Exposures != 0 || r.Changed != 0 {
		t.Errorf("with selections: %d regressions, %d exposures, %d changed; want 1, 0, 0", r.Regressions, r.Exposures, r.Changed)
	}
	if len(r.Hosts) != 1 || len(r.Hosts[0].Changes) != 1 || r.Hosts[0].Changes[0].ID != "smtp" {
		t.Errorf("changes: %+v", r.Hosts)
	}
	if !slices.Equal(r.OnlyOld, []string{"pop3"}) || !slices.Equal(r.OnlyNew, []string{"imap"}) {
		t.Errorf("only old %q, only new %q", r.OnlyOld, r.OnlyNew)
	}

	// A host gone from NEW still regresses, on what both asked for.
	r = Compare(old, nil, Options{OldFunctions: []string{"smtp", "pop3"}, NewFunctions: []string{"smtp"}})
	if r.Regressions != 1 || r.Hosts[0].Presence != Gone {
		t.Errorf("gone host: %+v", r)
	}
}

package report

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/scanner"
)

// interruptedRun is the JSON Lines output of a scan of 198.18.3.1 and
// 198.18.3.2 for tcp/139, tcp/445, udp/137, killed while writing: the
// records are those report.Stream writes.
const interruptedRun = `{"type":"start","scanner":"winreach","version":"0.1.0-dev","start_time":"2026-11-25T21:00:00Z","options":{"concurrency":2,"timeout_ms":2000,"retries":1,"functions":["smb-direct-host"],"endpoints":["tcp/139","tcp/445","udp/137"]},"targets":["198.18.3.1-2"]}
{"type":"endpoint","host":"198.18.3.1","endpoint":"tcp/139","transport":"tcp","port":139,"state":"closed","reason":"rst","rtt_ms":0.1}
{"type":"endpoint","host":"198.18.3.1","endpoint":"tcp/445","transport":"tcp","port":445,"state":"confirmed","reason":"reply","service":{"protocol":"smb2","summary":"SMB 3.1.1"},"rtt_ms":0.3}
{"type":"endpoint","host":"198.18.3.1","endpoint":"udp/137","transport":"udp","port":137,"state":"not-tested","reason":"local-error","note":"scan interrupted"}
{"type":"host","address":"198.18.3.1","status":"partial","functions":[]}
{"type":"endpoint","host":"198.18.3.2","endpoint":"tcp/139","transport":"tcp","port":139,"state":"filtered","reason":"timeout","wait_ms":2000}
{"type":"endpoint","host":"198.18.3.2","endpoint":"tcp/445","transpo`

func TestReadPriorKeepsFinishedResults(t *testing.T) {
	p, err := ReadPrior(strings.NewReader(interruptedRun))
	if err != nil {
		t.Fatal(err)
	}
	if !p.Truncated || p.Results != 3 {
		t.Errorf("truncated %v, %d results; want true, 3 (the interrupted probe and the cut record are not reused)", p.Truncated, p.Results)
	}
	h1 := p.Take(netip.MustParseAddr("198.18.3.1"))
	if len(h1) != 2 || h1[1].State != probes.Confirmed || h1[1].Service == nil || h1[1].Service.Summary != "SMB 3.1.1" {
		t.Errorf("198.18.3.1: %+v", h1)
	}
	if again := p.Take(netip.MustParseAddr("198.18.3.1")); again != nil {
		t.Errorf("Take twice gave %v", again)
	}
	if _, err := ReadPrior(strings.NewReader("not json")); err == nil {
		t.Error("garbage accepted")
	}
}

// A resumed run probes only what the first run did not finish and judges
// every host on old and new results together.
func TestResumeProbesOnlyWhatIsMissing(t *testing.T) {
	p, err := ReadPrior(strings.NewReader(interruptedRun))
	if err != nil {
		t.Fatal(err)
	}
	sel := scanner.Select(catalog.Default(), nil, []catalog.Endpoint{endpointOf("tcp/139"), endpointOf("tcp/445"), endpointOf("udp/137")})
	var mu sync.Mutex
	var probed []string
	prober := func(e catalog.Endpoint) probes.Prober {
		return probes.ProberFunc(func(_ context.Context, tg probes.Target) probes.Result {
			mu.Lock()
			probed = append(probed, tg.Addr.String()+" "+e.String())
			mu.Unlock()
			return probes.Result{State: probes.Closed, Reason: probes.ReasonPortUnreachable}
		})
	}
	hosts := map[netip.Addr]scanner.HostResult{}
	var streamed int
	s := &scanner.Scanner{Prober: prober, Concurrency: 4, Known: p.Take,
		OnEndpoint: func(netip.Addr, scanner.EndpointResult) { streamed++ },
		OnHost:     func(h scanner.HostResult) { hosts[h.Address] = h }}
	st := s.Run(t.Context(), slices.Values([]scanner.Host{{Addr: netip.MustParseAddr("198.18.3.1")}, {Addr: netip.MustParseAddr("198.18.3.2")}}), sel)
	if st.Reused != 3 || st.Probes != 3 || streamed != 6 {
		t.Errorf("reused %d, probed %d, streamed %d; want 3, 3, 6", st.Reused, st.Probes, streamed)
	}
	want := map[string]bool{"198.18.3.1 udp/137": true, "198.18.3.2 tcp/445": true, "198.18.3.2 udp/137": true}
	for _, p := range probed {
		if !want[p] {
			t.Errorf("probed %s again", p)
		}
	}
	h1 := hosts[netip.MustParseAddr("198.18.3.1")]
	if h1.Status != scanner.StatusComplete || h1.Results()[catalog.Endpoint{Transport: catalog.TCP, Port: 445}].State != probes.Confirmed {
		t.Errorf("198.18.3.1: %+v", h1)
	}
	// file-sharing needs tcp/139: filtered in the first run, so blocked.
	judged := 0
	for _, f := range hosts[netip.MustParseAddr("198.18.3.2")].Functions {
		if f.ID == "file-sharing" {
			judged++
			if f.Verdict != scanner.Blocked {
				t.Errorf("198.18.3.2 file-sharing: %v, want blocked by the earlier tcp/139 timeout", f.Verdict)
			}
		}
	}
	if judged != 1 {
		t.Errorf("file-sharing judged %d times on 198.18.3.2", judged)
	}
}

package report

import (
	"bytes"
	"encoding/json"
	"io"
	"net/netip"
	"testing"
	"time"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/scanner"
)

func endpointOf(s string) catalog.Endpoint {
	e, err := catalog.ParseEndpoint(s)
	if err != nil {
		panic(err)
	}
	return e
}

// The hand-written encoding of plain results is byte for byte what
// json.Marshal writes, and every other result takes json.Marshal's path.
func TestPlainEndpointMatchesMarshal(t *testing.T) {
	for _, er := range []scanner.EndpointResult{
		{Endpoint: endpointOf("tcp/25"), Result: probes.Result{State: probes.Closed, Reason: probes.ReasonReset, RTT: 52 * time.Microsecond, Attempts: 1}},
		{Endpoint: endpointOf("tcp/3389"), Result: probes.Result{State: probes.Filtered, Reason: probes.ReasonTimeout, Wait: 1250 * time.Millisecond, Attempts: 2}},
		{Endpoint: endpointOf("udp/138"), Result: probes.Result{State: probes.OpenFiltered, Reason: probes.ReasonNoResponse, Note: probes.NoProbeNote, Attempts: 3, Wait: 2 * time.Second}},
		{Endpoint: endpointOf("ip/47"), Result: probes.Result{State: probes.NotTested, Reason: probes.ReasonNeedsPrivilege, Note: "needs CAP_NET_RAW"}},
		{Endpoint: endpointOf("tcp/80"), Result: probes.Result{State: probes.Open, Reason: probes.ReasonSynAck, RTT: 123456789 * time.Nanosecond}},
		{Endpoint: endpointOf("tcp/139"), Result: probes.Result{State: probes.Closed, Reason: probes.ReasonReset, Note: `quote " and <tag> & é`}},
		{Endpoint: endpointOf("udp/137"), Result: probes.Result{State: probes.Closed, Reason: probes.ReasonPortUnreachable,
			ICMP: &probes.ICMP{Type: 3, Code: 3, From: netip.MustParseAddr("198.18.1.70")}}},
		{Endpoint: endpointOf("tcp/445"), Result: probes.Result{State: probes.Confirmed, Reason: probes.ReasonReply, Service: &probes.Service{Protocol: "smb2", Summary: "SMB 3.1.1"}}},
	} {
		want, err := json.Marshal(er)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := appendPlainEndpoint(nil, er)
		plain := er.ICMP == nil && er.Service == nil && plainJSON(er.Note)
		if ok != plain {
			t.Errorf("%s: fast path taken %v, want %v", want, ok, plain)
		}
		if ok && !bytes.Equal(got, want) {
			t.Errorf("fast path\n%s\nwant\n%s", got, want)
		}
		var buf bytes.Buffer
		s := NewStream(&buf)
		s.endpoint(netip.MustParseAddr("198.18.1.10"), er)
		if err := s.End(&Document{}); err != nil {
			t.Fatal(err)
		}
		line, _, _ := bytes.Cut(buf.Bytes(), []byte("\n"))
		if wantLine := `{"type":"endpoint","host":"198.18.1.10",` + string(want[1:]); string(line) != wantLine {
			t.Errorf("stream line\n%s\nwant\n%s", line, wantLine)
		}
	}
}

// BenchmarkStreamEndpoint is the JSON Lines encoding of one closed port,
// the record a sweep writes most.
func BenchmarkStreamEndpoint(b *testing.B) {
	s := NewStream(io.Discard)
	host := netip.MustParseAddr("198.18.1.10")
	er := scanner.EndpointResult{Endpoint: endpointOf("tcp/139"), Result: probes.Result{State: probes.Closed, Reason: probes.ReasonReset, RTT: 52 * time.Microsecond, Attempts: 1}}
	b.ReportAllocs()
	for b.Loop() {
		s.endpoint(host, er)
	}
}

// BenchmarkStreamHost is one host's verdict record for the whole catalog.
func BenchmarkStreamHost(b *testing.B) {
	h := closedHost()
	s := NewStream(io.Discard)
	b.ReportAllocs()
	for b.Loop() {
		s.Host(Host{HostResult: h})
	}
}

// BenchmarkWriteJSON is the --format json document of 256 hosts x the
// whole catalog.
func BenchmarkWriteJSON(b *testing.B) {
	h := closedHost()
	d := &Document{Scanner: "winreach", Hosts: make([]scanner.HostResult, 256)}
	for i := range d.Hosts {
		d.Hosts[i] = h
	}
	d.Summary = Summarize(d.Hosts)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteJSON(io.Discard, d); err != nil {
			b.Fatal(err)
		}
	}
}

// closedHost is a host whose every catalog endpoint is closed, judged.
func closedHost() scanner.HostResult {
	c := catalog.Default()
	sel := scanner.Select(c, nil, nil)
	h := scanner.HostResult{Address: netip.MustParseAddr("198.18.1.70"), Status: scanner.StatusComplete}
	results := map[catalog.Endpoint]probes.Result{}
	for _, e := range sel.Endpoints {
		r := probes.Result{State: probes.Closed, Reason: probes.ReasonReset, RTT: 80 * time.Microsecond, Attempts: 1}
		results[e] = r
		h.Endpoints = append(h.Endpoints, scanner.EndpointResult{Endpoint: e, Result: r})
	}
	for _, f := range sel.Functions {
		h.Functions = append(h.Functions, scanner.Judge(f, results))
	}
	return h
}

package dcerpc

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/probetest"
)

// sambaMapper replays the Samba 4.17 captures: bind_ack, then the
// two-fragment page of 53 entries, then the "no more entries" page.
func sambaMapper(t *testing.T) func(net.Conn) {
	bindAck := probetest.ReadHex(t, "testdata/samba417_bind_ack.hex")
	frags := probetest.ReadHex(t, "testdata/samba417_lookup_frags.hex")
	end := probetest.ReadHex(t, "testdata/samba417_lookup_end.hex")
	return func(c net.Conn) {
		for _, reply := range [][]byte{bindAck, frags, end} {
			if _, err := ReadPDU(c); err != nil {
				return
			}
			if _, err := c.Write(reply); err != nil {
				return
			}
		}
	}
}

func TestEndpointMapperSambaReplay(t *testing.T) {
	ap := probetest.Serve(t, sambaMapper(t))
	r := probetest.ProbeTCP(t, EndpointMapper{PageSize: 500}, ap, 3*time.Second)
	if r.State != probes.Confirmed || r.Service == nil {
		t.Fatalf("result %v %q", r, r.Note)
	}
	d := r.Service.Details.(*Details)
	if len(d.Endpoints) != 53 || !d.Complete || d.Pages != 2 || d.LookupError != "" {
		t.Errorf("%d endpoints, complete %v, pages %d, error %q", len(d.Endpoints), d.Complete, d.Pages, d.LookupError)
	}
	if want := "epmapper: 53 endpoints, 16 on TCP (3 dynamic ports)"; r.Service.Summary != want {
		t.Errorf("summary %q, want %q", r.Service.Summary, want)
	}
	ports := TCPPorts(r.Service)
	if len(ports) != 3 || ports[0].Port != 49152 || ports[1].Port != 49153 || ports[2].Port != 49154 {
		t.Fatalf("ports %+v", ports)
	}
	if ports[0].Interfaces[0].Name != "netlogon" || ports[0].Interfaces[0].Syntax() != (SyntaxID{UUID: mustUUID("12345678-1234-abcd-ef00-01234567cffb"), Major: 1}) {
		t.Errorf("port 49152 interfaces %+v", ports[0].Interfaces)
	}
	protocols := map[string]int{}
	for _, e := range d.Endpoints {
		protocols[e.Protocol]++
	}
	if protocols["ncacn_np"] != 24 || protocols["ncalrpc"] != 11 || protocols["ncacn_http"] != 2 || protocols["ncacn_ip_tcp"] != 16 {
		t.Errorf("protocols %v", protocols)
	}
}

func TestEndpointMapperBounds(t *testing.T) {
	ap := probetest.Serve(t, sambaMapper(t))
	r := probetest.ProbeTCP(t, EndpointMapper{PageSize: 500, MaxEntries: 10}, ap, 3*time.Second)
	d := r.Service.Details.(*Details)
	if r.State != probes.Confirmed || len(d.Endpoints) != 10 || d.Complete || !strings.Contains(r.Service.Summary, "incomplete") {
		t.Errorf("%v: %d endpoints, %q", r, len(d.Endpoints), r.Service.Summary)
	}
}

func TestEndpointMapperFaultOnLookup(t *testing.T) {
	bindAck := probetest.ReadHex(t, "testdata/samba417_bind_ack.hex")
	// The captured fault answers call 3; the mapper's first lookup is
	// call 2, so patch call_id.
	fault := probetest.ReadHex(t, "testdata/samba417_fault.hex")
	fault[12] = 2
	ap := probetest.Serve(t, func(c net.Conn) {
		ReadPDU(c)
		c.Write(bindAck)
		ReadPDU(c)
		c.Write(fault)
	})
	r := probetest.ProbeTCP(t, EndpointMapper{}, ap, 3*time.Second)
	if r.State != probes.Confirmed {
		t.Fatalf("result %v", r)
	}
	d := r.Service.Details.(*Details)
	if !strings.Contains(d.LookupError, "0x1c00001a") || d.Complete {
		t.Errorf("lookup error %q", d.LookupError)
	}
}

func TestEndpointMapperBindNak(t *testing.T) {
	ap := probetest.Serve(t, func(c net.Conn) {
		ReadPDU(c)
		c.Write(probetest.Hex(t, "05 00 0d 03 10 00 00 00 15 00 00 00 01 00 00 00 04 00 01 05 00"))
	})
	r := probetest.ProbeTCP(t, EndpointMapper{}, ap, 3*time.Second)
	if r.State != probes.Confirmed || !strings.Contains(r.Service.Summary, "protocol version not supported") {
		t.Errorf("result %v %+v", r, r.Service)
	}
}

func TestBindConversation(t *testing.T) {
	ap := probetest.Serve(t, sambaMapper(t))
	r := probetest.ProbeTCP(t, Bind{Interface: EPMapper()}, ap, 3*time.Second)
	if r.State != probes.Confirmed || r.Service.Summary != "DCE/RPC epmapper 3.0 bound" {
		t.Errorf("result %v %+v", r, r.Service)
	}
	// A provider rejection (C706 12.6.3.1: result 2, reason 1) still
	// confirms RPC.
	rejected := probetest.ReadHex(t, "testdata/samba417_bind_ack.hex")
	rejected[36], rejected[38] = 2, 1
	ap = probetest.Serve(t, func(c net.Conn) {
		ReadPDU(c)
		c.Write(rejected)
	})
	r = probetest.ProbeTCP(t, Bind{Interface: SyntaxID{UUID: mustUUID("e3514235-4b06-11d1-ab04-00c04fc2dcd2"), Major: 4}}, ap, 3*time.Second)
	if r.State != probes.Confirmed || r.Service.Details.(*BindDetails).Accepted ||
		r.Service.Summary != "DCE/RPC, drsuapi rejected (provider rejection: abstract syntax not supported)" {
		t.Errorf("result %v %+v", r, r.Service)
	}
}

func TestFollow(t *testing.T) {
	ap := probetest.Serve(t, sambaMapper(t))
	closed := probetest.Serve(t, func(c net.Conn) {})
	f := Follow{TCP: probes.TCP{Dialer: &net.Dialer{}, Timeout: 3 * time.Second}, Bind: true}
	ports := []TCPPort{
		{Port: ap.Port(), Interfaces: []Interface{{UUID: mustUUID(EPMapperUUID), Version: "3.0", Name: "epmapper"}}},
		{Port: closed.Port(), Interfaces: []Interface{{UUID: mustUUID(EPMapperUUID), Version: "3.0"}}},
	}
	got := f.Probe(t.Context(), ap.Addr(), ports)
	if len(got) != 2 || got[0].Result.State != probes.Confirmed || got[1].Result.State != probes.Open {
		t.Errorf("follow %+v", got)
	}
}

// Follow probes several ports at once, never more than followParallel,
// and keeps the order of the ports; a canceled probe starts none.
func TestFollowParallelInOrder(t *testing.T) {
	var mu sync.Mutex
	inFlight, most := 0, 0
	var ports []TCPPort
	release := make(chan struct{})
	var once sync.Once
	for range 3 * followParallel {
		ap := probetest.Serve(t, func(c net.Conn) {
			mu.Lock()
			inFlight++
			most = max(most, inFlight)
			full := inFlight == followParallel
			mu.Unlock()
			if full {
				once.Do(func() { close(release) }) // every slot is busy: let them all go
			}
			<-release
			mu.Lock()
			inFlight--
			mu.Unlock()
		})
		ports = append(ports, TCPPort{Port: ap.Port(), Interfaces: []Interface{{UUID: mustUUID(EPMapperUUID), Version: "3.0"}}})
	}
	f := Follow{TCP: probes.TCP{Dialer: &net.Dialer{}, Timeout: 10 * time.Second}, Bind: true}
	got := f.Probe(t.Context(), netip.MustParseAddr("127.0.0.1"), ports)
	if len(got) != len(ports) {
		t.Fatalf("%d results for %d ports", len(got), len(ports))
	}
	for i := range got {
		if got[i].Port != ports[i].Port || got[i].Result.State != probes.Open {
			t.Errorf("result %d: port %d %v, want port %d open (closed early)", i, got[i].Port, got[i].Result.State, ports[i].Port)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if most != followParallel {
		t.Errorf("at most %d ports probed at once, want %d", most, followParallel)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if got := f.Probe(ctx, netip.MustParseAddr("127.0.0.1"), ports); len(got) != 0 {
		t.Errorf("canceled: %d rows", len(got))
	}
}

// Misbehaving peers: each must end in a clean state within the timeout.
func TestEndpointMapperMisbehaving(t *testing.T) {
	tests := []struct {
		name    string
		handler func(net.Conn)
		state   probes.State
		reason  probes.Reason
	}{
		{"garbage", func(c net.Conn) {
			c.Write([]byte("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"))
			time.Sleep(100 * time.Millisecond)
		}, probes.Open, probes.ReasonUnexpectedReply},
		{"endless stream", func(c net.Conn) {
			junk := []byte(strings.Repeat("\xff", 4096))
			for {
				if _, err := c.Write(junk); err != nil {
					return
				}
			}
		}, probes.Open, probes.ReasonUnexpectedReply},
		{"close at once", func(c net.Conn) {}, probes.Open, probes.ReasonClosedEarly},
		{"one byte per second", func(c net.Conn) {
			for _, b := range probetest.ReadHex(t, "testdata/samba417_bind_ack.hex") {
				if _, err := c.Write([]byte{b}); err != nil {
					return
				}
				time.Sleep(time.Second)
			}
		}, probes.Open, probes.ReasonSynAck},
		{"endless fragments after bind_ack", func(c net.Conn) {
			ReadPDU(c)
			c.Write(probetest.ReadHex(t, "testdata/samba417_bind_ack.hex"))
			ReadPDU(c)
			// A first fragment of call 2, then middle fragments forever.
			frag := probetest.ReadHex(t, "testdata/samba417_lookup_frags.hex")[:0x10b8]
			if _, err := c.Write(frag); err != nil {
				return
			}
			frag[3] = 0 // neither first nor last
			for {
				if _, err := c.Write(frag); err != nil {
					return
				}
			}
		}, probes.Confirmed, probes.ReasonReply},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ap := probetest.Serve(t, tc.handler)
			r := probetest.ProbeTCP(t, EndpointMapper{}, ap, 2*time.Second)
			if r.State != tc.state || r.Reason != tc.reason {
				t.Errorf("got %v (%s), want %v (%s)", r, r.Note, tc.state, tc.reason)
			}
			if tc.state == probes.Confirmed {
				if d := r.Service.Details.(*Details); d.LookupError == "" {
					t.Errorf("no lookup error: %+v", d)
				}
			}
		})
	}
}

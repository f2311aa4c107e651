package responder

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/probetest"
	"github.com/winreach/winreach/probes/rawip"
	"github.com/winreach/winreach/probes/suite"
)

// The probe suite's token probes against a real Listener: both ends of
// the path check.

func TestResponderUDP(t *testing.T) {
	listened := catalog.Endpoint{Transport: catalog.UDP, Port: probetest.FreeUDPPort(t)}
	l, err := Listen(t.Context(), Config{Addrs: []netip.Addr{loopback}, Endpoints: []catalog.Endpoint{listened}})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	// A socket that reads and never answers: what a drop on the path looks like.
	silent, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	silentPort := uint16(silent.LocalAddr().(*net.UDPAddr).Port)

	s := suite.New(suite.Config{Responder: true, Timeout: 300 * time.Millisecond})
	probe := func(port uint16) probes.Result {
		return s.For(catalog.Endpoint{Transport: catalog.UDP, Port: port}).Probe(t.Context(), probes.Target{Addr: loopback, Port: port})
	}
	if r := probe(listened.Port); r.State != probes.Confirmed || r.Reason != probes.ReasonReply || r.Service == nil || r.Service.Protocol != suite.ResponderProtocol {
		t.Errorf("listener: %v %+v", r, r.Service)
	}
	if r := probe(probetest.FreeUDPPort(t)); r.State != probes.Closed || r.Reason != probes.ReasonPortUnreachable {
		t.Errorf("no socket: %v", r)
	}
	if r := probe(silentPort); r.State != probes.Filtered || r.Reason != probes.ReasonNoResponse || r.Note != suite.DroppedNote {
		t.Errorf("silence: %v %q", r, r.Note)
	}
}

// TestResponderRaw needs CAP_NET_RAW: GRE to a loopback listener is
// confirmed. (Closed and filtered raw results are checked in the lab,
// scanner/lab/listen_lab_test.go: loopback ICMP differs between hosts.)
func TestResponderRaw(t *testing.T) {
	if err := rawip.CheckPrivilege(t.Context()); err != nil {
		t.Skipf("raw sockets: %v", err)
	}
	gre := catalog.Endpoint{Transport: catalog.IP, Port: rawip.ProtoGRE}
	l, err := Listen(t.Context(), Config{Addrs: []netip.Addr{loopback}, Endpoints: []catalog.Endpoint{gre}, Raw: true})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	icmp4, err := rawip.ListenICMP(t.Context(), false)
	if err != nil {
		t.Fatal(err)
	}
	defer icmp4.Close()
	s := suite.New(suite.Config{Responder: true, Raw: rawip.Prober{Listen: &net.ListenConfig{}, ICMP4: icmp4, Timeout: time.Second, Retries: 1}})
	r := s.For(gre).Probe(t.Context(), probes.Target{Addr: loopback, Port: rawip.ProtoGRE})
	if r.State != probes.Confirmed || r.Service == nil || r.Service.Protocol != suite.ResponderProtocol {
		t.Errorf("GRE: %v %q", r, r.Note)
	}
}

package main

import (
	"context"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/ica"
	"github.com/winreach/winreach/probes/iso"
)

// TestStandInsMeetProbes runs the stand-ins on loopback ports and checks
// that winreach's own probes confirm them, and that run returns once its
// context ends.
func TestStandInsMeetProbes(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	var mu sync.Mutex
	addrs := map[string]netip.AddrPort{}
	ready := make(chan struct{}, 3)
	c := config{addr: netip.MustParseAddr("127.0.0.1"), maxConns: 8, connLimit: 10 * time.Second}
	// Port 0 disables a service, so find free ports first.
	c.icaPort, c.isoPort, c.wlbsPort = freePort(t, "tcp"), freePort(t, "tcp"), freePort(t, "udp")
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, c, func(name string, a net.Addr) {
			mu.Lock()
			addrs[name] = netip.MustParseAddrPort(a.String())
			mu.Unlock()
			ready <- struct{}{}
		})
	}()
	for range 3 {
		select {
		case <-ready:
		case err := <-done:
			t.Fatal(err)
		}
	}
	target := func(name string) probes.Target {
		mu.Lock()
		defer mu.Unlock()
		return probes.Target{Addr: addrs[name].Addr(), Port: addrs[name].Port()}
	}
	for name, talk := range map[string]probes.Conversation{"ica": ica.Greeting{}, "iso": iso.ConnectRequest{}} {
		p := probes.TCP{Dialer: &net.Dialer{}, Timeout: 5 * time.Second, Talk: talk}
		if r := p.Probe(t.Context(), target(name)); r.State != probes.Confirmed {
			t.Errorf("%s: %v %s", name, r, r.Note)
		} else if name == "iso" && r.Service.Summary != "ISO transport CC class 0" {
			t.Errorf("iso summary %q", r.Service.Summary)
		}
	}
	u := probes.UDP{Dialer: &net.Dialer{}, Timeout: 200 * time.Millisecond}
	if r := u.Probe(t.Context(), target("wlbs")); r.State != probes.OpenFiltered {
		t.Errorf("wlbs: %v", r)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestConfirmForEchoesTSAPs(t *testing.T) {
	tpdu, _, err := iso.ParseTPKT(iso.ConnectRequest{}.AppendRequest(nil))
	if err != nil {
		t.Fatal(err)
	}
	cr, err := iso.ParseTPDU(tpdu)
	if err != nil {
		t.Fatal(err)
	}
	got := iso.AppendTPKT(nil, iso.AppendConnectConfirm(nil, confirmFor(cr)))
	// probes/iso/testdata/cc-labd.hex records these bytes.
	want := []byte{0x03, 0x00, 0x00, 0x16, 0x11, 0xd0, 0x00, 0x01, 0x00, 0x07, 0x00,
		0xc0, 0x01, 0x0a, 0xc1, 0x02, 0x01, 0x00, 0xc2, 0x02, 0x01, 0x02}
	if string(got) != string(want) {
		t.Fatalf("CC %x", got)
	}
}

func freePort(t *testing.T, network string) int {
	t.Helper()
	if network == "udp" {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer pc.Close()
		return pc.LocalAddr().(*net.UDPAddr).Port
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/ica"
	"github.com/winreach/winreach/probes/iso"
	"github.com/winreach/winreach/probes/nmf"
	"github.com/winreach/winreach/probes/rdpudp"
	"github.com/winreach/winreach/probes/sqlbrowser"
	"github.com/winreach/winreach/probes/tds"
)

// TestStandInsMeetProbes runs every stand-in on loopback ports and checks
// that winreach's own probes confirm them (with the answer the table
// promises), and that run returns once its context ends.
func TestStandInsMeetProbes(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	var mu sync.Mutex
	addrs := map[string]netip.AddrPort{}
	table := standIns()
	ready := make(chan struct{}, len(table))
	c := config{addr: netip.MustParseAddr("127.0.0.1"), ports: map[string]int{}, maxConns: 8, connLimit: 10 * time.Second}
	// Port 0 disables a service, so find free ports first.
	for _, s := range table {
		c.ports[s.name] = freePort(t, s.network)
	}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, c, func(name string, a net.Addr) {
			mu.Lock()
			addrs[name] = netip.MustParseAddrPort(a.String())
			mu.Unlock()
			ready <- struct{}{}
		})
	}()
	for range table {
		select {
		case <-ready:
		case err := <-done:
			t.Fatal(err)
		}
	}
	target := func(name string) probes.Target {
		mu.Lock()
		defer mu.Unlock()
		return probes.Target{Addr: addrs[name].Addr(), Port: addrs[name].Port(), Name: "dc1.lab.test"}
	}
	for name, tc := range map[string]struct {
		talk    probes.Conversation
		summary string
	}{
		"ica": {ica.Greeting{}, ""},
		"iso": {iso.ConnectRequest{}, "ISO transport CC class 0"},
		"tds": {tds.PreloginProbe{}, "SQL Server 2019 (15.0.2000.5), ENCRYPT_OFF"},
		"nmf": {nmf.Preamble{}, ".NET Message Framing fault UpgradeInvalid"},
	} {
		p := probes.TCP{Dialer: &net.Dialer{}, Timeout: 5 * time.Second, Talk: tc.talk}
		if r := p.Probe(t.Context(), target(name)); r.State != probes.Confirmed {
			t.Errorf("%s: %v %s", name, r, r.Note)
		} else if tc.summary != "" && r.Service.Summary != tc.summary {
			t.Errorf("%s summary %q", name, r.Service.Summary)
		}
	}
	for name, tc := range map[string]struct {
		x       probes.Datagram
		state   probes.State
		summary string
	}{
		"wlbs":       {nil, probes.OpenFiltered, ""},
		"sqlbrowser": {sqlbrowser.Query{}, probes.Confirmed, "SQL Server Browser: 1 instance (MSSQLSERVER tcp/1433 15.0.2000.5)"},
		"rdpudp":     {rdpudp.SYN{}, probes.Confirmed, "RDP-UDP SYN+ACK, MTU 1232/1232, version 2"},
	} {
		u := probes.UDP{Dialer: &net.Dialer{}, Timeout: 300 * time.Millisecond, Exchange: tc.x}
		r := u.Probe(t.Context(), target(name))
		if r.State != tc.state {
			t.Errorf("%s: %v %s", name, r, r.Note)
		} else if tc.summary != "" && r.Service.Summary != tc.summary {
			t.Errorf("%s summary %q", name, r.Service.Summary)
		}
	}
	checkWinRM(t, target("winrm"))
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// checkWinRM posts to /wsman and to another path, as a WS-Management
// client and a browser would, and checks HTTP.sys' answers.
func checkWinRM(t *testing.T, tg probes.Target) {
	for path, status := range map[string]int{"/wsman": 401, "/": 404} {
		conn, err := net.DialTimeout("tcp", tg.AddrPort().String(), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
		body := "<s:Envelope/>"
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: dc1.lab.test:5985\r\nContent-Type: application/soap+xml;charset=UTF-8\r\nContent-Length: %d\r\n\r\n%s", path, len(body), body)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		conn.Close()
		if err != nil {
			t.Fatalf("winrm %s: %v", path, err)
		}
		resp.Body.Close()
		if resp.StatusCode != status || resp.Header.Get("Server") != "Microsoft-HTTPAPI/2.0" {
			t.Errorf("winrm %s: %d %q", path, resp.StatusCode, resp.Header.Get("Server"))
		}
		if auth := resp.Header.Values("WWW-Authenticate"); status == 401 && !slices.Equal(auth, []string{"Negotiate", "Kerberos"}) {
			t.Errorf("winrm auth %q", auth)
		}
	}
}

func TestAnswersRefuseOtherRequests(t *testing.T) {
	// The browser answers CLNT_UCAST_INST for its instance only, and
	// nothing that is not [MC-SQLR].
	if answerBrowser([]byte("\x04MSSQLSERVER\x00")) == nil || answerBrowser([]byte("\x04OTHER\x00")) != nil || answerBrowser([]byte("GET /")) != nil {
		t.Error("browser answers")
	}
	// RDP-UDP answers a SYN only, never a SYN+ACK or an ACK.
	syn := rdpudp.SYN{}.Request(probes.Target{}, 0)
	if answerRDPUDP(syn) == nil {
		t.Error("no SYN+ACK to a SYN")
	}
	if synack := answerRDPUDP(syn); answerRDPUDP(synack) != nil {
		t.Error("answered a SYN+ACK")
	}
	if !strings.HasPrefix(winrm401, "HTTP/1.1 401 ") {
		t.Error("winrm401 status line")
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

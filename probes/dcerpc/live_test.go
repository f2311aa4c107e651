package dcerpc

import (
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/probetest"
)

// TestLiveCapture talks to a real endpoint mapper named by
// WINREACH_LIVE_EPM (host:port) and logs every PDU in hex; it is how the
// testdata captures were taken. Skipped without the variable.
func TestLiveCapture(t *testing.T) {
	conn := probetest.DialLive(t, "tcp", probetest.LiveAddr(t, "WINREACH_LIVE_EPM"), 10*time.Second)
	bind := AppendBind(nil, 1, EPMapper())
	t.Logf("bind %s", hex.EncodeToString(bind))
	if _, err := conn.Write(bind); err != nil {
		t.Fatal(err)
	}
	pdu, err := ReadPDU(conn)
	t.Logf("bind reply %s (%v)", hex.EncodeToString(pdu), err)
	var h Handle
	for call := uint32(2); call < 5; call++ {
		req := AppendRequest(nil, call, 0, OpLookup, AppendLookupRequest(nil, h, livePageSize()))
		t.Logf("request %s", hex.EncodeToString(req))
		if _, err := conn.Write(req); err != nil {
			t.Fatal(err)
		}
		stub, order, err := ReadResponse(pduLogger{t, conn}, call, maxLookupStub)
		if err != nil {
			t.Logf("error %v", err)
			return
		}
		r, err := ParseLookupResponse(stub, order)
		t.Logf("parsed %d entries status %#x err %v", len(r.Entries), r.Status, err)
		if r.Status != 0 {
			return
		}
		h = r.Handle
	}
}

// pduLogger logs what a ReadResponse reads, read by read.
type pduLogger struct {
	t *testing.T
	r io.Reader
}

func (l pduLogger) Read(b []byte) (int, error) {
	n, err := l.r.Read(b)
	l.t.Logf("read %s", hex.EncodeToString(b[:n]))
	return n, err
}

func TestLiveEndpointMapper(t *testing.T) {
	conn := probetest.DialLive(t, "tcp", probetest.LiveAddr(t, "WINREACH_LIVE_EPM"), 10*time.Second)
	a := EndpointMapper{}.Converse(t.Context(), conn, probes.Target{})
	if a.Service == nil {
		t.Fatalf("no service: %+v", a)
	}
	j, _ := json.MarshalIndent(a.Service, "", " ")
	t.Logf("%s", j)
	j, _ = json.MarshalIndent(TCPPorts(a.Service), "", " ")
	t.Logf("%s", j)
}

func livePageSize() uint32 {
	if os.Getenv("WINREACH_LIVE_EPM_PAGE") == "big" {
		return 500
	}
	return 4
}

func TestLiveFollow(t *testing.T) {
	ap := netip.MustParseAddrPort(probetest.LiveAddr(t, "WINREACH_LIVE_EPM"))
	tcp := probes.TCP{Dialer: &net.Dialer{}, Timeout: 5 * time.Second, Talk: EndpointMapper{PageSize: 10}}
	r := tcp.Probe(t.Context(), probetest.Target(ap))
	t.Logf("epmapper: %v %s", r, r.Service.Summary)
	for _, f := range (Follow{TCP: tcp, Bind: true}).Probe(t.Context(), ap.Addr(), TCPPorts(r.Service)) {
		t.Logf("port %d: %v %s", f.Port, f.Result, f.Result.Service.Summary)
	}
}

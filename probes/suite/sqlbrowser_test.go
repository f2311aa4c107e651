package suite

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/probetest"
	"github.com/winreach/winreach/probes/sqlbrowser"
	"github.com/winreach/winreach/probes/tds"
)

// The browser lists two instances; the probe follows each TCP port with
// a PRELOGIN, as the endpoint mapper's dynamic ports are followed: one
// port has a listener, the other none.
func TestSQLBrowserFollowsInstancePorts(t *testing.T) {
	open := probetest.Serve(t, probetest.CloseAtOnce)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := uint16(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	reply := sqlbrowser.AppendResponse(nil, []sqlbrowser.Instance{
		{ServerName: "SQL1", InstanceName: "SALES", Version: "16.0.1000.6", TCPPort: open.Port()},
		{ServerName: "SQL1", InstanceName: "HR", Version: "15.0.2000.5", TCPPort: closedPort},
	})
	browser := probetest.UDPServe(t, func([]byte) []byte { return reply })
	p := sqlBrowserProbe{
		UDP:    probes.UDP{Dialer: &net.Dialer{}, Timeout: 2 * time.Second, Exchange: sqlbrowser.Query{}},
		TDS:    probes.TCP{Dialer: &net.Dialer{}, Timeout: 2 * time.Second, Talk: tds.PreloginProbe{}},
		Follow: true,
	}
	r := p.Probe(t.Context(), probetest.Target(browser))
	d, ok := r.Service.Details.(SQLBrowserDetails)
	if r.State != probes.Confirmed || !ok || len(d.Followed) != 2 {
		t.Fatalf("%v %+v", r, r.Service)
	}
	byName := map[string]probes.State{}
	for _, f := range d.Followed {
		byName[f.Instance] = f.Result.State
	}
	if !byName["SALES"].Reachable() || byName["HR"] != probes.Closed {
		t.Errorf("followed %+v", d.Followed)
	}
	if !strings.HasSuffix(r.Service.Summary, ", 1/2 instance ports reachable") {
		t.Errorf("summary %q", r.Service.Summary)
	}
	p.Follow = false
	if r := p.Probe(t.Context(), probetest.Target(browser)); strings.Contains(r.Service.Summary, "instance ports") {
		t.Errorf("followed without Follow: %q", r.Service.Summary)
	}
}

package suite

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/ldap"
	"github.com/winreach/winreach/probes/probetest"
)

// redirect dials one fixed address whatever it is asked for: the CLDAP
// server of the test listens on another port number than the LDAP one.
type redirect struct{ to string }

func (r redirect) DialContext(ctx context.Context, network, _ string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, network, r.to)
}

// On an AD DC (Samba's real rootDSE reply), the LDAP probe also asks the
// DC locator (Samba's real CLDAP reply) and reports both; on a plain LDAP
// server (slapd's reply) it does not.
func TestLDAPProbeAddsTheDCLocatorOnADOnly(t *testing.T) {
	reply := probetest.ReadHex(t, "../ldap/testdata/cldap-samba.hex")
	cldap := probetest.UDPServe(t, func([]byte) []byte { return reply })
	ping := probes.UDP{Dialer: redirect{cldap.String()}, Timeout: 2 * time.Second, Exchange: ldap.NetlogonPing{}}

	dc := probetest.Serve(t, probetest.Reply(probetest.ReadHex(t, "../ldap/testdata/rootdse-samba.hex")))
	r := ldapProbe{TCP: probes.TCP{Dialer: &net.Dialer{}, Timeout: 2 * time.Second, Talk: ldap.RootDSE{}}, Ping: ping}.Probe(t.Context(), probetest.Target(dc))
	d, ok := r.Service.Details.(DCDetails)
	if r.State != probes.Confirmed || !ok || d.CLDAP == nil || d.CLDAP.State != probes.Confirmed {
		t.Fatalf("AD DC: %v %+v", r, r.Service)
	}
	if !strings.Contains(r.Service.Summary, "DC locator: DC1 in LAB") {
		t.Errorf("summary %q", r.Service.Summary)
	}

	slapd := probetest.Serve(t, probetest.Reply(probetest.ReadHex(t, "../ldap/testdata/rootdse-slapd.hex")))
	r = ldapProbe{TCP: probes.TCP{Dialer: &net.Dialer{}, Timeout: 2 * time.Second, Talk: ldap.RootDSE{}}, Ping: ping}.Probe(t.Context(), probetest.Target(slapd))
	if _, isDC := r.Service.Details.(DCDetails); r.State != probes.Confirmed || isDC || strings.Contains(r.Service.Summary, "DC locator") {
		t.Errorf("slapd: %v %q", r, r.Service.Summary)
	}
}

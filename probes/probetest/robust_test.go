package probetest_test

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/banner"
	"github.com/winreach/winreach/probes/httpprobe"
	"github.com/winreach/winreach/probes/ldap"
	"github.com/winreach/winreach/probes/nmf"
	"github.com/winreach/winreach/probes/ntp"
	"github.com/winreach/winreach/probes/probetest"
	"github.com/winreach/winreach/probes/rdpudp"
	"github.com/winreach/winreach/probes/sqlbrowser"
	"github.com/winreach/winreach/probes/tds"
	"github.com/winreach/winreach/probes/tlsprobe"
)

// robustTimeout is the probe timeout against misbehaving servers; a probe
// must return before robustBound.
const (
	robustTimeout = 500 * time.Millisecond
	robustBound   = 10 * robustTimeout
)

// conversations is every TCP Conversation to hold to the misbehaving
// servers. A nil Talk is the bare connect probe. Add new ones here.
func conversations() map[string]probes.Conversation {
	return map[string]probes.Conversation{
		"connect-only":  nil,
		"smtp":          banner.SMTP{},
		"pop3":          banner.POP3{},
		"imap":          banner.IMAP{},
		"nntp":          banner.NNTP{},
		"http":          httpprobe.Head{},
		"ldap":          ldap.RootDSE{},
		"tls+imap":      tlsprobe.Handshake{Then: banner.IMAP{}},
		"tls+ldap":      tlsprobe.Handshake{Then: ldap.RootDSE{}},
		"tls-handshake": tlsprobe.Handshake{},
		"tds-prelogin":  tds.PreloginProbe{},
		"nmf-preamble":  nmf.Preamble{},
	}
}

// misbehaviour is one kind of broken server and the reasons a
// conversation may give for it (a bare connect always gives syn-ack).
type misbehaviour struct {
	handler func(net.Conn)
	reasons []probes.Reason
}

func misbehaviours() map[string]misbehaviour {
	unexpected := []probes.Reason{probes.ReasonUnexpectedReply}
	return map[string]misbehaviour{
		"garbage-16":     {probetest.Garbage(16), unexpected},
		"garbage-64k":    {probetest.Garbage(64 << 10), unexpected},
		"endless-stream": {probetest.EndlessStream, unexpected},
		"trickle":        {probetest.Trickle(time.Second), unexpected},
		"close-at-once":  {probetest.CloseAtOnce, []probes.Reason{probes.ReasonClosedEarly}},
		"reset-at-once":  {probetest.ResetAtOnce, []probes.Reason{probes.ReasonClosedEarly}},
		"silent":         {probetest.Silent, []probes.Reason{probes.ReasonSynAck}},
	}
}

// TestConversationsAgainstMisbehavingServers: every conversation against
// every broken server ends open (never confirmed) with the reason the
// breakage explains, and returns well within the bound.
func TestConversationsAgainstMisbehavingServers(t *testing.T) {
	for sname, srv := range misbehaviours() {
		addr := probetest.Serve(t, srv.handler)
		for cname, talk := range conversations() {
			t.Run(sname+"/"+cname, func(t *testing.T) {
				t.Parallel()
				start := time.Now()
				r := probetest.ProbeTCP(t, talk, addr, robustTimeout)
				if took := time.Since(start); took > robustBound {
					t.Errorf("took %v, bound %v", took, robustBound)
				}
				if r.State == probes.Closed && r.Reason == probes.ReasonReset && sname == "reset-at-once" {
					// On loopback the RST can beat the dialer's check of
					// the connect, which then fails: a true answer too.
					return
				}
				if r.State != probes.Open {
					t.Fatalf("state %v, want open: %v %q %+v", r.State, r, r.Note, r.Service)
				}
				want := srv.reasons
				if talk == nil {
					want = []probes.Reason{probes.ReasonSynAck}
				}
				ok := false
				for _, w := range want {
					ok = ok || r.Reason == w
				}
				if !ok {
					t.Errorf("reason %q, want one of %q (note %q)", r.Reason, want, r.Note)
				}
				if talk != nil && r.Reason == probes.ReasonSynAck && !strings.Contains(r.Note, "timed out") {
					t.Errorf("silence without a timeout note: %q", r.Note)
				}
			})
		}
	}
}

// datagrams is every UDP Datagram to hold to broken UDP servers.
func datagrams() map[string]probes.Datagram {
	return map[string]probes.Datagram{
		"cldap":      ldap.NetlogonPing{},
		"ntp":        ntp.Query{},
		"sqlbrowser": sqlbrowser.Query{},
		"rdpudp":     rdpudp.SYN{},
	}
}

func TestDatagramsAgainstMisbehavingServers(t *testing.T) {
	servers := map[string]struct {
		reply func([]byte) []byte
		state probes.State
	}{
		"garbage":   {func([]byte) []byte { return probetest.GarbageBytes(512) }, probes.Open},
		"echo":      {func(req []byte) []byte { return req }, probes.Open},
		"empty":     {func([]byte) []byte { return []byte{} }, probes.Open},
		"blackhole": {nil, probes.OpenFiltered},
	}
	for sname, srv := range servers {
		addr := probetest.UDPServe(t, srv.reply)
		for dname, d := range datagrams() {
			t.Run(sname+"/"+dname, func(t *testing.T) {
				t.Parallel()
				start := time.Now()
				r := probetest.ProbeUDP(t, d, addr, robustTimeout/2, 1)
				if took := time.Since(start); took > robustBound {
					t.Errorf("took %v, bound %v", took, robustBound)
				}
				if r.State != srv.state {
					t.Errorf("state %v, want %v: %v %q %+v", r.State, srv.state, r, r.Note, r.Service)
				}
			})
		}
	}
}

package probetest_test

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/banner"
	"github.com/winreach/winreach/probes/dcerpc"
	"github.com/winreach/winreach/probes/dns"
	"github.com/winreach/winreach/probes/httpprobe"
	"github.com/winreach/winreach/probes/ica"
	"github.com/winreach/winreach/probes/ike"
	"github.com/winreach/winreach/probes/iso"
	"github.com/winreach/winreach/probes/kerberos"
	"github.com/winreach/winreach/probes/ldap"
	"github.com/winreach/winreach/probes/netbios"
	"github.com/winreach/winreach/probes/nmf"
	"github.com/winreach/winreach/probes/ntp"
	"github.com/winreach/winreach/probes/pptp"
	"github.com/winreach/winreach/probes/probetest"
	"github.com/winreach/winreach/probes/rdp"
	"github.com/winreach/winreach/probes/rdpudp"
	"github.com/winreach/winreach/probes/smb"
	"github.com/winreach/winreach/probes/sqlbrowser"
	"github.com/winreach/winreach/probes/tds"
	"github.com/winreach/winreach/probes/tlsprobe"
	"github.com/winreach/winreach/probes/winsrepl"
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
		"winsrepl":      winsrepl.AssociationStart{},
		"dns-tcp":       dns.QueryTCP{},
		"kerberos-tcp":  kerberos.ASRequest{},
		"iso-tsap":      iso.ConnectRequest{},
		"rdp":           rdp.Negotiate{},
		"rdp-legacy":    rdp.LegacyCR{},
		"pptp":          pptp.StartControl{},
		"ica":           ica.Greeting{},
		"epmapper":      dcerpc.EndpointMapper{},
		"smb2":          smb.Negotiate{},
		"tls+smtp":      tlsprobe.Handshake{Then: banner.SMTP{}},
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
		// The request comes back: a reflection is never the protocol's
		// answer. Server-speaks-first protocols see silence.
		"echo": {echo, []probes.Reason{probes.ReasonUnexpectedReply, probes.ReasonSynAck}},
		// Garbage only once the request arrived, then a close.
		"garbage-after-request": {afterRequest(probetest.GarbageBytes(200)), unexpectedOrClosed},
		// Length fields announcing far more than comes: 4-byte
		// big-endian (Kerberos, DNS, WINS), BER long form (LDAP), TPKT,
		// TLS, NetBIOS, then a close.
		"huge-length-u32":  {afterRequest([]byte{0x7f, 0xff, 0xff, 0xff, 0xfe, 'S', 'M', 'B'}), unexpectedOrClosed},
		"huge-length-ber":  {afterRequest([]byte{0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x02, 0x01, 0x01}), unexpectedOrClosed},
		"huge-length-tpkt": {afterRequest([]byte{0x03, 0x00, 0xff, 0xff, 0x0e, 0xd0}), unexpectedOrClosed},
		"huge-length-tls":  {afterRequest([]byte{0x16, 0x03, 0x03, 0xff, 0xff, 0x02}), unexpectedOrClosed},
		"huge-length-dns":  {afterRequest([]byte{0xff, 0xff, 0x12, 0x34, 0x81, 0x80}), unexpectedOrClosed},
		// A TLS tarpit: a handshake record header, then nothing.
		"tls-tarpit": {afterRequest([]byte{0x16, 0x03, 0x03, 0x40, 0x00, 0x02}), []probes.Reason{probes.ReasonUnexpectedReply, probes.ReasonSynAck}},
		// Every byte a second apart, the protocol-looking ones too.
		"drip-tls": {func(c net.Conn) {
			go drain(c)
			probetest.Dribble(c, []byte{0x16, 0x03, 0x03, 0x00, 0x2a, 0x02, 0, 0, 0x26}, time.Second)
		}, []probes.Reason{probes.ReasonUnexpectedReply, probes.ReasonSynAck}},
	}
}

// unexpectedOrClosed: bytes that come after the request are reported as
// such, or as a peer that closed mid-message; a server-speaks-first
// protocol may time out before they come (a loaded machine).
var unexpectedOrClosed = []probes.Reason{probes.ReasonUnexpectedReply, probes.ReasonClosedEarly, probes.ReasonSynAck}

// echo sends back whatever arrives.
func echo(c net.Conn) { _, _ = io.Copy(c, io.LimitReader(c, 1<<20)) }

// afterRequest waits for the client's first bytes (or a moment of
// silence, for protocols where the server speaks first), writes b and
// closes.
func afterRequest(b []byte) func(net.Conn) {
	return func(c net.Conn) {
		_ = c.SetReadDeadline(time.Now().Add(robustTimeout / 3))
		buf := make([]byte, 4096)
		_, _ = c.Read(buf)
		_, _ = c.Write(b)
	}
}

func drain(c net.Conn) { _, _ = io.Copy(io.Discard, c) }

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
		"dns":        dns.Query{},
		"kerberos":   kerberos.ASRequest{},
		"nodestatus": netbios.NodeStatus{},
		"ike":        ike.Initiator{},
		"ntp":        ntp.Query{},
		"sqlbrowser": sqlbrowser.Query{},
		"rdpudp":     rdpudp.SYN{},
	}
}

func TestDatagramsAgainstMisbehavingServers(t *testing.T) {
	one := func(f func([]byte) []byte) func([]byte) [][]byte {
		return func(req []byte) [][]byte { return [][]byte{f(req)} }
	}
	servers := map[string]struct {
		reply func([]byte) [][]byte
		state probes.State
	}{
		"garbage": {one(func([]byte) []byte { return probetest.GarbageBytes(512) }), probes.Open},
		"echo":    {one(func(req []byte) []byte { return req }), probes.Open},
		"empty":   {one(func([]byte) []byte { return []byte{} }), probes.Open},
		// 200 datagrams of noise, big and small, for every request.
		"flood": {func([]byte) [][]byte {
			out := make([][]byte, 200)
			for i := range out {
				out[i] = probetest.GarbageBytes(1 + i*7%1400)
			}
			return out
		}, probes.Open},
		"blackhole": {nil, probes.OpenFiltered},
	}
	for sname, srv := range servers {
		addr := probetest.UDPServeEach(t, srv.reply)
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

// probers are the TCP probes that are more than one Conversation: the
// NetBIOS session (with SMB inside) and SMB's two negotiates.
func probers() map[string]probes.Prober {
	d := &net.Dialer{}
	return map[string]probes.Prober{
		"netbios-session+smb": netbios.Session{Dialer: d, Timeout: robustTimeout, Then: smb.Negotiate{}},
		"smb":                 smb.Probe{Dialer: d, Timeout: robustTimeout},
	}
}

// TestProbersAgainstMisbehavingServers: the multi-connection probes end
// open, never confirmed nor closed, against every broken server.
func TestProbersAgainstMisbehavingServers(t *testing.T) {
	for sname, srv := range misbehaviours() {
		addr := probetest.Serve(t, srv.handler)
		for pname, p := range probers() {
			t.Run(sname+"/"+pname, func(t *testing.T) {
				t.Parallel()
				start := time.Now()
				r := p.Probe(t.Context(), probetest.Target(addr))
				if took := time.Since(start); took > 2*robustBound {
					t.Errorf("took %v, bound %v", took, 2*robustBound)
				}
				if r.State != probes.Open {
					t.Fatalf("state %v, want open: %v %q %+v", r.State, r, r.Note, r.Service)
				}
			})
		}
	}
}

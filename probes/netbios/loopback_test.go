package netbios

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/probetest"
)

const testTimeout = 2 * time.Second

// portDialer sends every dial to one fixed port: it stands in for UDP 137
// of the target, which a test cannot bind.
type portDialer struct{ port uint16 }

func (d portDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	ap := netip.MustParseAddrPort(address)
	var nd net.Dialer
	return nd.DialContext(ctx, network, netip.AddrPortFrom(ap.Addr(), d.port).String())
}

func TestNodeStatusLoopback(t *testing.T) {
	captured := probetest.ReadHex(t, "testdata/nodestatus_samba_ad.hex")
	cases := map[string]struct {
		reply func(req []byte) []byte
		want  probes.State
	}{
		"samba": {func(req []byte) []byte {
			out := append([]byte(nil), captured...)
			copy(out, req[:2])
			return out
		}, probes.Confirmed},
		"garbage":  {func([]byte) []byte { return []byte("HTTP/1.0 400 Bad Request\r\n\r\n") }, probes.Open},
		"wrong id": {func([]byte) []byte { return captured }, probes.OpenFiltered},
		"silent":   {func([]byte) []byte { return nil }, probes.OpenFiltered},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ap := probetest.UDPServe(t, c.reply)
			r := probetest.ProbeUDP(t, NodeStatus{}, ap, 300*time.Millisecond, 1)
			if r.State != c.want {
				t.Fatalf("got %v (%s), want %v", r, r.Note, c.want)
			}
			if c.want == probes.Confirmed && r.Service.Summary != "DC1 <20> domain LAB, domain controller" {
				t.Errorf("summary %q", r.Service.Summary)
			}
		})
	}
}

func readRequest(c net.Conn) bool {
	buf := make([]byte, 72)
	_, err := io.ReadFull(c, buf)
	return err == nil
}

func TestSessionLoopback(t *testing.T) {
	cases := map[string]struct {
		serve func(c net.Conn)
		want  probes.State
		resp  string
	}{
		"positive": {func(c net.Conn) {
			if readRequest(c) {
				c.Write([]byte{0x82, 0, 0, 0})
			}
		}, probes.Confirmed, "positive"},
		"keepalive then positive": {func(c net.Conn) {
			if readRequest(c) {
				c.Write([]byte{0x85, 0, 0, 0, 0x82, 0, 0, 0})
			}
		}, probes.Confirmed, "positive"},
		"keepalive then close": {func(c net.Conn) {
			if readRequest(c) {
				c.Write([]byte{0x85, 0, 0, 0})
			}
		}, probes.Confirmed, "keepalive"},
		"negative 0x80": {func(c net.Conn) {
			if readRequest(c) {
				c.Write([]byte{0x83, 0, 0, 1, 0x80})
			}
		}, probes.Confirmed, "negative"},
		"retarget": {func(c net.Conn) {
			if readRequest(c) {
				c.Write([]byte{0x84, 0, 0, 6, 127, 0, 0, 1, 0, 139})
			}
		}, probes.Confirmed, "retarget"},
		"garbage": {func(c net.Conn) {
			c.Write([]byte("SSH-2.0-OpenSSH_9.2\r\n"))
		}, probes.Open, ""},
		"endless stream": {func(c net.Conn) {
			probetest.Flood(c, bytes.Repeat([]byte{0x41}, 4096), 1000)
		}, probes.Open, ""},
		"one byte per second": {func(c net.Conn) {
			probetest.Dribble(c, []byte{0x82, 0, 0, 0}, time.Second)
		}, probes.Open, ""},
		"close at once": {func(c net.Conn) {}, probes.Open, ""},
		"half a reply":  {func(c net.Conn) { c.Write([]byte{0x83, 0, 0, 1}) }, probes.Open, ""},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ap := probetest.Serve(t, c.serve)
			r := Session{Dialer: &net.Dialer{}, Timeout: testTimeout}.Probe(t.Context(), probetest.Target(ap))
			if r.State != c.want {
				t.Fatalf("got %v (%s), want %v", r, r.Note, c.want)
			}
			if c.resp != "" {
				if d := r.Service.Details.(SessionDetails); d.Response != c.resp {
					t.Errorf("response %q, want %q", d.Response, c.resp)
				}
			}
		})
	}
}

// TestSessionRetryWithServerName plays a Windows server that refuses
// *SMBSERVER with 0x82 and accepts its own <20> name, learnt through node
// status.
func TestSessionRetryWithServerName(t *testing.T) {
	captured := probetest.ReadHex(t, "testdata/nodestatus_samba_ad.hex")
	ns := probetest.UDPServe(t, func(req []byte) []byte {
		out := append([]byte(nil), captured...)
		copy(out, req[:2])
		return out
	})
	wantCalled := AppendEncodedName(nil, "DC1", 0x20)
	ap := probetest.Serve(t, func(c net.Conn) {
		buf := make([]byte, 72)
		if _, err := io.ReadFull(c, buf); err != nil {
			return
		}
		if bytes.Equal(buf[4:4+encodedNameLen], wantCalled) {
			c.Write([]byte{0x82, 0, 0, 0})
			return
		}
		c.Write([]byte{0x83, 0, 0, 1, 0x82})
	})
	s := Session{Dialer: &net.Dialer{}, UDPDialer: portDialer{ns.Port()}, Timeout: testTimeout}
	r := s.Probe(t.Context(), probetest.Target(ap))
	if r.State != probes.Confirmed {
		t.Fatalf("got %v (%s)", r, r.Note)
	}
	d := r.Service.Details.(SessionDetails)
	if d.Response != "positive" || d.CalledName != "DC1 <20>" || r.Attempts != 2 {
		t.Errorf("details %+v, attempts %d", d, r.Attempts)
	}

	// Without an answer on 137 the refusal itself is the result.
	s.UDPDialer = portDialer{probetest.FreeUDPPort(t)}
	s.Timeout = 300 * time.Millisecond
	r = s.Probe(t.Context(), probetest.Target(ap))
	if d := r.Service.Details.(SessionDetails); r.State != probes.Confirmed || d.Response != "negative" || r.Note == "" {
		t.Errorf("got %v %+v note %q", r, d, r.Note)
	}
}

// thenConversation stands in for the SMB negotiate after a positive reply.
type thenConversation struct{}

func (thenConversation) Converse(ctx context.Context, conn net.Conn, t probes.Target) probes.Answer {
	return probes.Answer{Service: &probes.Service{Protocol: "smb2", Summary: "SMB 3.1.1"}}
}

func TestSessionThen(t *testing.T) {
	ap := probetest.Serve(t, func(c net.Conn) {
		if readRequest(c) {
			c.Write([]byte{0x82, 0, 0, 0})
		}
	})
	r := Session{Dialer: &net.Dialer{}, Timeout: testTimeout, Then: thenConversation{}}.Probe(t.Context(), probetest.Target(ap))
	if r.State != probes.Confirmed || r.Service.Summary != "session accepted for *SMBSERVER <20>; SMB 3.1.1" {
		t.Errorf("got %v %+v", r, r.Service)
	}
}

package dns

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/winreach/winreach/probes/probetest"
)

func TestAppendStubQuery(t *testing.T) {
	// RFC 1035 4.1.1: flags 0x0100 (RD). These are the bytes sent to Samba
	// and dnsmasq for the captures in testdata/srv_*.hex.
	want := probetest.Hex(t, "1234 0100 0001 0000 0000 0000 055f6c646170 045f746370 026463 065f6d73646373 036c6162 0474657374 00 0021 0001")
	if got := AppendStubQuery(nil, 0x1234, "_ldap._tcp.dc._msdcs.lab.test", TypeSRV); !bytes.Equal(got, want) {
		t.Errorf("got  %x\nwant %x", got, want)
	}
}

func TestParseMessageSambaSRV(t *testing.T) {
	m, err := ParseMessage(probetest.ReadHex(t, "testdata/srv_ldap_dc_msdcs_samba_ad.hex"))
	if err != nil {
		t.Fatal(err)
	}
	if m.RCode != 0 || !m.Authoritative || len(m.Answers) != 1 || len(m.Authority) != 1 || len(m.Additional) != 0 {
		t.Fatalf("%+v", m)
	}
	a := m.Answers[0]
	want := SRV{Priority: 0, Weight: 100, Port: 389, Target: "dc1.lab.test."}
	if a.Name != "_ldap._tcp.dc._msdcs.lab.test." || a.Type != TypeSRV || a.TTL != 900 || a.SRV == nil || *a.SRV != want {
		t.Errorf("answer %+v srv %+v", a, a.SRV)
	}
	if s := m.Authority[0]; s.Type != TypeSOA || s.Name != "_msdcs.lab.test." {
		t.Errorf("authority %+v", s)
	}
	m, err = ParseMessage(probetest.ReadHex(t, "testdata/srv_kerberos_tcp_samba_ad.hex"))
	if err != nil || len(m.Answers) != 1 || m.Answers[0].SRV.Port != 88 || m.Answers[0].SRV.Target != "dc1.lab.test." {
		t.Errorf("kerberos SRV: %v %+v", err, m)
	}
}

func TestParseMessageAddresses(t *testing.T) {
	for file, want := range map[string]string{
		"testdata/a_dc1_samba_ad.hex":    "198.18.1.10",
		"testdata/aaaa_dc1_samba_ad.hex": "fd77:7272:1::10",
	} {
		m, err := ParseMessage(probetest.ReadHex(t, file))
		if err != nil || len(m.Answers) != 1 || m.Answers[0].Addr != netip.MustParseAddr(want) || m.Answers[0].Name != "dc1.lab.test." {
			t.Errorf("%s: %v %+v", file, err, m)
		}
	}
}

func TestParseMessageNegative(t *testing.T) {
	for file, rcode := range map[string]uint8{
		"testdata/srv_ldap_dc_msdcs_dnsmasq_nxdomain.hex": 3,
		"testdata/srv_ldap_nosite_samba_ad_nxdomain.hex":  3,
		"testdata/aaaa_domain_dnsmasq_empty.hex":          0,
		"testdata/srv_domain_samba_ad_empty.hex":          0,
	} {
		m, err := ParseMessage(probetest.ReadHex(t, file))
		if err != nil || m.RCode != rcode || len(m.Answers) != 0 {
			t.Errorf("%s: %v rcode %d answers %d", file, err, m.RCode, len(m.Answers))
		}
	}
}

func TestParseMessageRejectsBadRecords(t *testing.T) {
	good := probetest.ReadHex(t, "testdata/a_dc1_samba_ad.hex")
	// The A record's RDLENGTH (offset 40) claims 5 bytes.
	bad := bytes.Clone(good)
	binary.BigEndian.PutUint16(bad[40:], 5)
	if _, err := ParseMessage(bad); err == nil {
		t.Error("A record of 5 bytes accepted")
	}
	if _, err := ParseMessage(good[:len(good)-3]); err == nil {
		t.Error("truncated authority accepted")
	}
}

func FuzzParseMessage(f *testing.F) {
	for _, b := range probetest.Captures(f, "testdata/*.hex") {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseMessage(b)
		if err != nil {
			return
		}
		for _, rr := range append(append(m.Answers, m.Authority...), m.Additional...) {
			if rr.Type == TypeSRV && rr.SRV == nil {
				t.Fatalf("SRV without RDATA: %+v", rr)
			}
		}
	})
}

// serveDNS answers on UDP with udp(req) and on TCP, at the same port, with
// tcp(req).
func serveDNS(t *testing.T, udp, tcp func(req []byte) []byte) netip.AddrPort {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	addr := netip.MustParseAddrPort(pc.LocalAddr().String())
	ln, err := net.Listen("tcp", addr.String())
	if err != nil {
		t.Skipf("TCP port %d taken: %v", addr.Port(), err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		buf := make([]byte, 512)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if out := udp(buf[:n]); out != nil {
				pc.WriteTo(out, from)
			}
		}
	}()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				var size [2]byte
				if _, err := io.ReadFull(c, size[:]); err != nil {
					return
				}
				req := make([]byte, binary.BigEndian.Uint16(size[:]))
				if _, err := io.ReadFull(c, req); err != nil {
					return
				}
				out := tcp(req)
				c.Write(append(binary.BigEndian.AppendUint16(nil, uint16(len(out))), out...))
			}()
		}
	}()
	return addr
}

// withID gives a captured reply the request's ID.
func withID(req, reply []byte) []byte {
	out := bytes.Clone(reply)
	copy(out, req[:2])
	return out
}

func TestClientUDP(t *testing.T) {
	srv := probetest.ReadHex(t, "testdata/srv_ldap_dc_msdcs_samba_ad.hex")
	// A stray reply with another ID first: the client keeps reading.
	stray := probetest.UDPServeEach(t, func(req []byte) [][]byte {
		other := withID(req, srv)
		other[0] ^= 0xff
		return [][]byte{other, withID(req, srv)}
	})
	ex, err := Client{Server: stray, Timeout: time.Second}.Query(t.Context(), "_ldap._tcp.dc._msdcs.lab.test", TypeSRV)
	if err != nil || ex.TCP || len(ex.Reply.Answers) != 1 || ex.Reply.Answers[0].SRV.Target != "dc1.lab.test." {
		t.Errorf("%v %+v", err, ex)
	}
	// Silence: ErrTimeout after 1+Retries attempts.
	silent := serveDNS(t, func([]byte) []byte { return nil }, nil)
	_, err = Client{Server: silent, Timeout: 50 * time.Millisecond, Retries: 1}.Query(t.Context(), "lab.test", TypeA)
	if !errors.Is(err, ErrTimeout) {
		t.Errorf("silent server: %v", err)
	}
	// A reply to another question is an error, not an answer.
	other := probetest.UDPServe(t, func(req []byte) []byte { return withID(req, srv) })
	if _, err := (Client{Server: other, Timeout: time.Second}).Query(t.Context(), "lab.test", TypeSRV); err == nil {
		t.Error("reply to another question accepted")
	}
}

func TestClientTCPFallback(t *testing.T) {
	srv := probetest.ReadHex(t, "testdata/srv_ldap_dc_msdcs_samba_ad.hex")
	addr := serveDNS(t, func(req []byte) []byte {
		// RFC 1035 4.2.1: a truncated UDP answer (TC set, no records).
		out := withID(req, srv[:len(req)])
		out[2] |= flagTC >> 8
		binary.BigEndian.PutUint16(out[6:], 0)
		binary.BigEndian.PutUint16(out[8:], 0)
		return out
	}, func(req []byte) []byte { return withID(req, srv) })
	ex, err := Client{Server: addr, Timeout: time.Second}.Query(t.Context(), "_ldap._tcp.dc._msdcs.lab.test", TypeSRV)
	if err != nil || !ex.TCP || len(ex.Reply.Answers) != 1 {
		t.Errorf("%v %+v", err, ex)
	}
}

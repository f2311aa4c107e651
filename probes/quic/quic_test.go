package quic

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net/netip"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/probetest"
)

// RFC 9001 Appendix A, written out here: the client's Destination
// Connection ID (A), the keys derived from it (A.1), the header and
// sample of the client Initial (A.2), and the server Initial (A.3).
const (
	a1DCID      = "8394c8f03e515708"
	a1ClientKey = "1f369613dd76d5467730efcbe3b1a22d"
	a1ClientIV  = "fa044b2f42a3fd3b46fb255c"
	a1ClientHP  = "9f50449e04a0e810283a1e9933adedd2"
	a1ServerKey = "cf3a5331653c364c88f0f379b6067e37"
	a1ServerIV  = "0ac1493ca1905853b0bba03e"
	a1ServerHP  = "c206b8d9b9f0f37644430b490eeaa314"
	// A.2: the unprotected header (packet number 2 in 4 octets), the
	// sample (the first 16 octets of the ciphertext), the protected header.
	a2Header          = "c300000001088394c8f03e5157080000449e00000002"
	a2Sample          = "d1b1c98dd7689fb8ec11d242b123dc9b"
	a2ProtectedHeader = "c000000001088394c8f03e5157080000449e7b9aec34"
	// A.3: the server's Initial: an ACK of packet 0 and a CRYPTO frame with
	// the ServerHello (TLS_AES_128_GCM_SHA256, x25519, TLS 1.3), from
	// source connection ID f067a5502a4262b5, packet number 1 in 2 octets.
	a3Payload = `02000000000600405a020000560303eefce7f7b37ba1d1632e96677825ddf739
		88cfc79825df566dc5430b9a045a1200130100002e00330024001d00209d3c94
		0d89690b84d08a60993c144eca684d1081287c834d5311bcf32bb9da1a002b00
		020304`
	a3Protected = `cf000000010008f067a5502a4262b5004075c0d95a482cd0991cd25b0aac406a
		5816b6394100f37a1c69797554780bb38cc5a99f5ede4cf73c3ec2493a1839b3
		dbcba3f6ea46c5b7684df3548e7ddeb9c3bf9c73cc3f3bded74b562bfb19fb84
		022f8ef4cdd93795d77d06edbb7aaf2f58891850abbdca3d20398c276456cbc4
		2158407dd074ee`
	a3SCID = "f067a5502a4262b5"
	// A.4: the Retry the server sends instead, with the token "token" and
	// the integrity tag over the original DCID.
	a4Retry = "ff000000010008f067a5502a4262b5746f6b656e04a265ba2eff4d829058fb3f0f2496ba"
)

func TestInitialKeysRFC9001A1(t *testing.T) {
	c, s := InitialKeys(probetest.Hex(t, a1DCID))
	for name, got := range map[string][2][]byte{
		"client key": {c.Key, probetest.Hex(t, a1ClientKey)}, "client iv": {c.IV, probetest.Hex(t, a1ClientIV)},
		"client hp": {c.HP, probetest.Hex(t, a1ClientHP)}, "server key": {s.Key, probetest.Hex(t, a1ServerKey)},
		"server iv": {s.IV, probetest.Hex(t, a1ServerIV)}, "server hp": {s.HP, probetest.Hex(t, a1ServerHP)},
	} {
		if !bytes.Equal(got[0], got[1]) {
			t.Errorf("%s %x, want %x", name, got[0], got[1])
		}
	}
}

func TestHeaderProtectionRFC9001A2(t *testing.T) {
	c, _ := InitialKeys(probetest.Hex(t, a1DCID))
	pkt := append(probetest.Hex(t, a2Header), probetest.Hex(t, a2Sample)...)
	if err := protectHeader(pkt, 18, 4, c); err != nil {
		t.Fatal(err)
	}
	if want := probetest.Hex(t, a2ProtectedHeader); !bytes.Equal(pkt[:22], want) {
		t.Fatalf("protected header %x, want %x", pkt[:22], want)
	}
}

func TestServerInitialRFC9001A3(t *testing.T) {
	_, s := InitialKeys(probetest.Hex(t, a1DCID))
	payload := probetest.Hex(t, a3Payload)
	want := probetest.Hex(t, a3Protected)
	got, err := SealInitial(nil, InitialPacket{SCID: probetest.Hex(t, a3SCID), PacketNumber: 1, PNLength: 2, Payload: payload}, s)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("sealed\n got %x\nwant %x", got, want)
	}
	p, rest, err := OpenInitial(append([]byte(nil), want...), s)
	if err != nil {
		t.Fatal(err)
	}
	if p.PacketNumber != 1 || !bytes.Equal(p.Payload, payload) || len(rest) != 0 || !bytes.Equal(p.Header.SCID, probetest.Hex(t, a3SCID)) {
		t.Fatalf("opened pn %d payload %x rest %d", p.PacketNumber, p.Payload, len(rest))
	}
	f, err := ParseFrames(p.Payload)
	if err != nil || f.Acks != 1 || f.CryptoAt != 0 || len(f.Crypto) != 0x5a {
		t.Fatalf("frames %+v %v", f, err)
	}
	sh, err := ParseServerHello(f.Crypto)
	if err != nil || sh.CipherSuite != tls.TLS_AES_128_GCM_SHA256 || sh.Version != tls.VersionTLS13 || sh.HelloRetry {
		t.Fatalf("server hello %+v %v", sh, err)
	}
	// The client of A.2 (empty source connection ID) judges it a handshake.
	d, err := Judge(probetest.Hex(t, a1DCID), nil, want)
	if err != nil || d.Outcome != "handshake" || d.CipherSuite != "TLS_AES_128_GCM_SHA256" {
		t.Fatalf("judge %+v %v", d, err)
	}
	// Another connection's packet, or the same one under other keys.
	if _, err := Judge(probetest.Hex(t, a1DCID), []byte{1}, want); !errors.Is(err, probes.ErrNotForUs) {
		t.Fatalf("other connection: %v", err)
	}
	if _, err := Judge(probetest.Hex(t, "0001020304050607"), nil, want); err == nil {
		t.Fatal("decrypted under the wrong keys")
	}
}

func TestRetryRFC9001A4(t *testing.T) {
	d, err := Judge(probetest.Hex(t, a1DCID), nil, probetest.Hex(t, a4Retry))
	if err != nil || d.Outcome != "retry" {
		t.Fatalf("%+v %v", d, err)
	}
	bad := probetest.Hex(t, a4Retry)
	bad[len(bad)-1] ^= 1
	if _, err := Judge(probetest.Hex(t, a1DCID), nil, bad); !errors.Is(err, probes.ErrNotForUs) {
		t.Fatalf("tampered retry: %v", err)
	}
}

// TestQuicGoCaptures judges the answers of a real QUIC stack, quic-go
// v0.65.0, captured here (testdata, sources noted there).
func TestQuicGoCaptures(t *testing.T) {
	scid := probetest.Hex(t, "c1c2c3c4c5c6c7c8")
	d, err := Judge(probetest.Hex(t, "f13961b99d5f86c4"), scid, probetest.ReadHex(t, "testdata/quicgo065_smb_initial.hex"))
	if err != nil || d.Outcome != "handshake" || d.CipherSuite != "TLS_AES_128_GCM_SHA256" {
		t.Fatalf("smb: %+v %v", d, err)
	}
	d, err = Judge(probetest.Hex(t, "7371dcbb3c4a99e3"), scid, probetest.ReadHex(t, "testdata/quicgo065_h3_close.hex"))
	if err != nil || d.Outcome != "connection-close" || d.Close.Code != 0x178 || d.Close.Alert != "no_application_protocol" {
		t.Fatalf("h3: %+v %+v %v", d, d.Close, err)
	}
}

func TestVarintRFC9000A1(t *testing.T) {
	// The sample encodings of RFC 9000 A.1.
	for _, tc := range []struct {
		hex string
		v   uint64
	}{
		{"c2197c5eff14e88c", 151288809941952652}, {"9d7f3e7d", 494878333}, {"7bbd", 15293}, {"25", 37},
	} {
		v, n, err := ReadVarint(probetest.Hex(t, tc.hex))
		if err != nil || v != tc.v || n != len(tc.hex)/2 {
			t.Errorf("%s: %d %d %v", tc.hex, v, n, err)
		}
		if got := AppendVarint(nil, tc.v); !bytes.Equal(got, probetest.Hex(t, tc.hex)) {
			t.Errorf("%d: %x", tc.v, got)
		}
	}
	if v, _, err := ReadVarint([]byte{0x40, 0x25}); err != nil || v != 37 {
		t.Errorf("4025: %d %v", v, err) // the two-octet encoding of 37 (A.1)
	}
}

func TestClientInitial(t *testing.T) {
	scid := probetest.Hex(t, "0102030405060708")
	hello, err := ClientHello(t.Context(), "fs1.lab.test", ALPNSMB, scid)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(hello, []byte("\x03smb")) || !bytes.Contains(hello, []byte("fs1.lab.test")) {
		t.Fatalf("ClientHello without the ALPN or the SNI: %x", hello)
	}
	dcid := probetest.Hex(t, "1112131415161718")
	pkt, err := AppendClientInitial(nil, dcid, scid, nil, hello)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkt) != MinInitialDatagram {
		t.Fatalf("datagram of %d octets", len(pkt))
	}
	c, _ := InitialKeys(dcid)
	p, _, err := OpenInitial(append([]byte(nil), pkt...), c)
	if err != nil {
		t.Fatal(err)
	}
	f, err := ParseFrames(p.Payload)
	if err != nil || !bytes.Equal(f.Crypto, hello) || p.PacketNumber != 0 {
		t.Fatalf("frames %+v %v", f, err)
	}
}

func TestCloseNames(t *testing.T) {
	for _, tc := range []struct {
		c    Close
		want string
	}{
		{Close{Code: 0x178}, "CRYPTO_ERROR no_application_protocol"},
		{Close{Code: 0x128}, "CRYPTO_ERROR handshake_failure"},
		{Close{Code: 0x02}, "CONNECTION_REFUSED"},
		{Close{Code: 0x4242}, "error 0x4242"},
		{Close{Application: true, Code: 7}, "application error 0x7"},
	} {
		if got := tc.c.CodeName(); got != tc.want {
			t.Errorf("%+v: %q", tc.c, got)
		}
	}
}

// selfSigned is a throwaway certificate for the loopback QUIC server.
func selfSigned(t *testing.T) tls.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "fs1.lab.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"fs1.lab.test"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// quicServer is a loopback QUIC server's first flight: it opens the
// client's Initial with this package's code, hands the ClientHello to
// crypto/tls' QUIC server (speaking alpn), and answers with an Initial
// carrying the ServerHello, or a CONNECTION_CLOSE with the TLS alert.
func quicServer(t *testing.T, alpn string) netip.AddrPort {
	cert := selfSigned(t)
	serverID := probetest.Hex(t, "a1a2a3a4a5a6a7a8")
	return probetest.UDPServe(t, func(req []byte) []byte {
		h, _, err := ParseLongHeader(req)
		if err != nil || h.Type != TypeInitial {
			return nil
		}
		client, server := InitialKeys(h.DCID)
		p, _, err := OpenInitial(req, client)
		if err != nil {
			return nil
		}
		f, err := ParseFrames(p.Payload)
		if err != nil {
			return nil
		}
		q := tls.QUICServer(&tls.QUICConfig{TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{alpn}, MinVersion: tls.VersionTLS13}})
		defer q.Close()
		q.SetTransportParameters(TransportParameters(serverID))
		if err := q.Start(t.Context()); err != nil {
			return nil
		}
		var payload []byte
		if err := q.HandleData(tls.QUICEncryptionLevelInitial, f.Crypto); err != nil {
			var alert tls.AlertError
			if !errors.As(err, &alert) {
				return nil
			}
			payload = AppendClose(nil, 0x100+uint64(alert), frameCrypto, "")
		} else {
			for e := q.NextEvent(); e.Kind != tls.QUICNoEvent; e = q.NextEvent() {
				if e.Kind == tls.QUICWriteData && e.Level == tls.QUICEncryptionLevelInitial {
					payload = AppendCryptoFrame(payload, 0, e.Data)
				}
			}
		}
		out, err := SealInitial(nil, InitialPacket{DCID: h.SCID, SCID: serverID, Payload: payload}, server)
		if err != nil {
			return nil
		}
		return out
	})
}

// versionNegotiator answers every long header packet with a Version
// Negotiation packet (RFC 9000 17.2.1) listing QUIC v2 and draft-29.
func versionNegotiator(req []byte) []byte {
	h, _, err := ParseLongHeader(req)
	if err != nil {
		return nil
	}
	b := []byte{0x80, 0, 0, 0, 0, byte(len(h.SCID))}
	b = append(b, h.SCID...)
	b = append(b, byte(len(h.DCID)))
	b = append(b, h.DCID...)
	return append(b, 0x6b, 0x33, 0x43, 0xcf, 0xff, 0, 0, 29)
}

func TestProbeLoopback(t *testing.T) {
	for _, tc := range []struct {
		name    string
		addr    func() netip.AddrPort
		state   probes.State
		outcome string
		summary string
	}{
		{"smb", func() netip.AddrPort { return quicServer(t, "smb") }, probes.Confirmed, "handshake",
			"SMB over QUIC: QUIC v1 handshake with ALPN smb (TLS_AES_128_GCM_SHA256)"},
		{"h3 only", func() netip.AddrPort { return quicServer(t, "h3") }, probes.Confirmed, "connection-close",
			"QUIC listener, not SMB over QUIC: TLS alert no_application_protocol"},
		{"version negotiation", func() netip.AddrPort { return probetest.UDPServe(t, versionNegotiator) }, probes.Confirmed, "version-negotiation",
			"QUIC listener without version 1 (versions v2, draft-29)"},
		{"echo", func() netip.AddrPort { return probetest.UDPServe(t, func(b []byte) []byte { return b }) }, probes.Open, "", ""},
		{"garbage", func() netip.AddrPort {
			return probetest.UDPServe(t, func([]byte) []byte { return probetest.GarbageBytes(1200) })
		}, probes.Open, "", ""},
		{"silent", func() netip.AddrPort { return probetest.UDPServe(t, nil) }, probes.OpenFiltered, "", ""},
		{"closed", func() netip.AddrPort {
			return netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), probetest.FreeUDPPort(t))
		}, probes.Closed, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := tc.addr()
			r := Probe{Timeout: 300 * time.Millisecond, Retries: 1}.Probe(t.Context(), probetest.Target(addr))
			if r.State != tc.state {
				t.Fatalf("state %v (%v %q)", r.State, r, r.Note)
			}
			if tc.outcome == "" {
				return
			}
			d := r.Service.Details.(Details)
			if d.Outcome != tc.outcome || r.Service.Summary != tc.summary || d.Accepted != (tc.outcome == "handshake") {
				t.Fatalf("%q %+v", r.Service.Summary, d)
			}
		})
	}
}

func FuzzJudge(f *testing.F) {
	f.Add(probetest.Hex(f, a3Protected))
	f.Add(probetest.Hex(f, a4Retry))
	f.Add(versionNegotiator(probetest.Hex(f, a2Header)))
	for _, b := range probetest.Captures(f, "testdata/*.hex") {
		f.Add(b)
	}
	dcid := probetest.Hex(f, a1DCID)
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := Judge(dcid, nil, b)
		if err == nil && d.Outcome == "" {
			t.Fatal("no outcome without an error")
		}
		_, _ = ParseFrames(b)
		_, _ = ParseServerHello(b)
	})
}

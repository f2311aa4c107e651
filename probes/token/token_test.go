package token

import (
	"bytes"
	"encoding/hex"
	"errors"
	"net/netip"
	"testing"

	"github.com/winreach/winreach/probes/rawip"
)

// requestHex is the version 1 request token of the package documentation
// with nonce 00 01 02 ... 0f, written out by hand from the table:
// "wrch", version 1, kind 1, reserved 0000, nonce.
const requestHex = "77726368" + "01" + "01" + "0000" + "000102030405060708090a0b0c0d0e0f"

// replyHex is the same token as a listener's reply (kind 2).
const replyHex = "77726368" + "01" + "02" + "0000" + "000102030405060708090a0b0c0d0e0f"

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func testNonce() Nonce {
	var n Nonce
	for i := range n {
		n[i] = byte(i)
	}
	return n
}

func TestTokenBytes(t *testing.T) {
	req := mustHex(t, requestHex)
	if got := AppendUDPRequest(nil, testNonce()); !bytes.Equal(got, req) {
		t.Errorf("request\n got %x\nwant %x", got, req)
	}
	n, err := ParseUDPRequest(req)
	if err != nil || n != testNonce() {
		t.Fatalf("ParseUDPRequest: %x %v", n, err)
	}
	reply := AppendReply(nil, req)
	if !bytes.Equal(reply, mustHex(t, replyHex)) {
		t.Errorf("reply\n got %x\nwant %s", reply, replyHex)
	}
	tok, err := ParseToken(reply)
	if err != nil || tok.Kind != KindReply || tok.Nonce != testNonce() {
		t.Errorf("ParseToken(reply): %+v %v", tok, err)
	}
	// A reply is not a request: a listener must never answer one.
	if _, err := ParseUDPRequest(reply); !errors.Is(err, ErrKind) {
		t.Errorf("reply accepted as a request: %v", err)
	}
}

func TestParseUDPRequestRejects(t *testing.T) {
	req := mustHex(t, requestHex)
	for _, tc := range []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, ErrShort},
		{"short", req[:23], ErrShort},
		{"padded", append(bytes.Clone(req), 0), ErrMagic},
		{"magic", append([]byte("WRCH"), req[4:]...), ErrMagic},
		{"version", mustHex(t, "77726368"+"02"+"01"+"0000"+"000102030405060708090a0b0c0d0e0f"), ErrVersion},
		{"kind", mustHex(t, "77726368"+"01"+"03"+"0000"+"000102030405060708090a0b0c0d0e0f"), ErrKind},
		{"reserved", mustHex(t, "77726368"+"01"+"01"+"0001"+"000102030405060708090a0b0c0d0e0f"), ErrMagic},
		// A DNS query for ". NS" (RFC 1035 4.1) is someone else's probe.
		{"dns", mustHex(t, "123401000001000000000000000002000100000000000000"), ErrMagic},
	} {
		if _, err := ParseUDPRequest(tc.b); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestIPRequest(t *testing.T) {
	src, dst := netip.MustParseAddr("198.18.1.2"), netip.MustParseAddr("198.18.1.70")
	// GRE: RFC 2637 4.1 header 30 01 880b, payload length 0018 (the
	// token), call ID 1234, sequence 0, then the token.
	gre := AppendIPRequest(nil, rawip.ProtoGRE, src, dst, 0x1234, testNonce())
	if want := mustHex(t, "3001880b"+"0018"+"1234"+"00000000"+requestHex); !bytes.Equal(gre, want) {
		t.Errorf("GRE\n got %x\nwant %x", gre, want)
	}
	for _, proto := range []int{rawip.ProtoRSVP, rawip.ProtoGRE, rawip.ProtoESP, rawip.ProtoAH} {
		key := uint32(0x4242)
		p := AppendIPRequest(nil, proto, src, dst, key, testNonce())
		if n, err := ParseIPRequest(proto, p); err != nil || n != testNonce() {
			t.Errorf("proto %d: ParseIPRequest %x %v", proto, n, err)
		}
		// rawip's ICMP matching still finds the probe by its first bytes.
		if k, ok := rawip.Key(proto, p); !ok || proto != rawip.ProtoRSVP && k != spi(key) && k != key {
			t.Errorf("proto %d: key %#x %v", proto, k, ok)
		}
		r := AppendReply(nil, p)
		if len(r) != len(p) {
			t.Errorf("proto %d: reply %d bytes, request %d", proto, len(r), len(p))
		}
		if n, err := ParseIPReply(proto, r); err != nil || n != testNonce() {
			t.Errorf("proto %d: ParseIPReply %x %v", proto, n, err)
		}
		if _, err := ParseIPRequest(proto, r); err == nil {
			t.Errorf("proto %d: a reply parsed as a request", proto)
		}
		// The bare token is not a packet of the protocol.
		if _, err := ParseIPRequest(proto, mustHex(t, requestHex)); err == nil {
			t.Errorf("proto %d: a token without a header accepted", proto)
		}
	}
	if p := AppendIPRequest(nil, 17, src, dst, 1, testNonce()); len(p) != 0 {
		t.Errorf("UDP as a raw protocol: %x", p)
	}
}

func FuzzParseUDPRequest(f *testing.F) {
	f.Add(mustHex(f, requestHex))
	f.Add(mustHex(f, replyHex))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := ParseUDPRequest(b)
		if err != nil {
			return
		}
		// Anything accepted is exactly one request token, and its reply
		// is the same size.
		if len(b) != TokenLen || !bytes.Equal(AppendUDPRequest(nil, n), b) {
			t.Fatalf("accepted %x", b)
		}
		if r := AppendReply(nil, b); len(r) != len(b) {
			t.Fatalf("reply %d bytes for %d", len(r), len(b))
		}
	})
}

func FuzzParseIPRequest(f *testing.F) {
	src, dst := netip.MustParseAddr("198.18.1.2"), netip.MustParseAddr("198.18.1.70")
	for _, proto := range []int{rawip.ProtoRSVP, rawip.ProtoGRE, rawip.ProtoESP, rawip.ProtoAH} {
		f.Add(uint8(proto), AppendIPRequest(nil, proto, src, dst, 7, testNonce()))
	}
	f.Fuzz(func(t *testing.T, proto uint8, b []byte) {
		if _, err := ParseIPRequest(int(proto), b); err != nil {
			return
		}
		if r := AppendReply(nil, b); len(r) != len(b) {
			t.Fatalf("reply %d bytes for %d", len(r), len(b))
		}
		if _, err := ParseIPReply(int(proto), AppendReply(nil, b)); err != nil {
			t.Fatalf("reply to an accepted request does not parse: %v", err)
		}
	})
}

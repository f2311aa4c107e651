package rawip

import (
	"net/netip"
	"testing"

	"golang.org/x/net/ipv4"
)

func TestIsLocal(t *testing.T) {
	a := netip.MustParseAddr
	for _, tc := range []struct {
		dst, src string
		local    bool
	}{
		{"127.0.0.1", "127.0.0.1", true},
		{"127.0.0.2", "127.0.0.1", true},
		{"::1", "::1", true},
		{"198.18.1.5", "198.18.1.5", true}, // an address of this machine's own
		{"198.18.1.5", "198.18.1.1", false},
		{"fd77:7272:1::5", "fd77:7272:1::1", false},
	} {
		if got := IsLocal(a(tc.dst), a(tc.src)); got != tc.local {
			t.Errorf("IsLocal(%s, %s) = %v", tc.dst, tc.src, got)
		}
	}
}

// The header parses back, with golang.org/x/net/ipv4's parser, into the
// fields RFC 791 3.1 puts there.
func TestAppendIPv4Header(t *testing.T) {
	src, dst := netip.MustParseAddr("198.18.1.1"), netip.MustParseAddr("198.18.1.5")
	pkt := AppendGRE(nil, 7, 0)
	b := withIPHeader(ProtoGRE, src, dst, pkt)
	h, err := ipv4.ParseHeader(b)
	if err != nil {
		t.Fatal(err)
	}
	if h.Version != 4 || h.Len != 20 || h.TotalLen != 20+len(pkt) || h.TTL != sendTTL || h.Protocol != ProtoGRE ||
		h.Flags != ipv4.DontFragment || !h.Src.Equal(src.AsSlice()) || !h.Dst.Equal(dst.AsSlice()) {
		t.Errorf("%+v", h)
	}
	if string(b[20:]) != string(pkt) {
		t.Error("payload")
	}
}

func TestAppendIPv6Header(t *testing.T) {
	src, dst := netip.MustParseAddr("fd77:7272:1::1"), netip.MustParseAddr("fd77:7272:1::5")
	pkt := AppendESP(nil, 0x1234, 1)
	b := withIPHeader(ProtoESP, src, dst, pkt)
	// RFC 8200 3: version, traffic class, flow label, payload length,
	// next header, hop limit, source, destination.
	if b[0]>>4 != 6 || int(b[4])<<8|int(b[5]) != len(pkt) || b[6] != ProtoESP || b[7] != sendTTL ||
		netip.AddrFrom16([16]byte(b[8:24])) != src || netip.AddrFrom16([16]byte(b[24:40])) != dst || string(b[40:]) != string(pkt) {
		t.Errorf("%x", b[:40])
	}
}

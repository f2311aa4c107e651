package rawip

import (
	"bytes"
	"net/netip"
	"testing"

	"github.com/winreach/winreach/probes/probetest"
)

func TestAppendGRE(t *testing.T) {
	// RFC 2637 4.1: flags C=0 R=0 K=1 S=1 s=0 Recur=0 (0x30), A=0 Flags=0
	// Ver=1 (0x01), Protocol Type PPP 0x880B, Key = payload length 0 and
	// call ID 0x03e7, sequence number 0. The same 12 bytes appear quoted
	// in testdata/icmp4-proto-unreach-gre.hex.
	want := probetest.Hex(t, "3001 880b 0000 03e7 00000000")
	if got := AppendGRE(nil, 0x03e7, 0); !bytes.Equal(got, want) {
		t.Errorf("AppendGRE = %x, want %x", got, want)
	}
}

func TestAppendESP(t *testing.T) {
	// RFC 4303 2: SPI 0x29d1fe36 (2.1), sequence 1 (2.2), padding 01 02
	// (2.4), pad length 2, next header 59 (2.6 dummy), 12-byte ICV (2.8).
	want := probetest.Hex(t, "29d1fe36 00000001 0102 02 3b 000000000000000000000000")
	if got := AppendESP(nil, 0x29d1fe36, 1); !bytes.Equal(got, want) {
		t.Errorf("AppendESP = %x, want %x", got, want)
	}
}

func TestAppendAH(t *testing.T) {
	// RFC 4302 2: next header 59, payload length 4 ((24 bytes / 4) - 2,
	// 2.2), reserved 0, SPI 0x0f264b01, sequence 1, 12-byte ICV.
	want := probetest.Hex(t, "3b 04 0000 0f264b01 00000001 000000000000000000000000")
	if got := AppendAH(nil, 0x0f264b01, 1); !bytes.Equal(got, want) {
		t.Errorf("AppendAH = %x, want %x", got, want)
	}
}

func TestAppendRSVPPathIPv4(t *testing.T) {
	// RFC 2205 3.1.1 common header, then Appendix A objects (length,
	// class, C-Type, body); SENDER_TSPEC per RFC 2210 3.1. tcpdump 4.99
	// decodes the same bytes as "RSVPv1 Path Message, length: 88, ttl: 64,
	// checksum: 0x9f5d" with every object well-formed.
	// Layout, one object a line:
	//	10 01 9f5d 40 00 0058                         Vers 1, Path, checksum, Send_TTL 64, length 88
	//	000c 01 01 c612c902 11 00 0009                SESSION IPv4: 198.18.201.2, UDP, flags 0, port 9
	//	000c 03 01 c612c901 00002dce                  RSVP_HOP IPv4: 198.18.201.1, LIH
	//	0008 05 01 00007530                           TIME_VALUES: R = 30000 ms
	//	000c 0b 01 c612c901 0000 0009                 SENDER_TEMPLATE IPv4: 198.18.201.1, port 9
	//	0024 0c 02 00000007 01000006 7f000005         SENDER_TSPEC Intserv: 7 words, service 1, param 127
	//	447a0000 447a0000 7f800000 00000040 000005dc  r=1000 b=1000 p=+inf m=64 M=1500
	want := probetest.Hex(t, `
		10 01 9f5d 40 00 0058
		000c 01 01 c612c902 11 00 0009
		000c 03 01 c612c901 00002dce
		0008 05 01 00007530
		000c 0b 01 c612c901 0000 0009
		0024 0c 02 00000007 01000006 7f000005
		447a0000 447a0000 7f800000 00000040 000005dc`)
	got := AppendRSVPPath(nil, RSVPPath{
		Src: netip.MustParseAddr("198.18.201.1"), Dst: netip.MustParseAddr("198.18.201.2"),
		DstPort: 9, SrcPort: 9, LIH: 0x2dce, TTL: 64,
	})
	if !bytes.Equal(got, want) {
		t.Errorf("AppendRSVPPath =\n%x, want\n%x", got, want)
	}
	if checksum(got) != 0 {
		t.Errorf("the message does not check: %#04x", checksum(got))
	}
}

func TestAppendRSVPPathIPv6(t *testing.T) {
	// The quoted packet in testdata/icmp6-param-problem-rsvp.hex: the
	// 124-byte IPv6 Path (C-Type 2 objects, RFC 2205 A.1, A.2, A.10) that
	// tcpdump decoded as well-formed with checksum 0x8cbd.
	e := fixture(t, "icmp6-param-problem-rsvp")
	got := AppendRSVPPath(nil, RSVPPath{
		Src: netip.MustParseAddr("fd77:7272:201::1"), Dst: netip.MustParseAddr("fd77:7272:201::2"),
		DstPort: 9, SrcPort: 9, LIH: 0x979b, TTL: 64,
	})
	if !bytes.HasPrefix(got, e.Quote.Payload) || len(e.Quote.Payload) != 124 {
		t.Errorf("AppendRSVPPath =\n%x, quoted\n%x", got, e.Quote.Payload)
	}
	if got[2] != 0x8c || got[3] != 0xbd {
		t.Errorf("checksum %x, want 8cbd", got[2:4])
	}
}

func TestChecksumRFC1071(t *testing.T) {
	// RFC 1071 3: the bytes 00 01 f2 03 f4 f5 f6 f7 sum to 0xddf2; the
	// checksum is its complement.
	if got := checksum(probetest.Hex(t, "0001f203f4f5f6f7")); got != ^uint16(0xddf2) {
		t.Errorf("checksum = %#04x, want %#04x", got, ^uint16(0xddf2))
	}
	// An odd length pads with a zero byte.
	if got := checksum([]byte{0x01}); got != ^uint16(0x0100) {
		t.Errorf("odd checksum = %#04x", got)
	}
}

func TestKey(t *testing.T) {
	for _, tc := range []struct {
		proto int
		pkt   []byte
		want  uint32
	}{
		{ProtoGRE, AppendGRE(nil, 0xbeef, 7), 0xbeef},
		{ProtoESP, AppendESP(nil, 0x12345678, 1), 0x12345678},
		{ProtoAH, AppendAH(nil, 0x9abcdef0, 1), 0x9abcdef0},
		{ProtoRSVP, probetest.Hex(t, "10019f5d40000058"), 0x9f5d},
	} {
		got, ok := Key(tc.proto, tc.pkt)
		if !ok || got != tc.want {
			t.Errorf("Key(%d) = %#x %v, want %#x", tc.proto, got, ok, tc.want)
		}
		if _, ok := Key(tc.proto, tc.pkt[:3]); ok {
			t.Errorf("Key(%d) of 3 bytes: ok", tc.proto)
		}
	}
	if _, ok := Key(17, make([]byte, 8)); ok {
		t.Error("Key(UDP): ok")
	}
}

package dhcp

import (
	"bytes"
	"net"
	"net/netip"
	"testing"

	"github.com/winreach/winreach/probes/probetest"
)

func TestAppendInform(t *testing.T) {
	b := AppendInform(nil, InformRequest{
		XID:          0x01020304,
		ClientAddr:   netip.MustParseAddr("198.18.200.2"),
		HardwareAddr: net.HardwareAddr{2, 0, 198, 18, 200, 2},
	})
	// RFC 2131 2 (Figure 1) and 4.4.3 (Table 5): op 1, htype 1, hlen 6,
	// hops 0, xid, secs 0, flags 0, ciaddr 198.18.200.2, yiaddr, siaddr,
	// giaddr 0, chaddr padded to 16; then sname and file zero.
	head := probetest.Hex(t, `01 01 06 00 01020304 0000 0000 c612c802 00000000 00000000 00000000
		0200c612c802 00000000000000000000`)
	// RFC 2131 3 / RFC 2132 2: magic cookie; 9.6 option 53 = 8 (INFORM);
	// 9.8 option 55 asking for 1, 3, 6, 15, 44, 46; 3.2 end.
	opts := probetest.Hex(t, "63825363 35 01 08 37 06 01 03 06 0f 2c 2e ff")
	if len(b) != MinMessage || !bytes.Equal(b[:len(head)], head) || !bytes.Equal(b[236:236+len(opts)], opts) {
		t.Fatalf("got %x", b)
	}
	for _, c := range b[len(head):236] {
		if c != 0 {
			t.Fatalf("sname/file not zero: %x", b[len(head):236])
		}
	}
	if want := probetest.ReadHex(t, "testdata/inform-request.hex"); !bytes.Equal(b, want) {
		t.Fatalf("differs from the request dnsmasq answered")
	}
}

func TestParseReplyDnsmasq(t *testing.T) {
	r, err := ParseReply(probetest.ReadHex(t, "testdata/ack-dnsmasq.hex"))
	if err != nil {
		t.Fatal(err)
	}
	ip := netip.MustParseAddr
	if r.XID != 0x01020304 || r.MessageType != TypeAck || r.ServerID != ip("198.18.200.1") ||
		r.ClientAddr != ip("198.18.200.2") || r.SubnetMask != ip("255.255.255.0") ||
		r.DomainName != "lab.test" || len(r.Routers) != 1 || r.Routers[0] != ip("198.18.200.1") ||
		len(r.DNS) != 1 || len(r.NetBIOSNS) != 1 || r.LeaseSeconds != nil {
		t.Fatalf("%+v", r)
	}
	if s := service(r, ip("198.18.200.1")).Summary; s != "DHCPACK from server 198.18.200.1, domain lab.test, DNS 198.18.200.1" {
		t.Fatalf("summary %q", s)
	}
}

func TestParseReplyOverloadAndNak(t *testing.T) {
	// Built from RFC 2131 2 and RFC 2132 9.3: a DHCPNAK whose option 52
	// (value 1) puts option 56 (message) in the file field.
	b := make([]byte, 240)
	b[0], b[1], b[2] = opReply, 1, 6
	copy(b[4:], []byte{9, 9, 9, 9})
	copy(b[108:], append([]byte{optMessage, 5}, "no go"...))
	b[108+7] = optEnd
	copy(b[236:], probetest.Hex(t, "63825363"))
	b = append(b, optMessageType, 1, TypeNak, optOverload, 1, 1, optServerID, 4, 198, 18, 1, 50, optEnd)
	r, err := ParseReply(b)
	if err != nil {
		t.Fatal(err)
	}
	if r.MessageType != TypeNak || r.Message != "no go" || r.ServerID != netip.MustParseAddr("198.18.1.50") {
		t.Fatalf("%+v", r)
	}
}

func TestParseReplyRejects(t *testing.T) {
	ack := probetest.ReadHex(t, "testdata/ack-dnsmasq.hex")
	mut := func(f func(b []byte)) []byte { b := append([]byte(nil), ack...); f(b); return b }
	for name, b := range map[string][]byte{
		"request":   probetest.ReadHex(t, "testdata/inform-request.hex"),
		"cookie":    mut(func(b []byte) { b[236] = 0 }),
		"short":     ack[:200],
		"truncated": mut(func(b []byte) { b[241] = 200 }),
		"bootp":     append(mut(func(b []byte) {})[:240], optEnd),
	} {
		if _, err := ParseReply(b); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

func FuzzParseReply(f *testing.F) {
	f.Add(probetest.ReadHex(f, "testdata/ack-dnsmasq.hex"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, err := ParseReply(b); err == nil {
			_ = service(r, netip.Addr{})
		}
	})
}

package ldap

import (
	"bytes"
	"errors"
	"net"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/probetest"
)

func TestAppendSearchRequestMatchesLdapsearch(t *testing.T) {
	// testdata/ldapsearch-rootdse-request.hex: what ldapsearch 2.5.13 sends
	// for -b "" -s base; the same bytes as the 39-byte request of RFC 4511
	// 4.5.1 with message ID 2:
	// 30 25 02 01 02 63 20 04 00 0a 01 00 0a 01 00 02 01 00 02 01 00 01 01 00
	// 87 0b "objectclass" 30 00
	want := probetest.ReadHex(t, "testdata/ldapsearch-rootdse-request.hex")
	got := AppendSearchRequest(nil, 2, "", Present("objectclass"), nil)
	if !bytes.Equal(got, want) {
		t.Errorf("got  %x\nwant %x", got, want)
	}
}

func TestAppendSearchRequestMatchesSambaPing(t *testing.T) {
	// testdata/net-ads-lookup-request.hex: Samba's own LDAP ping, with an
	// AAC term and the attribute spelled NetLogon.
	want := probetest.ReadHex(t, "testdata/net-ads-lookup-request.hex")
	filter := And(Equal("NtVer", []byte{6, 0, 0, 0}), Equal("AAC", []byte{0, 0, 0, 0}))
	got := AppendSearchRequest(nil, 0x359d, "", filter, []string{"NetLogon"})
	if !bytes.Equal(got, want) {
		t.Errorf("got  %x\nwant %x", got, want)
	}
	if id, err := messageID(want); err != nil || id != 0x359d {
		t.Errorf("messageID = %#x, %v", id, err)
	}
}

func TestAppendNetlogonPing(t *testing.T) {
	// [MS-ADTS] 6.3.3: (&(NtVer=\06\00\00\00)) with attribute Netlogon.
	want := probetest.Hex(t, `30 33 02 01 07 63 2e 04 00 0a 01 00 0a 01 00 02 01 00 02 01 00 01 01 00
		a0 0f a3 0d 04 05 4e 74 56 65 72 04 04 06 00 00 00
		30 0a 04 08 4e 65 74 6c 6f 67 6f 6e`)
	if got := AppendNetlogonPing(nil, 7, ""); !bytes.Equal(got, want) {
		t.Errorf("got  %x\nwant %x", got, want)
	}
	p := NetlogonPing{FirstID: 7}
	if a, b := p.Request(probes.Target{}, 0), p.Request(probes.Target{}, 1); bytes.Equal(a, b) {
		t.Error("attempts share a message ID")
	}
}

func TestBERLengths(t *testing.T) {
	// X.690 8.1.3.5 long form; AD always sends 84 + four octets.
	for _, tt := range []struct {
		in   string
		hdr  int
		n    int
		fail bool
	}{
		{"30 05", 2, 5, false},
		{"30 81 80", 3, 128, false},
		{"30 84 00 00 01 00", 6, 256, false},
		{"30 80", 0, 0, true},                // indefinite: not in LDAP
		{"30 85 00 00 00 00 01", 0, 0, true}, // more than 4 length octets
		{"1f 01", 0, 0, true},                // high tag number form
		{"30", 0, 0, true},
		{"30 82 01", 0, 0, true},
	} {
		hdr, n, err := parseHeader(probetest.Hex(t, tt.in))
		if (err != nil) != tt.fail || hdr != tt.hdr || n != tt.n {
			t.Errorf("%s: hdr %d n %d err %v", tt.in, hdr, n, err)
		}
	}
	for _, n := range []int{0, 1, 127, 128, 255, 256, 65535, 65536, 1 << 24} {
		b := appendLength([]byte{tagSequence}, n)
		hdr, got, err := parseHeader(b)
		if err != nil || got != n || hdr != len(b) {
			t.Errorf("length %d: %x -> %d, %v", n, b, got, err)
		}
	}
	for _, v := range []int32{0, 1, 127, 128, 255, 256, -1, -128, -129, 0x7fffffff, -0x80000000} {
		b := appendInt(nil, tagInteger, v)
		got, rest, err := readInt(b, tagInteger)
		if err != nil || got != v || len(rest) != 0 {
			t.Errorf("int %d: %x -> %d, %v", v, b, got, err)
		}
	}
	// X.690 8.3.2: minimal encodings.
	if b := appendInt(nil, tagInteger, 128); !bytes.Equal(b, []byte{2, 2, 0, 0x80}) {
		t.Errorf("128 -> %x", b)
	}
}

func TestReadMessageBounded(t *testing.T) {
	// A header that announces 1 GiB is refused before any body is read.
	_, err := readMessage(bytes.NewReader(probetest.Hex(t, "30 84 40 00 00 00")), maxMessage)
	if !errors.Is(err, errBER) {
		t.Errorf("huge length: %v", err)
	}
	// The capture holds the entry then SearchResultDone: one read, one message.
	both := probetest.ReadHex(t, "testdata/rootdse-slapd.hex")
	_, done, err := ParseMessage(both)
	if err != nil {
		t.Fatal(err)
	}
	entry := both[:len(both)-len(done)]
	got, err := readMessage(bytes.NewReader(both), maxMessage)
	if err != nil || !bytes.Equal(got, entry) {
		t.Errorf("got %d bytes, %v", len(got), err)
	}
}

func TestParseRootDSESamba(t *testing.T) {
	// testdata/rootdse-samba.hex: the entry (0x64, long-form lengths
	// 82 02 b7) then SearchResultDone (0x65) from Samba 4.17.12.
	b := probetest.ReadHex(t, "testdata/rootdse-samba.hex")
	m, rest, err := ParseMessage(b)
	if err != nil {
		t.Fatal(err)
	}
	if m.ID != 1 || m.Op != opSearchResultEntry || m.Entry == nil || m.Entry.DN != "" {
		t.Fatalf("got %+v", m)
	}
	d := RootDSEFromEntry(m.Entry)
	want := RootDSEInfo{
		DefaultNamingContext:    "DC=lab,DC=test",
		RootDomainNamingContext: "DC=lab,DC=test",
		NamingContexts:          []string{"DC=lab,DC=test", "CN=Configuration,DC=lab,DC=test", "CN=Schema,CN=Configuration,DC=lab,DC=test", "DC=DomainDnsZones,DC=lab,DC=test", "DC=ForestDnsZones,DC=lab,DC=test"},
		DNSHostName:             "dc1.lab.test",
		LDAPServiceName:         "lab.test:dc1$@LAB.TEST",
		SupportedLDAPVersion:    []int{2, 3},
		ServerName:              "CN=DC1,CN=Servers,CN=Default-First-Site-Name,CN=Sites,CN=Configuration,DC=lab,DC=test",
		VendorName:              "Samba Team (https://www.samba.org)",
		VendorVersion:           "4.17.12-Debian",
		SupportedSASLMechanisms: []string{"GSS-SPNEGO", "GSSAPI", "NTLM"},
		IsGlobalCatalogReady:    true,
		DomainFunctionality:     4,
		ActiveDirectory:         true,
		Realm:                   "LAB.TEST",
		Product:                 "Samba Team (https://www.samba.org) 4.17.12-Debian",
	}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("got  %+v\nwant %+v", d, want)
	}
	if s := d.Summary(); s != "AD DC dc1.lab.test, LAB.TEST, LDAPv3" {
		t.Errorf("summary %q", s)
	}
	done, rest, err := ParseMessage(rest)
	if err != nil || done.Op != opSearchResultDone || done.Result == nil || done.Result.Code != 0 || len(rest) != 0 {
		t.Errorf("done: %+v %+v, %d left, %v", done, done.Result, len(rest), err)
	}
}

func TestParseRootDSESlapd(t *testing.T) {
	// testdata/rootdse-slapd.hex: OpenLDAP 2.5.13, no vendorName; its root
	// DSE's objectClass OpenLDAProotDSE names it.
	m, _, err := ParseMessage(probetest.ReadHex(t, "testdata/rootdse-slapd.hex"))
	if err != nil || m.Entry == nil {
		t.Fatalf("%+v, %v", m, err)
	}
	d := RootDSEFromEntry(m.Entry)
	if d.ActiveDirectory || d.Product != "OpenLDAP" || d.Summary() != "OpenLDAP, LDAPv3, dc=lab,dc=test" {
		t.Errorf("got %+v, summary %q", d, d.Summary())
	}
}

func TestParseNetlogonSamba(t *testing.T) {
	// testdata/cldap-samba.hex: SearchResultEntry with the Netlogon value
	// (88 bytes, opcode 0x17, names compressed with pointers c0 18 and
	// c0 35 to "lab.test" and "DC1"), then SearchResultDone, in one datagram.
	reply := probetest.ReadHex(t, "testdata/cldap-samba.hex")
	req := AppendNetlogonPing(nil, 1, "")
	svc, err := NetlogonPing{}.Parse(req, reply)
	if err != nil {
		t.Fatal(err)
	}
	if svc.Protocol != "cldap" || svc.Summary != "DC1 in LAB (lab.test), site Default-First-Site-Name" {
		t.Errorf("got %+v", svc)
	}
	nl := svc.Details.(NetlogonDetails).Netlogon
	want := NetlogonResponse{
		Opcode:              23,
		Flags:               0x13fd,
		FlagNames:           []string{"PDC", "GC", "LDAP", "DS", "KDC", "TIMESERV", "CLOSEST", "WRITABLE", "GOOD_TIMESERV", "FULL_SECRET_DOMAIN_6"},
		DomainGUID:          "4d02453f-305e-4eb4-beb0-86b17c9eba17", // objectGUID of DC=lab,DC=test per ldbsearch
		DNSForestName:       "lab.test",
		DNSDomainName:       "lab.test",
		DNSHostName:         "dc1.lab.test",
		NetBIOSDomainName:   "LAB",
		NetBIOSComputerName: "DC1",
		DCSiteName:          "Default-First-Site-Name",
		ClientSiteName:      "Default-First-Site-Name",
		NtVersion:           5,
	}
	if !reflect.DeepEqual(*nl, want) {
		t.Errorf("got  %+v\nwant %+v", *nl, want)
	}
	// The same reply to a later attempt's request is not ours.
	if _, err := (NetlogonPing{}).Parse(AppendNetlogonPing(nil, 2, ""), reply); !errors.Is(err, probes.ErrNotForUs) {
		t.Errorf("other ID: %v", err)
	}
}

func TestParseNetlogonWithSockaddrAndClosestSite(t *testing.T) {
	// Built per [MS-ADTS] 6.3.1.9 for NtVer 0x1e: names, DcSockAddrSize 16,
	// SOCKADDR_IN 198.18.1.10, NextClosestSiteName "Hub" then NtVersion.
	b := probetest.Hex(t, `17 00 00 00 fd 13 00 00
		3f 45 02 4d 5e 30 b4 4e be b0 86 b1 7c 9e ba 17
		03 6c 61 62 04 74 65 73 74 00
		c0 18
		03 64 63 31 c0 18
		03 4c 41 42 00
		03 44 43 31 00
		00
		04 53 69 74 65 00
		c0 35
		10 02 00 00 00 c6 12 01 0a 00 00 00 00 00 00 00 00
		03 48 75 62 00
		1f 00 00 00 ff ff ff ff`)
	r, err := ParseNetlogonResponse(b)
	if err != nil {
		t.Fatal(err)
	}
	if r.DNSHostName != "dc1.lab.test" || r.ClientSiteName != "Site" || r.DCAddress != netip.MustParseAddrPort("198.18.1.10:0") || r.NextClosestSiteName != "Hub" || r.NtVersion != 0x1f {
		t.Errorf("got %+v", r)
	}
}

func TestCompressedNameLoops(t *testing.T) {
	for _, in := range []string{
		"c0 00",       // points at itself
		"01 61 c0 00", // points back into a loop through a label
		"c0 05",       // points forward
		"40 00",       // reserved label type
		"05 61 62",    // label past the end
		"01 61",       // no terminator
	} {
		if name, _, err := readCompressedName(probetest.Hex(t, in), 0); err == nil {
			t.Errorf("%s: accepted as %q", in, name)
		}
	}
	// "01 61 c0 00" read from offset 2 is a loop of 'a' labels: stopped by
	// the hop or length bound.
	if name, _, err := readCompressedName(probetest.Hex(t, "01 61 c0 00"), 2); err == nil {
		t.Errorf("loop accepted as %q", name)
	}
}

func TestRootDSELoopback(t *testing.T) {
	tests := []struct {
		name, file, summary string
	}{
		{"samba", "testdata/rootdse-samba.hex", "AD DC dc1.lab.test, LAB.TEST, LDAPv3"},
		{"slapd", "testdata/rootdse-slapd.hex", "OpenLDAP, LDAPv3, dc=lab,dc=test"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reply := probetest.ReadHex(t, tt.file)
			addr := probetest.Serve(t, func(c net.Conn) {
				req, err := readMessage(c, maxMessage)
				if err != nil {
					return
				}
				if id, _ := messageID(req); id != rootDSEMessageID {
					return
				}
				probetest.Reply(reply)(c)
			})
			r := probetest.ProbeTCP(t, RootDSE{}, addr, 5*time.Second)
			if r.State != probes.Confirmed || r.Service.Protocol != "ldap" || r.Service.Summary != tt.summary {
				t.Fatalf("got %v %+v", r, r.Service)
			}
		})
	}
}

func TestRootDSENoticeOfDisconnection(t *testing.T) {
	// RFC 4511 4.4.1: messageID 0, ExtendedResponse, resultCode
	// unavailable (52), responseName 1.3.6.1.4.1.1466.20036.
	notice := probetest.Hex(t, `30 24 02 01 00 78 1f 0a 01 34 04 00 04 00
		8a 16 31 2e 33 2e 36 2e 31 2e 34 2e 31 2e 31 34 36 36 2e 32 30 30 33 36`)
	addr := probetest.Serve(t, probetest.Reply(notice))
	r := probetest.ProbeTCP(t, RootDSE{}, addr, 5*time.Second)
	if r.State != probes.Confirmed || r.Service.Summary != "LDAP, notice of disconnection: unavailable" {
		t.Fatalf("got %v %+v", r, r.Service)
	}
}

func TestNetlogonPingLoopback(t *testing.T) {
	reply := probetest.ReadHex(t, "testdata/cldap-samba.hex")
	addr := probetest.UDPServe(t, func(req []byte) []byte {
		// Answer with the captured reply, its message ID (02 01 01 at
		// offset 2) patched to the request's.
		id, err := messageID(req)
		if err != nil || id > 127 {
			return nil
		}
		out := bytes.Clone(reply)
		out[4] = byte(id)
		return out
	})
	r := probetest.ProbeUDP(t, NetlogonPing{FirstID: 42}, addr, 2*time.Second, 1)
	if r.State != probes.Confirmed || r.Service.Summary != "DC1 in LAB (lab.test), site Default-First-Site-Name" {
		t.Fatalf("got %v %+v", r, r.Service)
	}
}

func TestNetlogonPingGarbage(t *testing.T) {
	addr := probetest.UDPServe(t, func([]byte) []byte { return probetest.GarbageBytes(100) })
	r := probetest.ProbeUDP(t, NetlogonPing{}, addr, 2*time.Second, 0)
	if r.State != probes.Open || r.Reason != probes.ReasonUnexpectedReply {
		t.Fatalf("got %v", r)
	}
}

func seeds(f *testing.F) {
	for _, c := range probetest.Captures(f, "testdata/*.hex") {
		f.Add(c)
	}
}

func FuzzParseMessage(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		for i := 0; i < 4 && len(b) > 0; i++ {
			m, rest, err := ParseMessage(b)
			if err != nil {
				return
			}
			if m.Entry != nil {
				_ = RootDSEFromEntry(m.Entry).Summary()
			}
			if len(rest) >= len(b) {
				t.Fatalf("no progress: %d -> %d", len(b), len(rest))
			}
			b = rest
		}
	})
}

func FuzzParseNetlogonResponse(f *testing.F) {
	reply := probetest.ReadHex(f, "testdata/cldap-samba.hex")
	m, _, err := ParseMessage(reply)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(m.Entry.Get("Netlogon")[0])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, err := ParseNetlogonResponse(b); err == nil {
			_ = r.Summary()
		}
	})
}

func FuzzNetlogonPingParse(f *testing.F) {
	seeds(f)
	req := AppendNetlogonPing(nil, 1, "")
	f.Fuzz(func(t *testing.T, b []byte) {
		if svc, err := (NetlogonPing{}).Parse(req, b); err == nil && svc == nil {
			t.Fatal("nil service without error")
		}
	})
}

func FuzzReadMessage(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := readMessage(bytes.NewReader(b), 4096)
		if err == nil && len(got) > 4096 {
			t.Fatalf("read %d bytes past the bound", len(got))
		}
	})
}

func TestNetlogonPingOtherDomain(t *testing.T) {
	// testdata/cldap-samba-other-domain.hex: 30 0c 02 01 01 65 07 0a 01 00
	// 04 00 04 00, a bare successful SearchResultDone.
	reply := probetest.ReadHex(t, "testdata/cldap-samba-other-domain.hex")
	svc, err := NetlogonPing{}.Parse(AppendNetlogonPing(nil, 1, "nope.test"), reply)
	if err != nil {
		t.Fatal(err)
	}
	if svc.Summary != "CLDAP, no netlogon entry (not a DC of the domain asked)" {
		t.Errorf("summary %q", svc.Summary)
	}
}

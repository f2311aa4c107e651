package dcerpc

import (
	"encoding/binary"
	"testing"

	"github.com/winreach/winreach/probes/probetest"
)

func TestParseLookupResponseSambaPage(t *testing.T) {
	pdu := probetest.ReadHex(t, "testdata/samba417_lookup_page4.hex")
	resp, err := ParseResponse(pdu)
	if err != nil {
		t.Fatal(err)
	}
	r, err := ParseLookupResponse(resp.Stub, resp.Header.Order())
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != 0 || len(r.Entries) != 4 || r.Handle == (Handle{}) {
		t.Fatalf("status %#x, %d entries, handle %x", r.Status, len(r.Entries), r.Handle)
	}
	// Samba registers each interface with its name as annotation.
	wantAnn := []string{"dnsserver", "mgmt", "browser", "mgmt"}
	wantEP := []Endpoint{
		{InterfaceUUID: mustUUID("50abc2a4-574d-40b3-9d66-ee4fd5fba076"), InterfaceVersion: "5.0", Protocol: "ncacn_np", Pipe: `\pipe\dnsserver`},
		{InterfaceUUID: mustUUID("afa8bd80-7d8a-11c9-bef4-08002b102989"), InterfaceVersion: "1.0", Protocol: "ncacn_np", Pipe: `\pipe\dnsserver`},
		{InterfaceUUID: mustUUID("6bffd098-a112-3610-9833-012892020162"), InterfaceVersion: "0.0", Protocol: "ncacn_np", Pipe: `\pipe\browser`},
		{InterfaceUUID: mustUUID("afa8bd80-7d8a-11c9-bef4-08002b102989"), InterfaceVersion: "1.0", Protocol: "ncacn_np", Pipe: `\pipe\browser`},
	}
	for i, e := range r.Entries {
		if e.Annotation != wantAnn[i] || !e.Object.IsZero() {
			t.Errorf("entry %d: object %v annotation %q", i, e.Object, e.Annotation)
		}
		floors, err := ParseTower(e.Tower)
		if err != nil {
			t.Fatalf("entry %d tower: %v", i, err)
		}
		if len(floors) != 5 {
			t.Errorf("entry %d: %d floors", i, len(floors))
		}
		if got := EndpointFromFloors(floors); got != wantEP[i] {
			t.Errorf("entry %d:\n got %+v\nwant %+v", i, got, wantEP[i])
		}
	}
}

func TestParseLookupResponseSambaEnd(t *testing.T) {
	resp, err := ParseResponse(probetest.ReadHex(t, "testdata/samba417_lookup_end.hex"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := ParseLookupResponse(resp.Stub, binary.LittleEndian)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != StatusNoMoreEntries || len(r.Entries) != 0 || r.Handle != (Handle{}) {
		t.Errorf("status %#x, %d entries, handle %x", r.Status, len(r.Entries), r.Handle)
	}
}

func TestParseTowerTCP(t *testing.T) {
	// One tower of testdata/samba417_lookup_frags.hex: netlogon v1.0 on
	// ncacn_ip_tcp port 0xc000 (49152), IP 0.0.0.0 (C706 appendix L):
	tower := probetest.Hex(t, `
		05 00
		13 00 0d 78 56 34 12 34 12 cd ab ef 00 01 23 45 67 cf fb 01 00  02 00 00 00
		13 00 0d 04 5d 88 8a eb 1c c9 11 9f e8 08 00 2b 10 48 60 02 00  02 00 00 00
		01 00 0b  02 00 00 00
		01 00 07  02 00 c0 00
		01 00 09  04 00 00 00 00 00`)
	floors, err := ParseTower(tower)
	if err != nil {
		t.Fatal(err)
	}
	got := EndpointFromFloors(floors)
	want := Endpoint{
		InterfaceUUID:    mustUUID("12345678-1234-abcd-ef00-01234567cffb"),
		InterfaceVersion: "1.0",
		Protocol:         "ncacn_ip_tcp",
		Port:             49152,
		Address:          "0.0.0.0",
	}
	if got != want {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	if InterfaceName(got.InterfaceUUID) != "netlogon" {
		t.Errorf("name %q", InterfaceName(got.InterfaceUUID))
	}
	for _, cut := range []int{1, 5, 30, len(tower) - 1} {
		if _, err := ParseTower(tower[:cut]); err == nil {
			t.Errorf("tower cut at %d accepted", cut)
		}
	}
}

func TestProtocolSequences(t *testing.T) {
	// [MS-RPCE] 2.1 protocol sequences and the floor 3/4 identifiers of
	// C706 appendix I.
	for _, tc := range []struct {
		rpc, transport byte
		want           string
	}{
		{ProtoNCACN, ProtoTCP, "ncacn_ip_tcp"},
		{ProtoNCACN, ProtoSMB, "ncacn_np"},
		{ProtoNCACN, ProtoHTTP, "ncacn_http"},
		{ProtoNCADG, ProtoUDP, "ncadg_ip_udp"},
		{ProtoNCALRPC, ProtoNamedPipe, "ncalrpc"},
		{0x42, 0x43, "unknown(0x42/0x43)"},
	} {
		if got := protocolSequence(tc.rpc, tc.transport); got != tc.want {
			t.Errorf("%#x/%#x: %q, want %q", tc.rpc, tc.transport, got, tc.want)
		}
	}
}

func TestUUID(t *testing.T) {
	u := mustUUID(EPMapperUUID)
	if u.String() != EPMapperUUID {
		t.Errorf("round trip %s", u)
	}
	// First three fields little-endian on the wire (C706 appendix A, 14.2.5).
	wire := appendUUID(nil, u, binary.LittleEndian)
	if got, want := wire, probetest.Hex(t, "08 83 af e1 1f 5d c9 11 91 a4 08 00 2b 14 a0 fa"); string(got) != string(want) {
		t.Errorf("wire %x, want %x", got, want)
	}
	if uuidFromWire(wire, binary.LittleEndian) != u {
		t.Error("uuidFromWire")
	}
	for _, bad := range []string{"", "e1af8308-5d1f-11c9-91a4-08002b14a0f", "e1af8308x5d1f-11c9-91a4-08002b14a0fa", "g1af8308-5d1f-11c9-91a4-08002b14a0fa"} {
		if _, err := ParseUUID(bad); err == nil {
			t.Errorf("ParseUUID(%q) accepted", bad)
		}
	}
}

func TestInterfaceNames(t *testing.T) {
	for u, want := range map[string]string{
		"e3514235-4b06-11d1-ab04-00c04fc2dcd2": "drsuapi",
		"12345778-1234-abcd-ef00-0123456789ab": "lsarpc",
		"12345778-1234-abcd-ef00-0123456789ac": "samr",
		"12345678-1234-abcd-ef00-01234567cffb": "netlogon",
		"e1af8308-5d1f-11c9-91a4-08002b14a0fa": "epmapper",
		"00000000-0000-0000-0000-000000000000": "",
	} {
		if got := InterfaceName(mustUUID(u)); got != want {
			t.Errorf("%s: %q, want %q", u, got, want)
		}
	}
}

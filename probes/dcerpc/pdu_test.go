package dcerpc

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"

	"github.com/winreach/winreach/probes/probetest"
)

func TestAppendBind(t *testing.T) {
	// Field by field from C706 12.6.3.1 and 12.6.4.3; Samba 4.17's endpoint
	// mapper accepted exactly these bytes (testdata/samba417_bind_ack.hex).
	want := probetest.Hex(t, `
		05 00 0b 03 10 00 00 00 48 00 00 00 01 00 00 00
		b8 10 b8 10 00 00 00 00
		01 00 00 00
		00 00 01 00
		08 83 af e1 1f 5d c9 11 91 a4 08 00 2b 14 a0 fa 03 00 00 00
		04 5d 88 8a eb 1c c9 11 9f e8 08 00 2b 10 48 60 02 00 00 00`)
	// rpc_vers 5.0, PTYPE 11, pfc first|last, drep little-endian,
	// frag_length 72, auth_length 0, call_id 1; max_xmit/recv 4280,
	// assoc_group 0; one context; p_cont_id 0, one transfer syntax;
	// EPM e1af8308-5d1f-11c9-91a4-08002b14a0fa v3.0; NDR
	// 8a885d04-1ceb-11c9-9fe8-08002b104860 v2.0.
	got := AppendBind(nil, 1, EPMapper())
	if !bytes.Equal(got, want) {
		t.Errorf("AppendBind:\n got %x\nwant %x", got, want)
	}
}

func TestAppendLookupRequest(t *testing.T) {
	// C706 appendix L ept_lookup, NDR little-endian; the request Samba
	// 4.17 answered with testdata/samba417_lookup_page4.hex.
	want := probetest.Hex(t, `
		05 00 00 03 10 00 00 00 40 00 00 00 02 00 00 00
		28 00 00 00 00 00 02 00
		00 00 00 00
		00 00 00 00
		00 00 00 00
		01 00 00 00
		00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
		04 00 00 00`)
	// request header: alloc_hint 40, p_cont_id 0, opnum 2; stub:
	// inquiry_type 0, object NULL, interface NULL, vers_option 1,
	// entry_handle zero, max_ents 4.
	got := AppendRequest(nil, 2, 0, OpLookup, AppendLookupRequest(nil, Handle{}, 4))
	if !bytes.Equal(got, want) {
		t.Errorf("request:\n got %x\nwant %x", got, want)
	}
}

func TestParseBindAckSamba(t *testing.T) {
	a, err := ParseBindAck(probetest.ReadHex(t, "testdata/samba417_bind_ack.hex"))
	if err != nil {
		t.Fatal(err)
	}
	if a.Header.CallID != 1 || a.MaxXmitFrag != 4280 || a.MaxRecvFrag != 4280 || a.AssocGroup == 0 {
		t.Errorf("bind_ack header fields: %+v", a)
	}
	if a.SecondaryAddress != "135" {
		t.Errorf("secondary address %q, want 135", a.SecondaryAddress)
	}
	if len(a.Results) != 1 || a.Results[0].Result != ResultAcceptance || a.Results[0].TransferSyntax != NDR() {
		t.Errorf("results %+v", a.Results)
	}
}

func TestParseBindNak(t *testing.T) {
	// C706 12.6.4.5: header (PTYPE 13, frag_length 21), reason 4
	// (protocol version not supported), one supported version 5.0.
	b := probetest.Hex(t, "05 00 0d 03 10 00 00 00 15 00 00 00 01 00 00 00 04 00 01 05 00")
	n, err := ParseBindNak(b)
	if err != nil {
		t.Fatal(err)
	}
	if n.Reason != 4 || len(n.Versions) != 1 || n.Versions[0] != [2]uint8{5, 0} {
		t.Errorf("bind_nak %+v", n)
	}
	if RejectReasonName(n.Reason) != "protocol version not supported" {
		t.Errorf("reason name %q", RejectReasonName(n.Reason))
	}
}

func TestParseFaultSamba(t *testing.T) {
	f, err := ParseFault(probetest.ReadHex(t, "testdata/samba417_fault.hex"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Status != 0x1c00001a || f.Header.CallID != 3 {
		t.Errorf("fault %+v", f)
	}
	// ReadResponse returns it as an error.
	_, _, err = ReadResponse(bytes.NewReader(probetest.ReadHex(t, "testdata/samba417_fault.hex")), 3, 1<<16)
	var fe Fault
	if !errors.As(err, &fe) || fe.Status != 0x1c00001a {
		t.Errorf("ReadResponse error %v, want the fault", err)
	}
}

func TestParseHeaderBigEndian(t *testing.T) {
	// packed_drep 00: big-endian integers (C706 14.1).
	h, err := ParseHeader(probetest.Hex(t, "05 00 02 03 00 00 00 00 00 18 00 00 00 00 00 07"))
	if err != nil {
		t.Fatal(err)
	}
	if h.FragLength != 24 || h.CallID != 7 || h.Order() != binary.BigEndian {
		t.Errorf("header %+v", h)
	}
}

func TestParseHeaderRejects(t *testing.T) {
	for _, b := range [][]byte{
		nil,
		[]byte("HTTP/1.1 400 Bad Request\r\n"),
		probetest.Hex(t, "04 00 02 03 10 00 00 00 18 00 00 00 01 00 00 00"), // version 4 (that is DCE/RPC over UDP)
		probetest.Hex(t, "05 00 02 03 10 00 00 00 08 00 00 00 01 00 00 00"), // frag_length < 16
	} {
		if _, err := ParseHeader(b); err == nil {
			t.Errorf("ParseHeader(%x) accepted", b)
		}
	}
}

func TestReadResponseReassembles(t *testing.T) {
	stream := probetest.ReadHex(t, "testdata/samba417_lookup_frags.hex")
	stub, order, err := ReadResponse(bytes.NewReader(stream), 2, maxLookupStub)
	if err != nil {
		t.Fatal(err)
	}
	if order != binary.LittleEndian {
		t.Errorf("order %v", order)
	}
	// Fragment 1: frag_length 0x10b8 (24-byte header), fragment 2: 0x0994.
	if want := 0x10b8 - 24 + 0x0994 - 24; len(stub) != want {
		t.Errorf("stub %d bytes, want %d", len(stub), want)
	}
	r, err := ParseLookupResponse(stub, order)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Entries) != 53 || r.Status != 0 || r.Handle == (Handle{}) {
		t.Errorf("%d entries, status %#x, handle %x", len(r.Entries), r.Status, r.Handle)
	}
}

func TestReadResponseErrors(t *testing.T) {
	frags := probetest.ReadHex(t, "testdata/samba417_lookup_frags.hex")
	first := frags[:0x10b8]
	tests := []struct {
		name   string
		stream []byte
		callID uint32
		max    int
	}{
		{"wrong call", frags, 9, maxLookupStub},
		{"too big", frags, 2, 1000},
		{"cut after first fragment", first, 2, maxLookupStub},
		{"first fragment twice", append(append([]byte{}, first...), first...), 2, maxLookupStub},
		{"bind_ack instead", probetest.ReadHex(t, "testdata/samba417_bind_ack.hex"), 1, maxLookupStub},
		{"middle fragment first", frags[0x10b8:], 2, maxLookupStub},
	}
	for _, tc := range tests {
		if _, _, err := ReadResponse(bytes.NewReader(tc.stream), tc.callID, tc.max); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
	// Fragments without stub data and never the last one: bounded.
	empty := probetest.Hex(t, "05 00 02 00 10 00 00 00 18 00 00 00 02 00 00 00 00 00 00 00 00 00 00 00")
	first0 := probetest.Hex(t, "05 00 02 01 10 00 00 00 18 00 00 00 02 00 00 00 00 00 00 00 00 00 00 00")
	endless := io.MultiReader(bytes.NewReader(first0), &repeatReader{b: empty})
	if _, _, err := ReadResponse(endless, 2, maxLookupStub); err == nil {
		t.Error("endless empty fragments: no error")
	}
}

// repeatReader yields b forever.
type repeatReader struct {
	b   []byte
	off int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c := copy(p[n:], r.b[r.off:])
		n += c
		r.off = (r.off + c) % len(r.b)
	}
	return n, nil
}

func TestSplitPDUAuthTrailer(t *testing.T) {
	// A response with an 8-byte sec_trailer (auth_pad_length 4) and a
	// 16-byte auth_value (C706 12.6.3.1, [MS-RPCE] 2.2.2.11): the stub
	// is the 4 bytes before the padding.
	b := probetest.Hex(t, `05 00 02 03 10 00 00 00 38 00 10 00 05 00 00 00
		04 00 00 00 00 00 00 00
		aa bb cc dd 00 00 00 00
		0a 06 04 00 00 00 00 00
		11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11`)
	r, err := ParseResponse(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(r.Stub, []byte{0xaa, 0xbb, 0xcc, 0xdd}) {
		t.Errorf("stub %x", r.Stub)
	}
}

package dcerpc

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/winreach/winreach/probes/probetest"
)

func seedPDUs(f *testing.F) {
	for _, name := range []string{
		"samba417_bind_ack.hex", "samba417_fault.hex", "samba417_lookup_page4.hex",
		"samba417_lookup_end.hex", "samba417_lookup_frags.hex",
	} {
		f.Add(probetest.ReadHex(f, "testdata/"+name))
	}
	f.Add(probetest.Hex(f, "05 00 0d 03 10 00 00 00 15 00 00 00 01 00 00 00 04 00 01 05 00"))
}

func FuzzParsePDU(f *testing.F) {
	seedPDUs(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		ParseHeader(b)
		ParseBindAck(b)
		ParseBindNak(b)
		ParseFault(b)
		if r, err := ParseResponse(b); err == nil {
			ParseLookupResponse(r.Stub, r.Header.Order())
		}
	})
}

func FuzzReadResponse(f *testing.F) {
	seedPDUs(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		stub, _, err := ReadResponse(bytes.NewReader(b), 2, 1<<16)
		if err == nil && len(stub) > 1<<16 {
			t.Fatalf("stub of %d bytes past the bound", len(stub))
		}
	})
}

func FuzzParseLookupResponse(f *testing.F) {
	for _, name := range []string{"samba417_lookup_page4.hex", "samba417_lookup_end.hex"} {
		f.Add(probetest.ReadHex(f, "testdata/"+name)[24:])
	}
	stub, _, err := ReadResponse(bytes.NewReader(probetest.ReadHex(f, "testdata/samba417_lookup_frags.hex")), 2, maxLookupStub)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(stub)
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseLookupResponse(b, binary.LittleEndian)
		if err != nil {
			return
		}
		for _, e := range r.Entries {
			if floors, err := ParseTower(e.Tower); err == nil {
				EndpointFromFloors(floors)
			}
		}
	})
}

func FuzzParseTower(f *testing.F) {
	stub, _, err := ReadResponse(bytes.NewReader(probetest.ReadHex(f, "testdata/samba417_lookup_frags.hex")), 2, maxLookupStub)
	if err != nil {
		f.Fatal(err)
	}
	r, err := ParseLookupResponse(stub, binary.LittleEndian)
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range r.Entries {
		f.Add(e.Tower)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		floors, err := ParseTower(b)
		if err != nil {
			return
		}
		e := EndpointFromFloors(floors)
		_ = e.Protocol
	})
}

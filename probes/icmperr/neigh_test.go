package icmperr

import (
	"encoding/binary"
	"net/netip"
	"testing"
)

// neighMsg builds one RTM_NEWNEIGH message as the kernel lays it out
// (linux/neighbour.h struct ndmsg + NDA_DST rtattr), in host byte order.
func neighMsg(addr netip.Addr, state uint16) []byte {
	a := addr.AsSlice()
	attrLen := 4 + len(a)
	msgLen := nlMsgHdrLen + ndMsgLen + align4(attrLen)
	b := make([]byte, msgLen)
	binary.NativeEndian.PutUint32(b[0:], uint32(msgLen))
	binary.NativeEndian.PutUint16(b[4:], rtmNewNeigh)
	body := b[nlMsgHdrLen:]
	body[0] = 2 // AF_INET
	binary.NativeEndian.PutUint16(body[8:], state)
	attr := body[ndMsgLen:]
	binary.NativeEndian.PutUint16(attr[0:], uint16(attrLen))
	binary.NativeEndian.PutUint16(attr[2:], ndaDst)
	copy(attr[4:], a)
	return b
}

func done() []byte {
	b := make([]byte, nlMsgHdrLen+4)
	binary.NativeEndian.PutUint32(b[0:], uint32(len(b)))
	binary.NativeEndian.PutUint16(b[4:], nlmsgDone)
	return b
}

func TestParseNeighbors(t *testing.T) {
	const nudReachable, nudStale = 0x02, 0x04
	dead, alive, gone := netip.MustParseAddr("198.18.1.99"), netip.MustParseAddr("198.18.1.60"), netip.MustParseAddr("fd77:7272:1::99")
	var dump []byte
	dump = append(dump, neighMsg(dead, nudIncomplete)...)
	dump = append(dump, neighMsg(alive, nudReachable|nudStale)...)
	dump = append(dump, neighMsg(gone, nudFailed)...)
	dump = append(dump, done()...)
	rows, err := parseNeighbors(dump)
	if err != nil || len(rows) != 3 {
		t.Fatalf("%v %+v", err, rows)
	}
	want := map[netip.Addr]bool{dead: true, alive: false, gone: true}
	for _, r := range rows {
		if r.unresolved() != want[r.addr] {
			t.Errorf("%v state %#x: unresolved %v", r.addr, r.state, r.unresolved())
		}
	}
	if _, err := parseNeighbors(dump[:20]); err == nil {
		t.Error("a truncated message was accepted")
	}
}

func FuzzParseNeighbors(f *testing.F) {
	f.Add(append(neighMsg(netip.MustParseAddr("198.18.1.99"), nudIncomplete), done()...))
	f.Add(neighMsg(netip.MustParseAddr("fd77:7272:1::99"), nudFailed))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		rows, _ := parseNeighbors(b)
		for _, r := range rows {
			if !r.addr.IsValid() {
				t.Fatal("a row without an address")
			}
		}
	})
}

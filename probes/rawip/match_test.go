package rawip

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winreach/winreach/probes"
)

// readFixture reads testdata/<name>.hex: comment lines start with '#', a
// "# from: <addr>" line names the ICMP sender, the rest is hex.
func readFixture(t testing.TB, path string) (msg []byte, from netip.Addr) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var h strings.Builder
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if a, ok := strings.CutPrefix(line, "# from:"); ok {
			from = netip.MustParseAddr(strings.TrimSpace(a))
		}
		if !strings.HasPrefix(line, "#") {
			h.WriteString(line)
		}
	}
	msg, err = hex.DecodeString(h.String())
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return msg, from
}

func fixture(t testing.TB, name string) Error {
	t.Helper()
	msg, from := readFixture(t, filepath.Join("testdata", name+".hex"))
	e, err := ParseError(msg, strings.HasPrefix(name, "icmp6"), from)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return e
}

func TestParseErrorCaptured(t *testing.T) {
	const (
		scan4 = "198.18.201.1"
		scan6 = "fd77:7272:201::1"
	)
	for _, tc := range []struct {
		name       string
		typ, code  int
		proto      int
		src, dst   string
		key        uint32
		state      probes.State
		reason     probes.Reason
		fromTarget bool
	}{
		{"icmp4-proto-unreach-gre", 3, 2, ProtoGRE, scan4, "198.18.201.2", 0x03e7, probes.Closed, probes.ReasonProtoUnreachable, true},
		{"icmp4-proto-unreach-rsvp", 3, 2, ProtoRSVP, scan4, "198.18.201.2", 0x9f5d, probes.Closed, probes.ReasonProtoUnreachable, true},
		{"icmp4-admin-prohibited-esp", 3, 13, ProtoESP, scan4, "198.18.201.4", 0xf724919e, probes.Filtered, probes.ReasonAdminProhibited, true},
		{"icmp4-host-unreach-ah", 3, 1, ProtoAH, scan4, "198.18.201.99", 0x6b8b8d18, probes.Filtered, probes.ReasonHostUnreachable, false},
		{"icmp6-param-problem-gre", 4, 1, ProtoGRE, scan6, "fd77:7272:201::2", 0x4292, probes.Closed, probes.ReasonProtoUnreachable, true},
		{"icmp6-param-problem-rsvp", 4, 1, ProtoRSVP, scan6, "fd77:7272:201::2", 0x8cbd, probes.Closed, probes.ReasonProtoUnreachable, true},
		{"icmp6-admin-prohibited-esp", 1, 1, ProtoESP, scan6, "fd77:7272:201::4", 0x68d5f51c, probes.Filtered, probes.ReasonAdminProhibited, true},
		{"icmp6-addr-unreach-ah", 1, 3, ProtoAH, scan6, "fd77:7272:201::99", 0x981faed9, probes.Filtered, probes.ReasonHostUnreachable, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := fixture(t, tc.name)
			q := e.Quote
			if e.Type != tc.typ || e.Code != tc.code || q.Protocol != tc.proto ||
				q.Src != netip.MustParseAddr(tc.src) || q.Dst != netip.MustParseAddr(tc.dst) {
				t.Fatalf("got %d/%d proto %d %v > %v", e.Type, e.Code, q.Protocol, q.Src, q.Dst)
			}
			if key, ok := q.Key(); !ok || key != tc.key {
				t.Errorf("key %#x %v, want %#x", key, ok, tc.key)
			}
			r := judgeICMP(e, q.Dst)
			if r.State != tc.state || r.Reason != tc.reason || r.ICMP == nil || r.ICMP.From != e.From {
				t.Errorf("judged %v %v %+v, want %v %v", r.State, r.Reason, r.ICMP, tc.state, tc.reason)
			}
			if (e.From == q.Dst) != tc.fromTarget {
				t.Errorf("from %v, target %v", e.From, q.Dst)
			}
		})
	}
}

func TestParseErrorRejects(t *testing.T) {
	echo := []byte{8, 0, 0xf7, 0xff, 0, 0, 0, 0} // ICMP echo request, RFC 792
	if _, err := ParseError(echo, false, netip.Addr{}); err == nil {
		t.Error("echo request parsed as an error")
	}
	msg, from := readFixture(t, "testdata/icmp4-proto-unreach-gre.hex")
	for n := range len(msg) {
		// Every truncation either fails or yields a quote no longer than the input.
		if e, err := ParseError(msg[:n], false, from); err == nil && len(e.Quote.Payload) > n {
			t.Errorf("%d bytes: payload %d", n, len(e.Quote.Payload))
		}
	}
}

func TestParseQuote6ExtensionHeaders(t *testing.T) {
	// RFC 8200 4.6: a destination options header (next header 47, length
	// 0 = 8 bytes, a PadN option) between the IPv6 header and GRE.
	hdr := make([]byte, 40)
	hdr[0], hdr[6] = 0x60, 60
	opts := []byte{47, 0, 1, 4, 0, 0, 0, 0}
	q, err := ParseQuote6(append(append(hdr, opts...), AppendGRE(nil, 0x1234, 0)...))
	if err != nil || q.Protocol != ProtoGRE {
		t.Fatalf("got %+v, %v", q, err)
	}
	if k, _ := q.Key(); k != 0x1234 {
		t.Errorf("key %#x", k)
	}
}

func TestJudgeICMP(t *testing.T) {
	target := netip.MustParseAddr("198.18.1.40")
	router := netip.MustParseAddr("198.18.1.61")
	for _, tc := range []struct {
		v6        bool
		typ, code int
		from      netip.Addr
		state     probes.State
		reason    probes.Reason
	}{
		{false, 3, 2, target, probes.Closed, probes.ReasonProtoUnreachable},
		{false, 3, 2, router, probes.Filtered, probes.ReasonProtoUnreachable},
		{false, 3, 3, target, probes.Open, probes.ReasonPortUnreachable},
		{false, 3, 3, router, probes.Filtered, probes.ReasonPortUnreachable},
		{false, 3, 0, router, probes.Filtered, probes.ReasonNetUnreachable},
		{false, 3, 1, router, probes.Filtered, probes.ReasonHostUnreachable},
		{false, 3, 9, router, probes.Filtered, probes.ReasonAdminProhibited},
		{false, 3, 10, router, probes.Filtered, probes.ReasonAdminProhibited},
		{false, 3, 13, router, probes.Filtered, probes.ReasonAdminProhibited},
		{false, 11, 0, router, probes.Filtered, probes.ReasonTimeExceeded},
		{false, 12, 0, target, probes.Filtered, probes.ReasonUnexpectedReply},
		{true, 4, 1, target, probes.Closed, probes.ReasonProtoUnreachable},
		{true, 1, 4, target, probes.Open, probes.ReasonPortUnreachable},
		{true, 1, 1, router, probes.Filtered, probes.ReasonAdminProhibited},
		{true, 1, 3, router, probes.Filtered, probes.ReasonHostUnreachable},
		{true, 1, 0, router, probes.Filtered, probes.ReasonNetUnreachable},
		{true, 3, 0, router, probes.Filtered, probes.ReasonTimeExceeded},
	} {
		r := judgeICMP(Error{V6: tc.v6, Type: tc.typ, Code: tc.code, From: tc.from}, target)
		if r.State != tc.state || r.Reason != tc.reason {
			t.Errorf("v6=%v %d/%d from %v: %v %v, want %v %v", tc.v6, tc.typ, tc.code, tc.from, r.State, r.Reason, tc.state, tc.reason)
		}
		if tc.from == router && !strings.Contains(r.Note, router.String()) {
			t.Errorf("%d/%d from the router: note %q does not name it", tc.typ, tc.code, r.Note)
		}
	}
}

func FuzzParseError(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.hex")
	for _, path := range files {
		msg, _ := readFixture(f, path)
		f.Add(msg, strings.Contains(path, "icmp6"))
	}
	f.Fuzz(func(t *testing.T, b []byte, v6 bool) {
		e, err := ParseError(b, v6, netip.Addr{})
		if err != nil {
			return
		}
		if len(e.Quote.Payload) > len(b) {
			t.Fatalf("payload longer than the message")
		}
		if !bytes.Contains(b, e.Quote.Payload) {
			t.Fatalf("payload not from the message")
		}
		_, _ = e.Quote.Key()
	})
}

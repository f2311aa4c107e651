package nmf

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/probetest"
)

// preambleDC1 is the duplex preamble of [MC-NMF] 2.2.6, in the layout of
// its section 4 example, written here for the Via
// net.tcp://dc1.lab.test:9389/ActiveDirectoryWebServices/Windows/Enumeration
// (74 octets): Version 1.0, Mode duplex, Via, Known Encoding 0x08,
// Preamble End.
const preambleDC1 = `00 01 00  01 02  02 4a
	6e65742e7463703a2f2f6463312e6c61622e746573743a393338392f
	4163746976654469726563746f727957656253657276696365732f
	57696e646f77732f456e756d65726174696f6e
	03 08  0c`

// faultUpgradeInvalid is a Fault Record ([MC-NMF] 2.2.3.6) carrying the
// framing fault .../framing/faults/UpgradeInvalid (69 octets, 3.1.5): what
// an endpoint that requires a security upgrade answers a preamble
// without one with.
const faultUpgradeInvalid = `08 45
	687474703a2f2f736368656d61732e6d6963726f736f66742e636f6d2f77732f
	323030362f30352f6672616d696e672f6661756c74732f55706772616465496e
	76616c6964`

func TestSizeEncoding(t *testing.T) {
	// The record size examples of [MC-NMF] 2.2.2.
	for _, tc := range []struct {
		n   int
		hex string
	}{
		{0, "00"}, {1, "01"}, {127, "7f"}, {128, "80 01"}, {16383, "ff 7f"}, {16384, "80 80 01"},
		{2097151, "ff ff 7f"}, {2097152, "80 80 80 01"}, {268435455, "ff ff ff 7f"}, {268435456, "80 80 80 80 01"},
	} {
		want := probetest.Hex(t, tc.hex)
		if got := AppendSize(nil, tc.n); !bytes.Equal(got, want) {
			t.Errorf("%d: %x, want %x", tc.n, got, want)
		}
		if n, err := ReadSize(bytes.NewReader(want)); err != nil || n != tc.n {
			t.Errorf("%x: %d %v", want, n, err)
		}
	}
	for _, bad := range []string{"80 80 80 80 80 01", "ff ff ff ff 7f", "80"} {
		if n, err := ReadSize(bytes.NewReader(probetest.Hex(t, bad))); err == nil {
			t.Errorf("%s read as %d", bad, n)
		}
	}
}

func TestPreamble(t *testing.T) {
	target := probes.Target{Addr: netip.MustParseAddr("198.18.1.10"), Port: 9389, Name: "dc1.lab.test"}
	via := Preamble{}.Via(target)
	if got, want := AppendPreamble(nil, via), probetest.Hex(t, preambleDC1); !bytes.Equal(got, want) {
		t.Fatalf("preamble\n got %x\nwant %x", got, want)
	}
	target.Name = ""
	target.Addr = netip.MustParseAddr("fd77:7272:1::10")
	if via := (Preamble{Path: "/x"}).Via(target); via != "net.tcp://[fd77:7272:1::10]:9389/x" {
		t.Fatalf("via %q", via)
	}
}

func TestParseAnswer(t *testing.T) {
	a, err := ParseAnswer([]byte{RecPreambleAck})
	if err != nil || a.Record != RecPreambleAck {
		t.Fatalf("%+v %v", a, err)
	}
	a, err = ParseAnswer(probetest.Hex(t, faultUpgradeInvalid))
	if err != nil || a.Record != RecFault || FaultName(a.Fault) != "UpgradeInvalid" {
		t.Fatalf("%+v %v", a, err)
	}
	if svc := ServiceOf("v", a); svc.Summary != ".NET Message Framing fault UpgradeInvalid" {
		t.Fatalf("summary %q", svc.Summary)
	}
	for name, b := range map[string][]byte{
		"empty":       nil,
		"http":        []byte("HTTP/1.1 400"),
		"truncated":   probetest.Hex(t, faultUpgradeInvalid)[:20],
		"zero fault":  {RecFault, 0},
		"huge fault":  {RecFault, 0xff, 0xff, 0x01},
		"bad utf8":    {RecFault, 2, 0xff, 0xfe},
		"trailing":    {RecPreambleAck, 0},
		"version rec": probetest.Hex(t, preambleDC1),
	} {
		if a, err := ParseAnswer(b); err == nil {
			t.Errorf("%s: accepted %+v", name, a)
		}
	}
}

// nmfServer reads a whole preamble (up to Preamble End), then writes
// answer.
func nmfServer(answer []byte) func(net.Conn) {
	return func(c net.Conn) {
		r := bufio.NewReader(c)
		for {
			b, err := r.ReadByte()
			if err != nil {
				return
			}
			if b == RecVia {
				n, err := ReadSize(r)
				if err != nil {
					return
				}
				if _, err := io.CopyN(io.Discard, r, int64(n)); err != nil {
					return
				}
			}
			if b == RecPreambleEnd {
				break
			}
		}
		c.Write(answer)
		io.Copy(io.Discard, r)
	}
}

func TestPreambleLoopback(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler func(net.Conn)
		state   probes.State
		reason  probes.Reason
		summary string
	}{
		{"ack", nmfServer([]byte{RecPreambleAck}), probes.Confirmed, probes.ReasonReply, ".NET Message Framing: preamble acknowledged"},
		{"fault", nmfServer(probetest.Hex(t, faultUpgradeInvalid)), probes.Confirmed, probes.ReasonReply, ".NET Message Framing fault UpgradeInvalid"},
		{"http", nmfServer([]byte("HTTP/1.1 400 Bad Request\r\n\r\n")), probes.Open, probes.ReasonUnexpectedReply, ""},
		{"garbage", probetest.Garbage(64), probes.Open, probes.ReasonUnexpectedReply, ""},
		{"close", probetest.CloseAtOnce, probes.Open, probes.ReasonClosedEarly, ""},
		{"silent", probetest.Silent, probes.Open, probes.ReasonSynAck, ""},
		{"endless", probetest.EndlessStream, probes.Open, probes.ReasonUnexpectedReply, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := probetest.ProbeTCP(t, Preamble{}, probetest.Serve(t, tc.handler), 500*time.Millisecond)
			if r.State == probes.Closed && tc.name == "close" {
				return // the close can beat the connect check on loopback
			}
			if r.State != tc.state || r.Reason != tc.reason {
				t.Fatalf("got %v (note %q), want %v %v", r, r.Note, tc.state, tc.reason)
			}
			if tc.summary != "" && r.Service.Summary != tc.summary {
				t.Fatalf("summary %q", r.Service.Summary)
			}
		})
	}
}

func FuzzParseAnswer(f *testing.F) {
	f.Add([]byte{RecPreambleAck})
	f.Add(probetest.Hex(f, faultUpgradeInvalid))
	f.Add(probetest.Hex(f, preambleDC1))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := ParseAnswer(b)
		if err != nil {
			return
		}
		if a.Record != RecPreambleAck && a.Record != RecFault && a.Record != RecUpgradeResponse {
			t.Fatalf("accepted record %#x", a.Record)
		}
		_ = ServiceOf("v", a)
		_, _ = ReadSize(bytes.NewReader(b))
	})
}

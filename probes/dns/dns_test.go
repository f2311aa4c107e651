package dns

import (
	"bytes"
	"errors"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/probetest"
)

func TestAppendQuery(t *testing.T) {
	// RFC 1035 4.1.1/4.1.2: ID, flags 0 (no RD), QDCOUNT 1, the root name
	// (one zero byte), QTYPE NS (2), QCLASS IN (1): 17 bytes. Samba 4.17
	// answered these bytes with testdata/rootns_samba_ad.hex.
	want := probetest.Hex(t, "4242 0000 0001 0000 0000 0000 00 0002 0001")
	if got := AppendQuery(nil, 0x4242, ".", TypeNS, ClassIN); !bytes.Equal(got, want) {
		t.Errorf("got %x, want %x", got, want)
	}
	// RFC 1035 3.1: labels as length and bytes, ending in the root.
	want = probetest.Hex(t, "4444 0000 0001 0000 0000 0000 036c6162 0474657374 00 0002 0001")
	if got := AppendQuery(nil, 0x4444, "lab.test.", TypeNS, ClassIN); !bytes.Equal(got, want) {
		t.Errorf("got %x, want %x", got, want)
	}
}

func TestParseReplySamba(t *testing.T) {
	r, err := ParseReply(probetest.ReadHex(t, "testdata/rootns_samba_ad.hex"))
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != 0x4242 || r.RCode != 1 || r.Question == nil || r.Question.Name != "." || r.Question.Type != TypeNS {
		t.Errorf("%+v %+v", r, r.Question)
	}
	if s := detailsOf(r).Summary(); s != "DNS FORMERR" {
		t.Errorf("summary %q", s)
	}
	r, err = ParseReply(probetest.ReadHex(t, "testdata/labns_samba_ad.hex"))
	if err != nil {
		t.Fatal(err)
	}
	if !r.Authoritative || r.ANCount != 1 || !slices.Equal(r.NS, []string{"dc1.lab.test."}) {
		t.Errorf("%+v", r)
	}
	if s := detailsOf(r).Summary(); s != "DNS NOERROR, 1 answer, authoritative, recursion" {
		t.Errorf("summary %q", s)
	}
}

func TestParseReplyRejects(t *testing.T) {
	for name, b := range map[string][]byte{
		"empty":   nil,
		"short":   probetest.Hex(t, "4242 8001 0000"),
		"query":   AppendQuery(nil, 1, ".", TypeNS, ClassIN),
		"garbage": []byte("\x00\x00"),
	} {
		if _, err := ParseReply(b); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// A pointer loop ends in an error, not a hang.
	loop := probetest.Hex(t, "4242 8000 0001 0000 0000 0000 c00c 0002 0001")
	if r, err := ParseReply(loop); err != nil || r.Question != nil {
		t.Errorf("loop: %+v %v", r, err)
	}
}

func TestQueryDatagram(t *testing.T) {
	q := Query{Seed: 7}
	req0, req1 := q.Request(probes.Target{}, 0), q.Request(probes.Target{}, 1)
	if bytes.Equal(req0[:2], req1[:2]) || !bytes.Equal(req0, q.Request(probes.Target{}, 0)) {
		t.Errorf("ids %x %x", req0[:2], req1[:2])
	}
	reply := probetest.ReadHex(t, "testdata/rootns_samba_ad.hex")
	copy(reply, req0[:2])
	if svc, err := q.Parse(req0, reply); err != nil || svc.Protocol != "dns" {
		t.Fatalf("%v %v", svc, err)
	}
	if _, err := q.Parse(req1, reply); !errors.Is(err, probes.ErrNotForUs) {
		t.Errorf("other id: %v", err)
	}
	// The right ID but another question: not our answer.
	other := probetest.ReadHex(t, "testdata/labns_samba_ad.hex")
	copy(other, req0[:2])
	if _, err := q.Parse(req0, other); err == nil || errors.Is(err, probes.ErrNotForUs) {
		t.Errorf("other question: %v", err)
	}
}

func FuzzParseReply(f *testing.F) {
	for _, b := range probetest.Captures(f, "testdata/*.hex") {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, err := ParseReply(b); err == nil {
			_ = detailsOf(r).Summary()
		}
	})
}

func TestQueryUDPLoopback(t *testing.T) {
	samba := probetest.ReadHex(t, "testdata/rootns_samba_ad.hex")
	cases := map[string]struct {
		reply func(req []byte) []byte
		want  probes.State
	}{
		"samba formerr": {func(req []byte) []byte {
			out := slices.Clone(samba)
			copy(out, req[:2])
			return out
		}, probes.Confirmed},
		"wrong id": {func([]byte) []byte { return samba }, probes.OpenFiltered},
		"garbage":  {func([]byte) []byte { return probetest.GarbageBytes(40) }, probes.Open},
		"echo":     {func(req []byte) []byte { return req }, probes.Open},
		"silence":  {func([]byte) []byte { return nil }, probes.OpenFiltered},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ap := probetest.UDPServe(t, c.reply)
			r := probetest.ProbeUDP(t, Query{}, ap, 300*time.Millisecond, 1)
			if r.State != c.want {
				t.Fatalf("got %v (%s), want %v", r, r.Note, c.want)
			}
		})
	}
}

func TestQueryTCPLoopback(t *testing.T) {
	samba := probetest.ReadHex(t, "testdata/rootns_tcp_samba_ad.hex")
	answer := func(c net.Conn) {
		req := make([]byte, 19)
		if _, err := c.Read(req); err != nil {
			return
		}
		out := slices.Clone(samba)
		copy(out[2:], req[2:4])
		c.Write(out)
	}
	cases := map[string]struct {
		serve func(net.Conn)
		want  probes.State
	}{
		"samba":               {answer, probes.Confirmed},
		"wrong id":            {probetest.Reply(samba), probes.Open},
		"garbage":             {probetest.Garbage(100), probes.Open},
		"endless stream":      {probetest.EndlessStream, probes.Open},
		"one byte per second": {probetest.Trickle(time.Second), probes.Open},
		"close at once":       {probetest.CloseAtOnce, probes.Open},
		"reset at once":       {probetest.ResetAtOnce, probes.Open},
		"silent":              {probetest.Silent, probes.Open},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ap := probetest.Serve(t, c.serve)
			r := probetest.ProbeTCP(t, QueryTCP{}, ap, 2*time.Second)
			// A RST right after accept may reach the dialer before connect
			// returns on loopback: closed is as clean an answer as open.
			if r.State != c.want && (name != "reset at once" || r.State != probes.Closed) {
				t.Fatalf("got %v (%s), want %v", r, r.Note, c.want)
			}
		})
	}
}

package ntp

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/probetest"
)

func TestAppendRequest(t *testing.T) {
	// The request chronyd answered in testdata (transmit bits chosen at
	// random then): the encoder must give the same 48 octets.
	want := probetest.ReadHex(t, "testdata/chrony43_stratum8_request.hex")
	got := AppendRequest(nil, 0xc10375b7d5417a89)
	if string(got) != string(want) {
		t.Fatalf("request\n got %x\nwant %x", got, want)
	}
}

func TestParseChronyStratum8(t *testing.T) {
	p, err := ParseResponse(probetest.ReadHex(t, "testdata/chrony43_stratum8.hex"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Leap != LeapNone || p.Version != 4 || p.Mode != ModeServer || p.Stratum != 8 || p.Poll != 0 || p.Precision != -25 {
		t.Fatalf("header %+v", p)
	}
	if p.RootDelay != 0 || p.RootDispersion != 0 {
		t.Fatalf("root delay %v dispersion %v", p.RootDelay, p.RootDispersion)
	}
	if got := p.ReferenceText(); got != "127.127.1.1" {
		t.Fatalf("reference %q", got)
	}
	if p.Origin != 0xc10375b7d5417a89 {
		t.Fatalf("origin %x", uint64(p.Origin))
	}
	// 0xeec02e46 seconds since 1900 is 2026-12-06 18:56:06 UTC; the
	// fraction 0x95916706 is 0.584249915 s.
	want := time.Date(2026, 12, 6, 18, 56, 6, 584249915, time.UTC)
	if got := p.Transmit.Time(); !got.Equal(want) {
		t.Fatalf("transmit %v, want %v", got, want)
	}
	if p.KissCode() != "" || !p.Synchronized() {
		t.Fatalf("kiss %q synchronized %v", p.KissCode(), p.Synchronized())
	}
	svc, err := Query{}.Parse(probetest.ReadHex(t, "testdata/chrony43_stratum8_request.hex"), probetest.ReadHex(t, "testdata/chrony43_stratum8.hex"))
	if err != nil {
		t.Fatal(err)
	}
	if svc.Summary != "NTP v4 server stratum 8, reference 127.127.1.1" {
		t.Fatalf("summary %q", svc.Summary)
	}
	if d := svc.Details.(Details); !d.ServerTime.Equal(want) || d.Leap != "none" {
		t.Fatalf("details %+v", d)
	}
}

func TestParseChronyUnsynced(t *testing.T) {
	req := probetest.ReadHex(t, "testdata/chrony43_unsynced_request.hex")
	svc, err := Query{}.Parse(req, probetest.ReadHex(t, "testdata/chrony43_unsynced.hex"))
	if err != nil {
		t.Fatal(err)
	}
	d := svc.Details.(Details)
	if d.Synchronized || d.Leap != "unsynchronized" || d.Stratum != 0 || d.KissCode != "" || d.Reference != "" {
		t.Fatalf("details %+v", d)
	}
	if d.RootDelayMS != 1000 || d.RootDispersionMS != 1000 || !d.ReferenceTime.IsZero() {
		t.Fatalf("root delay %v dispersion %v reference time %v", d.RootDelayMS, d.RootDispersionMS, d.ReferenceTime)
	}
	if svc.Summary != "NTP v4 server, unsynchronized (leap 3, stratum 0)" {
		t.Fatalf("summary %q", svc.Summary)
	}
}

// kissRate is the chrony stratum 8 reply turned into a Kiss-o'-Death as
// RFC 5905 7.4 defines it (written here: chrony 4.3 sends none): LI 3,
// stratum 0, refid "RATE" (52 41 54 45), origin still echoed.
const kissRate = `e40000e7 00000000 00000000 52415445
	0000000000000000 c10375b7d5417a89 eec02e4695887473 eec02e4695916706`

// stratum1Local is a stratum 1 reply whose refid names its source in
// ASCII (RFC 5905 7.3, Figure 12): "LOCL", what W32Time sends when it
// serves its own clock. Written here from the chrony reply's layout.
const stratum1Local = `1c0106ec 00000000 00000a3d 4c4f434c
	eec02e457be826ec c10375b7d5417a89 eec02e4695887473 eec02e4695916706`

func TestParseKissAndStratum1(t *testing.T) {
	req := probetest.ReadHex(t, "testdata/chrony43_stratum8_request.hex")
	svc, err := Query{}.Parse(req, probetest.Hex(t, kissRate))
	if err != nil {
		t.Fatal(err)
	}
	if d := svc.Details.(Details); d.KissCode != "RATE" || d.Reference != "" || svc.Summary != "NTP v4 Kiss-o'-Death RATE" {
		t.Fatalf("kiss: %q %+v", svc.Summary, d)
	}
	// INIT (RFC 5905 7.4, Figure 13) is news, not a refusal.
	initCode := probetest.Hex(t, kissRate)
	copy(initCode[12:16], "INIT")
	svc, err = Query{}.Parse(req, initCode)
	if err != nil || svc.Summary != "NTP v4 server, unsynchronized (kiss code INIT)" {
		t.Fatalf("INIT: %v %+v", err, svc)
	}
	svc, err = Query{}.Parse(req, probetest.Hex(t, stratum1Local))
	if err != nil {
		t.Fatal(err)
	}
	d := svc.Details.(Details)
	if d.Version != 3 || d.Stratum != 1 || d.Reference != "LOCL" || d.Poll != 6 || d.Precision != -20 || !d.Synchronized {
		t.Fatalf("stratum 1: %+v", d)
	}
	// 0x0a3d / 65536 s = 2621 / 65536 s = 39.993 ms.
	if d.RootDispersionMS != 39.993 {
		t.Fatalf("root dispersion %v", d.RootDispersionMS)
	}
}

func TestParseRejects(t *testing.T) {
	req := probetest.ReadHex(t, "testdata/chrony43_stratum8_request.hex")
	rsp := probetest.ReadHex(t, "testdata/chrony43_stratum8.hex")
	if _, err := (Query{}).Parse(req, req); !errors.Is(err, ErrNotServerReply) {
		t.Fatalf("reflected request: %v", err)
	}
	if _, err := (Query{}).Parse(req, rsp[:47]); err == nil {
		t.Fatal("short packet accepted")
	}
	other := AppendRequest(nil, 0x0102030405060708)
	if _, err := (Query{}).Parse(other, rsp); !errors.Is(err, probes.ErrNotForUs) {
		t.Fatalf("origin mismatch: %v", err)
	}
	bad := append([]byte(nil), rsp...)
	bad[0] = 0x04 // version 0
	if _, err := ParseResponse(bad); err == nil {
		t.Fatal("version 0 accepted")
	}
	// Extension fields or a MAC after the header are ignored (RFC 5905 7.5).
	if _, err := (Query{}).Parse(req, append(rsp, make([]byte, 20)...)); err != nil {
		t.Fatal(err)
	}
}

func TestTimestamp(t *testing.T) {
	for _, tm := range []time.Time{
		time.Date(2026, 12, 6, 18, 56, 6, 584249915, time.UTC),
		time.Date(1999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(2040, 2, 1, 0, 0, 0, 500000000, time.UTC), // era 1 (RFC 5905 6)
	} {
		if got := TimestampOf(tm).Time(); got.Sub(tm).Abs() > time.Nanosecond {
			t.Errorf("%v -> %v", tm, got)
		}
	}
	// 2036-02-07 06:28:16 UTC is the start of era 1: seconds field 0.
	if got := Timestamp(1 << 31).Time(); !got.Equal(time.Date(2036, 2, 7, 6, 28, 16, 500000000, time.UTC)) {
		t.Errorf("era 1 start: %v", got)
	}
	if !Timestamp(0).Time().IsZero() {
		t.Error("zero timestamp is not the zero time")
	}
}

func TestOffset(t *testing.T) {
	base := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	ms := func(n int) time.Time { return base.Add(time.Duration(n) * time.Millisecond) }
	for _, tc := range []struct {
		t1, t2, t3, t4 time.Time
		offset, delay  time.Duration
	}{
		// RFC 5905 8: offset ((T2-T1)+(T3-T4))/2, delay (T4-T1)-(T3-T2).
		{ms(0), ms(1100), ms(1200), ms(300), time.Second, 200 * time.Millisecond},
		{ms(0), ms(5), ms(6), ms(11), 0, 10 * time.Millisecond},
		// The server 7 min 12 s behind.
		{ms(0), ms(-432000 + 2), ms(-432000 + 3), ms(10), -432*time.Second - 2500*time.Microsecond, 9 * time.Millisecond},
	} {
		o, d := Offset(tc.t1, tc.t2, tc.t3, tc.t4)
		if o != tc.offset || d != tc.delay {
			t.Errorf("offset %v delay %v, want %v %v", o, d, tc.offset, tc.delay)
		}
	}
}

// chronyReply answers a request with the chrony capture, its origin set
// to the request's transmit timestamp as the daemon does.
func chronyReply(t *testing.T) func([]byte) []byte {
	rsp := probetest.ReadHex(t, "testdata/chrony43_stratum8.hex")
	return func(req []byte) []byte {
		if len(req) < PacketLen {
			return nil
		}
		out := append([]byte(nil), rsp...)
		copy(out[24:32], req[40:48])
		return out
	}
}

func TestQueryLoopback(t *testing.T) {
	for _, tc := range []struct {
		name  string
		reply func([]byte) []byte
		state probes.State
	}{
		{"chrony", chronyReply(t), probes.Confirmed},
		{"echo", func(b []byte) []byte { return b }, probes.Open},
		{"garbage", func([]byte) []byte { return probetest.GarbageBytes(48) }, probes.Open},
		{"wrong origin", func([]byte) []byte { return probetest.ReadHex(t, "testdata/chrony43_stratum8.hex") }, probes.OpenFiltered},
		{"silent", nil, probes.OpenFiltered},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := probetest.ProbeUDP(t, Query{}, probetest.UDPServe(t, tc.reply), 300*time.Millisecond, 1)
			if r.State != tc.state {
				t.Fatalf("state %v (%v %q)", r.State, r, r.Note)
			}
			if tc.state == probes.Confirmed && r.Service.Protocol != "ntp" {
				t.Fatalf("service %+v", r.Service)
			}
		})
	}
	if r := probetest.ProbeUDP(t, Query{}, netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), probetest.FreeUDPPort(t)), 300*time.Millisecond, 0); r.State != probes.Closed {
		t.Fatalf("closed port: %v", r)
	}
}

// skewedServer answers as a stratum 2 server whose clock reads T2 and T3
// at fixed times, so the measured offset is exact.
func skewedServer(t *testing.T, t2, t3 time.Time, kiss string) netip.AddrPort {
	return probetest.UDPServe(t, func(req []byte) []byte {
		if len(req) < PacketLen {
			return nil
		}
		b := make([]byte, PacketLen)
		b[0], b[1], b[2], b[3] = 0x24, 2, 6, 0xe9
		copy(b[12:], []byte{198, 18, 0, 1})
		if kiss != "" {
			b[0], b[1] = 0xe4, 0
			copy(b[12:], kiss)
		}
		copy(b[24:], req[40:48])
		binary.BigEndian.PutUint64(b[32:], uint64(TimestampOf(t2)))
		binary.BigEndian.PutUint64(b[40:], uint64(TimestampOf(t3)))
		return b
	})
}

// fakeClock returns each time in turn.
func fakeClock(times ...time.Time) func() time.Time {
	return func() time.Time {
		tm := times[0]
		if len(times) > 1 {
			times = times[1:]
		}
		return tm
	}
}

func TestClockMeasure(t *testing.T) {
	base := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	behind := 7*time.Minute + 12*time.Second
	t2, t3 := base.Add(-behind+2*time.Millisecond), base.Add(-behind+3*time.Millisecond)
	addr := skewedServer(t, t2, t3, "")
	c := Clock{Dialer: &net.Dialer{}, Timeout: 2 * time.Second, Now: fakeClock(base, base.Add(10*time.Millisecond))}
	m, err := c.Measure(t.Context(), addr)
	if err != nil {
		t.Fatal(err)
	}
	if want := -behind - 2500*time.Microsecond; m.Offset != want || m.Delay != 9*time.Millisecond {
		t.Fatalf("offset %v delay %v, want %v 9ms", m.Offset, m.Delay, want)
	}
	if m.Stratum != 2 || m.Reference != "198.18.0.1" || !m.Sent.Equal(base) {
		t.Fatalf("measurement %+v", m)
	}

	_, err = Clock{Timeout: time.Second}.Measure(t.Context(), skewedServer(t, t2, t3, "DENY"))
	if !errors.Is(err, ErrKissOfDeath) || err.Error() != "ntp: Kiss-o'-Death DENY" {
		t.Fatalf("kiss: %v", err)
	}
	_, err = Clock{Timeout: time.Second}.Measure(t.Context(), skewedServer(t, t2, t3, "INIT"))
	if !errors.Is(err, ErrUnsynchronized) {
		t.Fatalf("INIT: %v", err)
	}
	_, err = Clock{Timeout: 200 * time.Millisecond}.Measure(t.Context(), probetest.UDPServe(t, nil))
	if err == nil {
		t.Fatal("silence measured")
	}
}

func FuzzParseResponse(f *testing.F) {
	for _, b := range probetest.Captures(f, "testdata/*.hex") {
		f.Add(b)
	}
	f.Add(probetest.Hex(f, kissRate))
	f.Add(probetest.Hex(f, stratum1Local))
	req := AppendRequest(nil, 0xc10375b7d5417a89)
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParseResponse(b)
		if err == nil && (p.Mode != ModeServer || len(b) < PacketLen) {
			t.Fatalf("accepted mode %d, %d octets", p.Mode, len(b))
		}
		svc, err := Query{}.Parse(req, b)
		if err == nil && svc == nil {
			t.Fatal("nil service without error")
		}
		_ = p.ReferenceText()
	})
}

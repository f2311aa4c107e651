package rdpudp

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/probetest"
)

// Fixtures written here from [MS-RDPEUDP] 2.2.2.1, 2.2.2.5, 2.2.2.9,
// 3.1.5.1.1 and 3.1.5.1.3, in the layout of the SYN and SYN+ACK examples
// of its section 4. Every field is big-endian; the datagrams are padded
// with zeros to 1232 octets (padTo).

// synV2: snSourceAck -1, window 64, uFlags SYN|SYNEX (0x1001),
// snInitialSequenceNumber 0x3a1b2c4d, MTUs 1232/1232, SYNEX flags
// VERSION_INFO_VALID and uUdpVer 2.
const synV2 = `ffffffff 0040 1001  3a1b2c4d 04d0 04d0  0001 0002`

// synAckV2: the server's answer: snSourceAck 0x3a1b2c4d (our initial
// sequence number), window 64, uFlags SYN|ACK|SYNEX (0x1005), its own
// initial sequence number 0x7e0f1a2b, MTUs 1232/1232, version 2.
const synAckV2 = `3a1b2c4d 0040 1005  7e0f1a2b 04d0 04d0  0001 0002`

// synAckLossyV1: a server without SYNEX (version 1) that chose lossy
// mode: uFlags SYN|ACK|SYNLOSSY (0x0205), MTUs 1132/1232.
const synAckLossyV1 = `3a1b2c4d 0040 0205  00c0ffee 046c 04d0`

func padTo(t testing.TB, s string) []byte {
	b := probetest.Hex(t, s)
	return append(b, make([]byte, MaxMTU-len(b))...)
}

func TestAppendSYN(t *testing.T) {
	got := AppendSYN(nil, Syn{ReceiveWindow: 64, Flags: FlagSYNEX, InitialSequence: 0x3a1b2c4d,
		UpStreamMTU: 1232, DownStreamMTU: 1232, SynExFlags: versionInfoValid, UDPVersion: Version2})
	if want := padTo(t, synV2); !bytes.Equal(got, want) {
		t.Fatalf("SYN\n got %x\nwant %x", got[:24], want[:24])
	}
	req := SYN{}.Request(probes.Target{}, 0)
	if len(req) != MaxMTU || !bytes.Equal(req[:8], probetest.Hex(t, "ffffffff 0040 1001")) || !bytes.Equal(req[12:20], probetest.Hex(t, "04d0 04d0 0001 0002")) {
		t.Fatalf("request %x", req[:24])
	}
}

func TestParseSYNACK(t *testing.T) {
	req := padTo(t, synV2)
	svc, err := SYN{}.Parse(req, padTo(t, synAckV2))
	if err != nil {
		t.Fatal(err)
	}
	d := svc.Details.(Details)
	if svc.Summary != "RDP-UDP SYN+ACK, MTU 1232/1232, version 2" || d.Lossy || d.ReceiveWindow != 64 || len(d.Flags) != 3 {
		t.Fatalf("%q %+v", svc.Summary, d)
	}
	svc, err = SYN{}.Parse(req, probetest.Hex(t, synAckLossyV1)) // unpadded: still a SYN+ACK
	if err != nil {
		t.Fatal(err)
	}
	if d := svc.Details.(Details); svc.Summary != "RDP-UDP SYN+ACK, MTU 1132/1232, lossy" || d.UDPVersion != "" {
		t.Fatalf("%q %+v", svc.Summary, d)
	}
	// The stand-in's encoder writes the fixture.
	s, _ := ParseSYNACK(padTo(t, synAckV2))
	if got := AppendSYNACK(nil, s); !bytes.Equal(got, padTo(t, synAckV2)) {
		t.Fatalf("AppendSYNACK %x", got[:24])
	}
}

func TestParseRejects(t *testing.T) {
	req := padTo(t, synV2)
	if _, err := (SYN{}).Parse(req, req); !errors.Is(err, ErrNotSYNACK) {
		t.Fatalf("reflected SYN: %v", err)
	}
	other := padTo(t, `11111111 0040 1005  7e0f1a2b 04d0 04d0  0001 0002`)
	if _, err := (SYN{}).Parse(req, other); !errors.Is(err, probes.ErrNotForUs) {
		t.Fatalf("other ack: %v", err)
	}
	for name, s := range map[string]string{
		"short":       `3a1b2c4d 0040 1005 7e0f1a2b 04d0`,
		"mtu":         `3a1b2c4d 0040 0005 7e0f1a2b 0200 04d0`,
		"synex short": `3a1b2c4d 0040 1005 7e0f1a2b 04d0 04d0 0001`,
		"corr short":  `3a1b2c4d 0040 0805 7e0f1a2b 04d0 04d0 0001 0002`,
		"ack only":    `3a1b2c4d 0040 0004 7e0f1a2b 04d0 04d0`,
	} {
		if _, err := ParseSYNACK(probetest.Hex(t, s)); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

func TestSYNLoopback(t *testing.T) {
	server := func(req []byte) []byte {
		if len(req) != MaxMTU || !bytes.Equal(req[:4], []byte{0xff, 0xff, 0xff, 0xff}) {
			return nil
		}
		out := padTo(t, synAckV2)
		copy(out[:4], req[8:12]) // acknowledge the client's initial sequence number
		return out
	}
	for _, tc := range []struct {
		name  string
		reply func([]byte) []byte
		state probes.State
	}{
		{"rdp-udp", server, probes.Confirmed},
		{"echo", func(b []byte) []byte { return b }, probes.Open},
		{"garbage", func([]byte) []byte { return probetest.GarbageBytes(64) }, probes.Open},
		{"stale ack", func([]byte) []byte { return padTo(t, synAckV2) }, probes.OpenFiltered},
		{"silent", nil, probes.OpenFiltered},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := probetest.ProbeUDP(t, SYN{}, probetest.UDPServe(t, tc.reply), 300*time.Millisecond, 1)
			if r.State != tc.state {
				t.Fatalf("state %v (%v %q)", r.State, r, r.Note)
			}
		})
	}
	closed := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), probetest.FreeUDPPort(t))
	if r := probetest.ProbeUDP(t, SYN{}, closed, 300*time.Millisecond, 0); r.State != probes.Closed {
		t.Fatalf("closed: %v", r)
	}
}

func FuzzParseSYNACK(f *testing.F) {
	f.Add(padTo(f, synAckV2))
	f.Add(probetest.Hex(f, synAckLossyV1))
	f.Add(probetest.Hex(f, `3a1b2c4d 0040 1805 7e0f1a2b 04d0 04d0`+` 00000000000000000000000000000000 00000000000000000000000000000000 0001 0101`))
	req := padTo(f, synV2)
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseSYNACK(b)
		if err == nil && (s.Flags&FlagSYN == 0 || s.Flags&FlagACK == 0) {
			t.Fatalf("accepted flags %#x", s.Flags)
		}
		_, _ = SYN{}.Parse(req, b)
	})
}

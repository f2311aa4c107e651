package smb

import (
	"encoding/binary"
	"io"
	"net"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/probetest"
)

const testTimeout = 2 * time.Second

// readClientMessage reads one framed request and reports whether it was
// SMB1 (true) or SMB2.
func readClientMessage(c net.Conn) (smb1, ok bool) {
	var hdr [4]byte
	if _, err := io.ReadFull(c, hdr[:]); err != nil {
		return false, false
	}
	msg := make([]byte, int(hdr[1])<<16|int(hdr[2])<<8|int(hdr[3]))
	if _, err := io.ReadFull(c, msg); err != nil || len(msg) < 4 {
		return false, false
	}
	return msg[0] == 0xff, true
}

// samba answers like the captured Samba 4.17: SMB2 negotiate with 3.1.1,
// SMB1 with smb1 (nil: close the connection).
func samba(t *testing.T, smb2, smb1 []byte) func(c net.Conn) {
	return func(c net.Conn) {
		isSMB1, ok := readClientMessage(c)
		switch {
		case !ok:
		case isSMB1 && smb1 != nil:
			c.Write(smb1)
		case !isSMB1 && smb2 != nil:
			c.Write(smb2)
		}
	}
}

func TestProbeLoopback(t *testing.T) {
	smb2 := probetest.ReadHex(t, "testdata/negotiate_samba_ad_311.hex")
	smb1On, smb1Off := probetest.ReadHex(t, "testdata/smb1_samba_ad_accepted.hex"), probetest.ReadHex(t, "testdata/smb1_samba_ad_rejected.hex")
	cases := map[string]struct {
		serve    func(c net.Conn)
		want     probes.State
		summary  string
		protocol string
	}{
		"samba smb1 off":        {samba(t, smb2, smb1Off), probes.Confirmed, "SMB 3.1.1, signing required, SMB1 off", "smb2"},
		"samba smb1 on":         {samba(t, smb2, smb1On), probes.Confirmed, "SMB 3.1.1, signing required, SMB1 on", "smb2"},
		"windows drops smb1":    {samba(t, smb2, nil), probes.Confirmed, "SMB 3.1.1, signing required, SMB1 off", "smb2"},
		"smb1 only":             {samba(t, nil, smb1On), probes.Confirmed, "SMB1 only, signing required", "smb"},
		"smb2 error":            {samba(t, AppendTransport(nil, errorResponse(0xc00000bb)), nil), probes.Confirmed, "SMB2 error STATUS_NOT_SUPPORTED, SMB1 off", "smb2"},
		"keepalive first (139)": {samba(t, append([]byte{0x85, 0, 0, 0}, smb2...), smb1Off), probes.Confirmed, "SMB 3.1.1, signing required, SMB1 off", "smb2"},
		"garbage": {func(c net.Conn) {
			c.Write([]byte("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"))
		}, probes.Open, "", ""},
		"huge length": {func(c net.Conn) {
			readClientMessage(c)
			c.Write([]byte{0, 0xff, 0xff, 0xff, 0xfe, 'S', 'M', 'B'})
		}, probes.Open, "", ""},
		"endless stream": {func(c net.Conn) {
			probetest.Flood(c, make([]byte, 4096), 1000)
		}, probes.Open, "", ""},
		"endless framed": {func(c net.Conn) {
			c.Write([]byte{0, 0, 0x10, 0, 0xfe, 'S', 'M', 'B'})
			probetest.Flood(c, make([]byte, 4096), 1000)
		}, probes.Open, "", ""},
		"one byte per second": {func(c net.Conn) {
			readClientMessage(c)
			probetest.Dribble(c, smb2[:6], time.Second)
		}, probes.Open, "", ""},
		"close at once":  {func(c net.Conn) {}, probes.Open, "", ""},
		"absurd offsets": {samba(t, absurd(smb2), nil), probes.Open, "", ""},
		"smb1 magic only": {func(c net.Conn) {
			readClientMessage(c)
			c.Write([]byte{0, 0, 0, 8, 0xff, 'S', 'M', 'B', 0x72, 0, 0, 0})
		}, probes.Open, "", ""},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tg := probetest.Target(probetest.Serve(t, c.serve))
			r := Probe{Dialer: &net.Dialer{}, Timeout: testTimeout}.Probe(t.Context(), tg)
			if r.State != c.want {
				t.Fatalf("got %v (%s), want %v", r, r.Note, c.want)
			}
			if c.summary != "" && (r.Service.Summary != c.summary || r.Service.Protocol != c.protocol) {
				t.Errorf("service %s %q, want %s %q", r.Service.Protocol, r.Service.Summary, c.protocol, c.summary)
			}
		})
	}
}

func TestProbeClosed(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ap := netip.MustParseAddrPort(ln.Addr().String())
	ln.Close()
	r := Probe{Dialer: &net.Dialer{}, Timeout: testTimeout}.Probe(t.Context(), probetest.Target(ap))
	if r.State != probes.Closed || r.Attempts != 1 {
		t.Errorf("got %v, %d attempts", r, r.Attempts)
	}
}

// absurd is a framed SMB2 negotiate response with its security buffer and
// negotiate context offsets pointing far past its end.
func absurd(framed []byte) []byte {
	b := slices.Clone(framed)
	binary.LittleEndian.PutUint16(b[4+64+56:], 0xfff0)
	binary.LittleEndian.PutUint32(b[4+64+60:], 0x7ffffff8)
	return b
}

package ntp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"strings"
	"time"
)

// Modes (RFC 5905 7.3, Figure 10).
const (
	ModeClient    = 3
	ModeServer    = 4
	ModeBroadcast = 5
)

// Leap indicator values (RFC 5905 7.3, Figure 9).
const (
	LeapNone     = 0 // no warning
	LeapAdd      = 1 // last minute of the day has 61 seconds
	LeapDelete   = 2 // last minute of the day has 59 seconds
	LeapUnsynced = 3 // clock unsynchronized
)

// Version is the NTP version this package sends (RFC 5905 7.3: VN 4).
const Version = 4

// PacketLen is the header length without extension fields or MAC
// (RFC 5905 7.3, Figure 8: 12 words and four 64-bit timestamps).
const PacketLen = 48

// Timestamp is the 64-bit NTP timestamp (RFC 5905 6, Figure 3): 32 bits
// of seconds since 1900-01-01 in the current era, 32 bits of fraction.
type Timestamp uint64

// ntpEpochOffset is the seconds from 1900-01-01 (era 0) to 1970-01-01.
const ntpEpochOffset = 2208988800

// TimestampOf converts t to an NTP timestamp (RFC 5905 6: the era number
// is dropped, the seconds wrap in 2036).
func TimestampOf(t time.Time) Timestamp {
	sec := uint64(t.Unix() + ntpEpochOffset)
	frac := (uint64(t.Nanosecond()) << 32) / 1e9
	return Timestamp(sec<<32 | frac)
}

// Time converts the timestamp to a time. The era is not on the wire
// (RFC 5905 6): seconds with the top bit set are read as era 0
// (1968-2036), the others as era 1 (2036-2104), the usual pivot.
// Zero stays the zero time: RFC 5905 treats a zero timestamp as unset.
func (ts Timestamp) Time() time.Time {
	if ts == 0 {
		return time.Time{}
	}
	sec := int64(ts >> 32)
	if sec&0x80000000 == 0 {
		sec += 1 << 32 // era 1
	}
	nsec := (int64(ts&0xffffffff)*1e9 + 1<<31) >> 32
	return time.Unix(sec-ntpEpochOffset, nsec).UTC()
}

// Short is the 32-bit NTP short format (RFC 5905 6, Figure 3): 16 bits of
// seconds, 16 of fraction.
type Short uint32

// Duration converts the short format to a duration.
func (s Short) Duration() time.Duration {
	return time.Duration((int64(s)*int64(time.Second) + 1<<15) >> 16)
}

// Packet is the NTP header (RFC 5905 7.3, Figure 8).
type Packet struct {
	Leap      uint8 // LI, 2 bits (7.3, Figure 9)
	Version   uint8 // VN, 3 bits
	Mode      uint8 // 3 bits (Figure 10)
	Stratum   uint8 // 0 unspecified or KoD, 1 primary, 2-15 secondary, 16 unsynchronized (Figure 11)
	Poll      int8  // log2 seconds of the maximum interval between messages
	Precision int8  // log2 seconds of the system clock's precision
	// RootDelay and RootDispersion are the total round-trip delay and
	// dispersion to the reference clock, in the short format.
	RootDelay      Short
	RootDispersion Short
	// ReferenceID is the refid: ASCII for stratum 0 (kiss code) and 1
	// (reference source), an IPv4 address or the first 4 octets of the
	// MD5 of an IPv6 address for stratum 2 and above.
	ReferenceID [4]byte
	Reference   Timestamp // when the system clock was last set or corrected
	Origin      Timestamp // T1: the client's transmit timestamp, echoed
	Receive     Timestamp // T2: when the request arrived at the server
	Transmit    Timestamp // T3: when the reply left the server
}

// AppendRequest appends a client-mode request (RFC 5905 7.3, 8): LI 0,
// VN 4, mode 3, every other field zero but the transmit timestamp, which
// the server copies into the origin of its reply. RFC 9109 4 has clients
// put random bits there instead of their clock: the origin check then
// proves the reply answers this request.
func AppendRequest(b []byte, transmit Timestamp) []byte {
	b = append(b, LeapNone<<6|Version<<3|ModeClient)
	b = append(b, make([]byte, 39)...) // stratum .. origin timestamp
	return binary.BigEndian.AppendUint64(b, uint64(transmit))
}

// ErrNotServerReply is returned for a well-formed packet whose mode is
// not server (4): our own request reflected, or a symmetric or broadcast
// peer.
var ErrNotServerReply = errors.New("ntp: not a server-mode reply")

// ParseResponse reads a server's reply. It checks the header's length,
// version (1-4) and mode (4, server); extension fields and a MAC after
// the 48 octets (RFC 5905 7.5) are ignored.
func ParseResponse(b []byte) (Packet, error) {
	var p Packet
	if len(b) < PacketLen {
		return p, fmt.Errorf("ntp: %d octets, want at least %d", len(b), PacketLen)
	}
	p.Leap, p.Version, p.Mode = b[0]>>6, (b[0]>>3)&7, b[0]&7
	if p.Version < 1 || p.Version > 4 {
		return p, fmt.Errorf("ntp: version %d", p.Version)
	}
	p.Stratum, p.Poll, p.Precision = b[1], int8(b[2]), int8(b[3])
	p.RootDelay = Short(binary.BigEndian.Uint32(b[4:]))
	p.RootDispersion = Short(binary.BigEndian.Uint32(b[8:]))
	copy(p.ReferenceID[:], b[12:16])
	p.Reference = Timestamp(binary.BigEndian.Uint64(b[16:]))
	p.Origin = Timestamp(binary.BigEndian.Uint64(b[24:]))
	p.Receive = Timestamp(binary.BigEndian.Uint64(b[32:]))
	p.Transmit = Timestamp(binary.BigEndian.Uint64(b[40:]))
	if p.Mode != ModeServer {
		return p, fmt.Errorf("%w (mode %d)", ErrNotServerReply, p.Mode)
	}
	return p, nil
}

// KissCode returns the kiss code of a Kiss-o'-Death packet (RFC 5905
// 7.4: stratum 0 and four ASCII letters in the refid, e.g. "RATE",
// "DENY", "RSTR"), or "" if the packet is none.
func (p Packet) KissCode() string {
	if p.Stratum != 0 || p.ReferenceID == [4]byte{} {
		return ""
	}
	code := strings.TrimRight(string(p.ReferenceID[:]), "\x00")
	for _, c := range []byte(code) {
		if c < 'A' || c > 'Z' {
			return ""
		}
	}
	return code
}

// ReferenceText renders the refid as RFC 5905 7.3 reads it for the
// packet's stratum: the ASCII source for stratum 0 and 1 ("GPS", "LOCL"),
// the dotted IPv4 address above (for an IPv6 upstream these are four
// octets of a hash that look like an address), "" for an all-zero refid.
func (p Packet) ReferenceText() string {
	if p.ReferenceID == [4]byte{} {
		return ""
	}
	if p.Stratum <= 1 {
		var s strings.Builder
		for _, c := range p.ReferenceID {
			switch {
			case c == 0:
			case c >= 0x20 && c < 0x7f:
				s.WriteByte(c)
			default:
				s.WriteString(fmt.Sprintf("\\x%02x", c))
			}
		}
		return s.String()
	}
	return netip.AddrFrom4(p.ReferenceID).String()
}

// Refuses reports whether the packet's kiss code tells the client to stop
// or slow down (RFC 5905 7.4: DENY and RSTR, access denied; RATE, rate
// exceeded). Other codes, such as INIT (not yet synchronized) or STEP,
// are news about the server's clock, not a refusal.
func (p Packet) Refuses() bool {
	switch p.KissCode() {
	case "DENY", "RSTR", "RATE":
		return true
	}
	return false
}

// Synchronized reports whether the server claims a usable clock: not
// leap "unsynchronized", a stratum between 1 and 15 (RFC 5905 7.3,
// Figures 9 and 11).
func (p Packet) Synchronized() bool {
	return p.Leap != LeapUnsynced && p.Stratum >= 1 && p.Stratum <= 15
}

// Offset returns the clock offset of the server relative to the client
// and the round-trip delay from the four times of one exchange (RFC 5905
// 8): t1 the client's send time, t2 the server's receive time, t3 the
// server's transmit time, t4 the client's receive time.
//
//	offset = ((t2 - t1) + (t3 - t4)) / 2
//	delay  = (t4 - t1) - (t3 - t2)
//
// A positive offset means the server's clock is ahead of the client's.
func Offset(t1, t2, t3, t4 time.Time) (offset, delay time.Duration) {
	// Differences first (RFC 5905 8: to keep precision), each saturating
	// at about 292 years, which no NTP exchange approaches.
	a, b := t2.Sub(t1), t3.Sub(t4)
	offset = a/2 + b/2 + (a%2+b%2)/2
	delay = t4.Sub(t1) - t3.Sub(t2)
	return offset, delay
}

// DurationMillis is d in milliseconds, rounded to the microsecond, for
// JSON (the unit of clock_offset_ms).
func DurationMillis(d time.Duration) float64 {
	return math.Round(float64(d)/1e3) / 1e3
}

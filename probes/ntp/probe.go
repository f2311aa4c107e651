package ntp

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"time"

	"github.com/winreach/winreach/probes"
)

// Query is the probes.Datagram for UDP 123: a client-mode request with a
// random transmit timestamp per attempt; a server-mode reply whose origin
// timestamp echoes it confirms NTP.
type Query struct{}

// Details is what the server said (RFC 5905 7.3).
type Details struct {
	Version uint8 `json:"version"`
	// Leap is the leap indicator's meaning: "none", "add-second",
	// "delete-second" or "unsynchronized".
	Leap    string `json:"leap"`
	Stratum uint8  `json:"stratum"`
	// Synchronized: a leap indicator other than 3 and stratum 1-15.
	Synchronized bool `json:"synchronized"`
	// KissCode is set for a Kiss-o'-Death (RFC 5905 7.4): "RATE", "DENY"...
	KissCode         string  `json:"kiss_code,omitempty"`
	Poll             int8    `json:"poll"`
	Precision        int8    `json:"precision"`
	RootDelayMS      float64 `json:"root_delay_ms"`
	RootDispersionMS float64 `json:"root_dispersion_ms"`
	// Reference is the refid as text (ReferenceText).
	Reference     string    `json:"reference,omitempty"`
	ReferenceTime time.Time `json:"reference_time,omitzero"`
	ReceiveTime   time.Time `json:"receive_time,omitzero"`
	// ServerTime is the server's transmit timestamp: its clock when it
	// answered.
	ServerTime time.Time `json:"server_time,omitzero"`
}

// Request returns a client-mode request with fresh random transmit bits.
func (Query) Request(probes.Target, int) []byte {
	return AppendRequest(nil, Timestamp(rand.Uint64()))
}

// Parse judges a reply to req: it must be a server-mode packet whose
// origin timestamp equals req's transmit timestamp (RFC 5905 8); a
// well-formed reply with another origin answers some other request.
func (Query) Parse(req, reply []byte) (*probes.Service, error) {
	p, err := ParseResponse(reply)
	if err != nil {
		return nil, err
	}
	if err := checkOrigin(req, p); err != nil {
		return nil, err
	}
	return service(p), nil
}

// checkOrigin compares the reply's origin with the request's transmit
// timestamp (RFC 5905 8, the "bogus" test).
func checkOrigin(req []byte, p Packet) error {
	if len(req) < PacketLen || Timestamp(binary.BigEndian.Uint64(req[40:])) != p.Origin {
		return fmt.Errorf("%w: origin timestamp %016x", probes.ErrNotForUs, uint64(p.Origin))
	}
	return nil
}

// leapNames are the leap indicator values (RFC 5905 7.3, Figure 9).
var leapNames = [4]string{"none", "add-second", "delete-second", "unsynchronized"}

// DetailsOf describes a parsed reply.
func DetailsOf(p Packet) Details {
	d := Details{
		Version: p.Version, Leap: leapNames[p.Leap&3], Stratum: p.Stratum,
		Synchronized: p.Synchronized(), KissCode: p.KissCode(),
		Poll: p.Poll, Precision: p.Precision,
		RootDelayMS:      DurationMillis(p.RootDelay.Duration()),
		RootDispersionMS: DurationMillis(p.RootDispersion.Duration()),
		ReferenceTime:    p.Reference.Time(), ReceiveTime: p.Receive.Time(), ServerTime: p.Transmit.Time(),
	}
	if d.KissCode == "" {
		d.Reference = p.ReferenceText()
	}
	return d
}

func service(p Packet) *probes.Service {
	d := DetailsOf(p)
	var summary string
	switch {
	case p.Refuses():
		summary = fmt.Sprintf("NTP v%d Kiss-o'-Death %s", d.Version, d.KissCode)
	case d.KissCode != "":
		summary = fmt.Sprintf("NTP v%d server, unsynchronized (kiss code %s)", d.Version, d.KissCode)
	case !d.Synchronized:
		summary = fmt.Sprintf("NTP v%d server, unsynchronized (leap %d, stratum %d)", d.Version, p.Leap, d.Stratum)
	default:
		summary = fmt.Sprintf("NTP v%d server stratum %d", d.Version, d.Stratum)
		if d.Reference != "" {
			summary += ", reference " + d.Reference
		}
	}
	return &probes.Service{Protocol: "ntp", Summary: summary, Details: d}
}

// Clock measures a server's clock offset with one exchange (RFC 5905 8).
type Clock struct {
	Dialer  probes.Dialer    // nil: a net.Dialer
	Timeout time.Duration    // for the whole exchange; 2 s when zero
	Now     func() time.Time // the local clock; time.Now when nil
}

// Measurement is one exchange's reading.
type Measurement struct {
	Details
	// Sent (T1) and Received (T4) are local times; the server's T2 and T3
	// are Details.ReceiveTime and ServerTime.
	Sent     time.Time `json:"sent"`
	Received time.Time `json:"received"`
	// Offset is the server's clock minus ours; Delay the round trip
	// without the server's processing time.
	Offset time.Duration `json:"-"`
	Delay  time.Duration `json:"-"`
}

// ErrKissOfDeath is returned (wrapped, with the code) when the server
// answers with a Kiss-o'-Death that refuses service (DENY, RSTR, RATE):
// the timestamps mean nothing.
var ErrKissOfDeath = errors.New("ntp: Kiss-o'-Death")

// ErrUnsynchronized is returned when the server's clock is not
// synchronized (leap 3, or stratum 0 or 16, or a kiss code such as INIT):
// its timestamps are not a time to compare against. The Measurement is
// still filled in, its Offset too.
var ErrUnsynchronized = errors.New("ntp: server not synchronized")

// maxReplies bounds how many stray datagrams Measure reads before giving
// up on the exchange.
const maxReplies = 16

// Measure sends one request to addr and reads the reply, recording the
// local send and receive times around it.
func (c Clock) Measure(ctx context.Context, addr netip.AddrPort) (Measurement, error) {
	var m Measurement
	dialer, now, timeout := c.Dialer, c.Now, c.Timeout
	if dialer == nil {
		dialer = &net.Dialer{}
	}
	if now == nil {
		now = time.Now
	}
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := dialer.DialContext(ctx, "udp", addr.String())
	if err != nil {
		return m, err
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	req := Query{}.Request(probes.Target{}, 0)
	m.Sent = now()
	if _, err := conn.Write(req); err != nil {
		return m, err
	}
	buf := make([]byte, 2048)
	for range maxReplies {
		n, err := conn.Read(buf)
		if err != nil {
			return m, err
		}
		received := now()
		p, err := ParseResponse(buf[:n])
		if err != nil || checkOrigin(req, p) != nil {
			continue // not the answer to this request
		}
		m.Received, m.Details = received, DetailsOf(p)
		if p.Refuses() {
			return m, fmt.Errorf("%w %s", ErrKissOfDeath, m.KissCode)
		}
		m.Offset, m.Delay = Offset(m.Sent, p.Receive.Time(), p.Transmit.Time(), m.Received)
		if !m.Synchronized {
			return m, ErrUnsynchronized
		}
		return m, nil
	}
	return m, errors.New("ntp: no reply to this request among the datagrams read")
}

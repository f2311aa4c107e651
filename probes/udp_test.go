package probes

import (
	"bytes"
	"errors"
	"net"
	"testing"
	"time"
)

// udpServer answers each datagram with reply(request); a nil reply is a
// blackhole that reads and stays silent.
func udpServer(t *testing.T, reply func([]byte) []byte) Target {
	t.Helper()
	pc, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 2048)
		for {
			n, from, err := pc.ReadFromUDP(buf)
			if err != nil {
				return
			}
			if reply != nil {
				if out := reply(buf[:n]); out != nil {
					pc.WriteToUDP(out, from)
				}
			}
		}
	}()
	return targetOf(t, pc.LocalAddr())
}

// echoProto is a toy protocol: the request is "Q" + attempt byte, the
// answer "A" + the same byte.
type echoProto struct{}

func (echoProto) Request(_ Target, attempt int) []byte { return []byte{'Q', byte(attempt)} }

func (echoProto) Parse(req, reply []byte) (*Service, error) {
	if len(reply) != 2 || reply[0] != 'A' {
		return nil, errors.New("not an echo answer")
	}
	if reply[1] != req[1] {
		return nil, ErrNotForUs
	}
	return &Service{Protocol: "echo"}, nil
}

func TestUDPStatesOnLoopback(t *testing.T) {
	quick := UDP{Dialer: &net.Dialer{}, Timeout: 100 * time.Millisecond, Retries: 1, Exchange: echoProto{}}

	answering := udpServer(t, func(b []byte) []byte { return []byte{'A', b[1]} })
	if r := quick.Probe(t.Context(), answering); r.State != Confirmed || r.Reason != ReasonReply || r.Service == nil {
		t.Errorf("answering server: %+v, want confirmed reply", r)
	}

	garbage := udpServer(t, func([]byte) []byte { return []byte("220 not udp") })
	if r := quick.Probe(t.Context(), garbage); r.State != Open || r.Reason != ReasonUnexpectedReply || !bytes.Contains([]byte(r.Note), []byte("32323020")) {
		t.Errorf("garbage server: %+v, want open unexpected-reply quoting the bytes", r)
	}

	// A server that answers only the second attempt, with the first one's ID
	// first (a late reply), then the right one.
	var seen int
	late := udpServer(t, func(b []byte) []byte {
		seen++
		if seen == 1 {
			return nil
		}
		return []byte{'A', b[1]}
	})
	if r := quick.Probe(t.Context(), late); r.State != Confirmed || r.Attempts != 2 {
		t.Errorf("late server: %+v, want confirmed on attempt 2", r)
	}

	blackhole := udpServer(t, nil)
	if r := quick.Probe(t.Context(), blackhole); r.State != OpenFiltered || r.Reason != ReasonNoResponse || r.Attempts != 2 {
		t.Errorf("blackhole: %+v, want open|filtered no-response after 2 attempts", r)
	}

	// A port bound and released answers with ICMP port-unreachable.
	pc, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	closedPort := targetOf(t, pc.LocalAddr())
	pc.Close()
	if r := quick.Probe(t.Context(), closedPort); r.State != Closed || r.Reason != ReasonPortUnreachable {
		t.Errorf("closed port: %+v, want closed port-unreachable", r)
	}

	noProbe := UDP{Dialer: &net.Dialer{}, Timeout: 100 * time.Millisecond}
	if r := noProbe.Probe(t.Context(), blackhole); r.State != OpenFiltered || r.Note != NoProbeNote {
		t.Errorf("no-probe port: %+v, want open|filtered with the no-probe note", r)
	}
}

package probes

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"time"
)

// State is the fixed set of answers a probe can give about one endpoint.
// The names follow nmap's port states so that readers of either tool agree;
// Confirmed is winreach's addition: the service spoke its own protocol.
type State uint8

const (
	// NotTested: the probe could not run (missing privilege, an OS that
	// cannot observe the answer, or a transport winreach does not probe).
	NotTested State = iota
	// Open: the path carried the handshake (TCP SYN-ACK, a UDP or IP reply
	// that is not the expected protocol).
	Open
	// Confirmed: open, and the service answered in its own protocol.
	Confirmed
	// Closed: the host answered that nothing listens (TCP RST, ICMP
	// port-unreachable or protocol-unreachable from the target itself).
	Closed
	// Filtered: something on the path refused or swallowed the probe
	// (TCP timeout, ICMP admin-prohibited, host or net unreachable).
	Filtered
	// OpenFiltered: silence where silence is what both an open service and
	// a silent drop produce (UDP and raw IP without a reply).
	OpenFiltered
)

var stateNames = [...]string{
	NotTested:    "not-tested",
	Open:         "open",
	Confirmed:    "confirmed",
	Closed:       "closed",
	Filtered:     "filtered",
	OpenFiltered: "open|filtered",
}

func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("state(%d)", uint8(s))
}

// ParseState is the inverse of String.
func ParseState(s string) (State, error) {
	for i, n := range stateNames {
		if n == s {
			return State(i), nil
		}
	}
	return NotTested, fmt.Errorf("unknown state %q", s)
}

// Reachable reports whether the state proves that the path carries traffic.
func (s State) Reachable() bool { return s == Open || s == Confirmed }

func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

func (s *State) UnmarshalText(b []byte) error {
	v, err := ParseState(string(b))
	*s = v
	return err
}

// Reason says why a probe reached its state, in nmap's --reason vocabulary
// where one exists.
type Reason string

const (
	ReasonSynAck           Reason = "syn-ack"           // TCP handshake completed
	ReasonReset            Reason = "rst"               // TCP reset (or ICMP port-unreachable folded into ECONNREFUSED by the kernel)
	ReasonTimeout          Reason = "timeout"           // nothing came back in time
	ReasonNoResponse       Reason = "no-response"       // UDP or raw IP silence after every retry
	ReasonReply            Reason = "reply"             // the service answered in its protocol
	ReasonUnexpectedReply  Reason = "unexpected-reply"  // something answered, but not the protocol we spoke
	ReasonClosedEarly      Reason = "closed-by-peer"    // handshake done, then the peer closed or reset before answering
	ReasonPortUnreachable  Reason = "port-unreachable"  // ICMP 3/3 (ICMPv6 1/4)
	ReasonProtoUnreachable Reason = "proto-unreachable" // ICMP 3/2 (ICMPv6 4/1)
	ReasonHostUnreachable  Reason = "host-unreachable"  // ICMP 3/1 or no ARP/ND answer (ICMPv6 1/3)
	ReasonNetUnreachable   Reason = "net-unreachable"   // ICMP 3/0 or no route (ICMPv6 1/0)
	ReasonAdminProhibited  Reason = "admin-prohibited"  // ICMP 3/9, 3/10, 3/13 (ICMPv6 1/1)
	ReasonTimeExceeded     Reason = "time-exceeded"     // ICMP 11
	ReasonNeedsPrivilege   Reason = "needs-privilege"   // the probe needs a capability the process lacks
	ReasonUnsupported      Reason = "unsupported"       // this OS or build cannot run the probe
	ReasonNoProbe          Reason = "no-probe"          // the protocol has no public request that gets an answer
	ReasonUnresolved       Reason = "unresolved"        // the host name did not resolve
	ReasonLocalError       Reason = "local-error"       // the local stack refused (out of buffers, bad address family)
	ReasonSkipped          Reason = "skipped"           // an optional transport not probed: the host said the function's service is absent
	// ReasonNoDescriptors: this process or system is out of file
	// descriptors (EMFILE, ENFILE), which says nothing about the target.
	// The scanner shrinks its pool and runs the probe again; a report
	// never holds it (when retrying cannot help, the scan stops).
	ReasonNoDescriptors Reason = "out-of-descriptors"
)

// ICMP is an ICMP (or ICMPv6) error that decided a result.
type ICMP struct {
	Type int        `json:"type"`
	Code int        `json:"code"`
	From netip.Addr `json:"from"` // the sender: the target itself, or a router or firewall on the path
	V6   bool       `json:"v6,omitempty"`
}

// Result is what one probe learned about one endpoint of one host.
type Result struct {
	State  State         `json:"state"`
	Reason Reason        `json:"reason"`
	RTT    time.Duration `json:"-"`
	// Wait is how long the probe waited in vain before a timeout or
	// no-response verdict, over all attempts.
	Wait time.Duration `json:"-"`
	// ICMP is set when an ICMP error decided the state and its details are
	// known (privileged listener or the Linux socket error queue).
	ICMP *ICMP `json:"icmp,omitempty"`
	// Note is one human line that qualifies the state: why silence is
	// expected, which OS limit applies, what the unexpected bytes were.
	Note string `json:"note,omitempty"`
	// Service is what the service said about itself, when it answered.
	Service *Service `json:"service,omitempty"`
	// Attempts is how many packets or connections the probe used.
	Attempts int `json:"attempts,omitempty"`
}

// Service is the identification a protocol probe extracted.
type Service struct {
	// Protocol is the protocol that answered, e.g. "smb2", "netbios-ns".
	Protocol string `json:"protocol"`
	// Summary is a short line for the table: "SMB 3.1.1 signing required".
	Summary string `json:"summary,omitempty"`
	// Details is protocol-specific data, rendered in full in JSON.
	Details any `json:"details,omitempty"`
}

// MarshalJSON writes the RTT in milliseconds, the unit people read.
func (r Result) MarshalJSON() ([]byte, error) {
	type plain Result // no MarshalJSON: avoids recursion
	return json.Marshal(struct {
		plain
		RTTMillis  float64 `json:"rtt_ms,omitempty"`
		WaitMillis float64 `json:"wait_ms,omitempty"`
	}{plain(r), millis(r.RTT), millis(r.Wait)})
}

func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func fromMillis(ms float64) time.Duration {
	return time.Duration(ms * float64(time.Millisecond)).Round(time.Microsecond)
}

func (r *Result) UnmarshalJSON(b []byte) error {
	type plain Result
	var v struct {
		plain
		RTTMillis  float64 `json:"rtt_ms"`
		WaitMillis float64 `json:"wait_ms"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*r = Result(v.plain)
	r.RTT, r.Wait = fromMillis(v.RTTMillis), fromMillis(v.WaitMillis)
	return nil
}

// String renders the result as evidence: "filtered (timeout 2s)",
// "filtered by 198.18.1.1 (admin-prohibited)", "closed (rst)".
func (r Result) String() string {
	s := r.State.String()
	if r.ICMP != nil && r.ICMP.From.IsValid() && r.State == Filtered {
		s += " by " + r.ICMP.From.String() // who refused: the target, or a router or firewall
	}
	if r.Reason == "" {
		return s
	}
	s += " (" + string(r.Reason)
	if r.Wait > 0 && (r.Reason == ReasonTimeout || r.Reason == ReasonNoResponse) {
		s += " " + r.Wait.Round(time.Millisecond).String()
	}
	return s + ")"
}

// OutOfDescriptors reports whether the probe could not run for want of
// file descriptors (ReasonNoDescriptors). A probe made of several
// exchanges returns such a part's result as its own, so that the scanner
// runs the whole probe again rather than report a local failure inside a
// result about the target.
func (r Result) OutOfDescriptors() bool {
	return r.State == NotTested && r.Reason == ReasonNoDescriptors
}

// Target is one endpoint of one host.
type Target struct {
	Addr netip.Addr
	Port uint16 // TCP/UDP port; IP protocol number for raw probes
	// Name is the host name the address came from, if any (TLS SNI, reports).
	Name string
	// Timing, when set, adapts waits to the host's measured round trips.
	Timing Timing
}

// AddrPort is the target as a socket address.
func (t Target) AddrPort() netip.AddrPort { return netip.AddrPortFrom(t.Addr, t.Port) }

// Prober is one probe: it learns the state of one endpoint of one host.
// It never returns an error: "could not run" is the NotTested state with
// its reason, so a scan always has a row for every endpoint.
type Prober interface {
	Probe(ctx context.Context, t Target) Result
}

// ProberFunc adapts a function to Prober.
type ProberFunc func(ctx context.Context, t Target) Result

func (f ProberFunc) Probe(ctx context.Context, t Target) Result { return f(ctx, t) }

package netbios

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/winreach/winreach/probes"
)

// Session packet types (RFC 1002 4.3.1).
const (
	typeSessionMessage  = 0x00
	typeSessionRequest  = 0x81
	typePositiveSession = 0x82
	typeNegativeSession = 0x83
	typeRetarget        = 0x84
	typeKeepAlive       = 0x85
)

// sessionHeaderLen is TYPE, FLAGS and LENGTH (RFC 1002 4.3.1); FLAGS holds
// only the E bit, the 17th bit of LENGTH.
const sessionHeaderLen = 4

// SMBServerName is the alias every SMB server over NetBIOS accepts as
// called name ([MS-SMB] 3.2.4.2.1), sent with the <20> suffix.
const SMBServerName = "*SMBSERVER"

// AppendSessionRequest appends a SESSION REQUEST (RFC 1002 4.3.2): the
// header with type 0x81 and LENGTH 68, then the called and the calling name
// in first-level encoding. 72 bytes in all.
func AppendSessionRequest(b []byte, called string, calledSuffix byte, calling string, callingSuffix byte) []byte {
	b = append(b, typeSessionRequest, 0)
	b = binary.BigEndian.AppendUint16(b, 2*encodedNameLen)
	b = AppendEncodedName(b, called, calledSuffix)
	return AppendEncodedName(b, calling, callingSuffix)
}

// SessionReply is one parsed reply to a session request.
type SessionReply struct {
	Type byte // 0x82 positive, 0x83 negative, 0x84 retarget, 0x85 keepalive
	// ErrorCode is the negative response's reason (RFC 1002 4.3.4).
	ErrorCode byte
	// Retarget is where a retarget response sends the caller (4.3.5).
	Retarget netip.AddrPort
}

// Response names the reply type for reports.
func (r SessionReply) Response() string {
	switch r.Type {
	case typePositiveSession:
		return "positive"
	case typeNegativeSession:
		return "negative"
	case typeRetarget:
		return "retarget"
	case typeKeepAlive:
		return "keepalive"
	}
	return fmt.Sprintf("type 0x%02x", r.Type)
}

// Negative session response error codes (RFC 1002 4.3.4).
const (
	ErrNotListeningOnCalled  = 0x80
	ErrNotListeningOnCalling = 0x81
	ErrCalledNotPresent      = 0x82
	ErrInsufficientResources = 0x83
	ErrUnspecified           = 0x8f
)

// ErrorText explains a negative session response's error code.
func ErrorText(code byte) string {
	switch code {
	case ErrNotListeningOnCalled:
		return "not listening on called name"
	case ErrNotListeningOnCalling:
		return "not listening for calling name"
	case ErrCalledNotPresent:
		return "called name not present"
	case ErrInsufficientResources:
		return "called name present, but insufficient resources"
	case ErrUnspecified:
		return "unspecified error"
	}
	return fmt.Sprintf("unknown error 0x%02x", code)
}

var errNotSessionReply = errors.New("netbios: not a session service reply")

// sessionTrailerLen is the LENGTH each reply type must carry (4.3.3-4.3.6),
// or -1 for a type that is no reply to a session request.
func sessionTrailerLen(typ byte) int {
	switch typ {
	case typePositiveSession, typeKeepAlive:
		return 0
	case typeNegativeSession:
		return 1
	case typeRetarget:
		return 6
	}
	return -1
}

// ParseSessionReply parses one complete reply to a session request: a
// positive (4.3.3), negative (4.3.4), retarget (4.3.5) or keepalive
// (4.3.6) packet, with exactly the LENGTH its type defines.
func ParseSessionReply(b []byte) (SessionReply, error) {
	if len(b) < sessionHeaderLen {
		return SessionReply{}, errNotSessionReply
	}
	r := SessionReply{Type: b[0]}
	want := sessionTrailerLen(r.Type)
	length := int(b[1]&1)<<16 | int(binary.BigEndian.Uint16(b[2:4]))
	if want < 0 || b[1]&^1 != 0 || length != want || len(b) != sessionHeaderLen+want {
		return SessionReply{}, errNotSessionReply
	}
	t := b[sessionHeaderLen:]
	switch r.Type {
	case typeNegativeSession:
		// RFC 1002 4.3.4 defines five error codes; another byte is not
		// a session service speaking.
		r.ErrorCode = t[0]
		switch r.ErrorCode {
		case ErrNotListeningOnCalled, ErrNotListeningOnCalling, ErrCalledNotPresent, ErrInsufficientResources, ErrUnspecified:
		default:
			return SessionReply{}, errNotSessionReply
		}
	case typeRetarget:
		ip := netip.AddrFrom4([4]byte(t[0:4]))
		r.Retarget = netip.AddrPortFrom(ip, binary.BigEndian.Uint16(t[4:6]))
	}
	return r, nil
}

// SessionDetails is what a session service reply said.
type SessionDetails struct {
	Response   string `json:"response"` // positive, negative, retarget, keepalive
	ErrorCode  *byte  `json:"error_code,omitempty"`
	ErrorText  string `json:"error_text,omitempty"`
	CalledName string `json:"called_name"`
	Retarget   string `json:"retarget,omitempty"`
	// Then is what the follow-up conversation (SMB) learned over the
	// session, after a positive response.
	Then *probes.Service `json:"then,omitempty"`
}

func (d SessionDetails) summary() string {
	var s string
	switch d.Response {
	case "positive":
		s = "session accepted for " + d.CalledName
	case "negative":
		s = "session refused: " + d.ErrorText
	case "retarget":
		s = "session retargeted to " + d.Retarget
	default:
		s = "session service " + d.Response
	}
	if d.Then != nil && d.Then.Summary != "" {
		s += "; " + d.Then.Summary
	}
	return s
}

// maxKeepAlives bounds how many keepalives are skipped while waiting for
// the real reply.
const maxKeepAlives = 3

// sessionRequest is the Conversation of one session request.
type sessionRequest struct {
	called, calling string
	then            probes.Conversation
}

// Converse sends the session request and reads the reply. A keepalive is
// skipped; if nothing follows it, the keepalive alone proves the service.
func (s sessionRequest) Converse(ctx context.Context, conn net.Conn, t probes.Target) probes.Answer {
	req := AppendSessionRequest(nil, s.called, byte(SuffixServer), s.calling, byte(SuffixWorkstation))
	if _, err := conn.Write(req); err != nil {
		return probes.Answer{Err: err}
	}
	br := bufio.NewReaderSize(conn, 64) // bufio's minimum; replies are 4 to 10 bytes
	var last *SessionReply
	for range 1 + maxKeepAlives {
		r, raw, err := readSessionReply(br)
		if err != nil {
			if last != nil { // a keepalive, then silence or close
				break
			}
			if raw != nil {
				return probes.Answer{Unexpected: raw}
			}
			return probes.Answer{Err: err}
		}
		last = &r
		if r.Type != typeKeepAlive {
			break
		}
	}
	d := SessionDetails{Response: last.Response(), CalledName: s.called + " " + SuffixServer.String()}
	switch last.Type {
	case typeNegativeSession:
		code := last.ErrorCode
		d.ErrorCode, d.ErrorText = &code, ErrorText(code)
	case typeRetarget:
		d.Retarget = last.Retarget.String()
	case typePositiveSession:
		if s.then != nil && ctx.Err() == nil {
			if a := s.then.Converse(ctx, conn, t); a.Service != nil {
				d.Then = a.Service
			}
		}
	}
	return probes.Answer{Service: &probes.Service{Protocol: "netbios-ssn", Summary: d.summary(), Details: d}}
}

// readSessionReply reads one reply packet. On bytes that are not one, raw
// holds what had arrived, for the report.
func readSessionReply(br *bufio.Reader) (r SessionReply, raw []byte, err error) {
	hdr, err := br.Peek(sessionHeaderLen)
	if err != nil {
		if len(hdr) > 0 {
			return r, append([]byte(nil), hdr...), err
		}
		return r, nil, err
	}
	want := sessionTrailerLen(hdr[0])
	if want < 0 {
		got, _ := br.Peek(br.Buffered())
		return r, append([]byte(nil), got...), errNotSessionReply
	}
	pkt, err := br.Peek(sessionHeaderLen + want)
	if err != nil {
		return r, append([]byte(nil), pkt...), err
	}
	pkt = append([]byte(nil), pkt...)
	_, _ = br.Discard(len(pkt))
	r, err = ParseSessionReply(pkt)
	if err != nil {
		return r, pkt, err
	}
	return r, nil, nil
}

// DefaultCallingName is the calling name Session sends when none is set.
const DefaultCallingName = "WINREACH"

// Session probes the NetBIOS session service on TCP 139: it calls
// *SMBSERVER<20>, and after a "called name not present" (Windows, when the
// alias is not served) it asks UDP 137 of the same host for its name table
// and calls the <20> name found there.
type Session struct {
	Dialer  probes.Dialer // TCP connections
	Timeout time.Duration // per connection and per conversation, and per node status attempt
	Retries int           // TCP connect retries after a timeout
	// UDPDialer opens the node status query's socket; nil skips the retry
	// with the server's own name.
	UDPDialer probes.Dialer
	// CallingName is sent as the calling name; DefaultCallingName if empty.
	CallingName string
	// Then, when set, runs on the connection after a positive response
	// (an SMB negotiate); what it learns lands in SessionDetails.Then.
	Then probes.Conversation
	Now  func() time.Time
}

// Probe runs the session request, and the retry with the <20> name.
func (s Session) Probe(ctx context.Context, t probes.Target) probes.Result {
	first := s.call(ctx, t, SMBServerName)
	d, ok := sessionDetailsOf(first)
	if !ok || d.ErrorCode == nil || *d.ErrorCode != ErrCalledNotPresent || s.UDPDialer == nil {
		return first
	}
	ns := probes.UDP{Dialer: s.UDPDialer, Timeout: s.Timeout, Retries: 1, Exchange: NodeStatus{}, Now: s.Now}.
		Probe(ctx, probes.Target{Addr: t.Addr, Port: 137, Name: t.Name})
	if ns.OutOfDescriptors() {
		return ns
	}
	var name string
	if ns.Service != nil {
		if nd, ok := ns.Service.Details.(NodeStatusDetails); ok {
			name = nd.Server
		}
	}
	if name == "" {
		first.Note = "node status on UDP 137 gave no <20> name to call instead (" + ns.String() + ")"
		return first
	}
	second := s.call(ctx, t, name)
	if second.OutOfDescriptors() {
		return second
	}
	second.Attempts += first.Attempts
	if second.State != probes.Confirmed {
		first.Attempts = second.Attempts
		first.Note = "calling " + name + "<20> from node status: " + second.String()
		return first
	}
	return second
}

func (s Session) call(ctx context.Context, t probes.Target, called string) probes.Result {
	calling := s.CallingName
	if calling == "" {
		calling = DefaultCallingName
	}
	return probes.TCP{
		Dialer:  s.Dialer,
		Timeout: s.Timeout,
		Retries: s.Retries,
		Talk:    sessionRequest{called: called, calling: calling, then: s.Then},
		Now:     s.Now,
	}.Probe(ctx, t)
}

func sessionDetailsOf(r probes.Result) (SessionDetails, bool) {
	if r.Service == nil {
		return SessionDetails{}, false
	}
	d, ok := r.Service.Details.(SessionDetails)
	return d, ok
}

package smb

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/winreach/winreach/probes"
)

// Direct TCP transport ([MS-SMB2] 2.1): 0x00 then a 24-bit length.
const (
	transportHeaderLen = 4
	// maxMessage bounds a negotiate response: the fixed parts, a GSS token
	// of a few hundred bytes and the contexts fit many times over.
	maxMessage = 64 << 10
	// nbKeepAlive is a NetBIOS SESSION KEEP ALIVE (RFC 1002 4.3.7), which
	// a server on TCP 139 may send between messages.
	nbKeepAlive   = 0x85
	maxKeepAlives = 3
)

// AppendTransport frames an SMB message for TCP 445 (or a NetBIOS
// session on 139): a zero byte and the length in 24 bits, big-endian.
func AppendTransport(b, msg []byte) []byte {
	b = append(b, 0, byte(len(msg)>>16), byte(len(msg)>>8), byte(len(msg)))
	return append(b, msg...)
}

var errNotTransport = errors.New("smb: not a Direct TCP transport message")

// readMessage reads one framed SMB message. For bytes that are not one,
// raw holds what had arrived, for the report.
func readMessage(conn io.Reader) (msg, raw []byte, err error) {
	br := bufio.NewReaderSize(conn, 64)
	for range 1 + maxKeepAlives {
		hdr, err := br.Peek(transportHeaderLen)
		if err != nil {
			return nil, clone(hdr), err
		}
		if hdr[0] == nbKeepAlive && hdr[1] == 0 && hdr[2] == 0 && hdr[3] == 0 {
			_, _ = br.Discard(transportHeaderLen)
			continue
		}
		n := int(hdr[1])<<16 | int(hdr[2])<<8 | int(hdr[3])
		if hdr[0] != 0 || n < 4 || n > maxMessage {
			got, _ := br.Peek(br.Buffered())
			return nil, clone(got), errNotTransport
		}
		// The SMB magic must follow; check it before waiting for n bytes.
		head, err := br.Peek(transportHeaderLen + 4)
		if err != nil {
			return nil, clone(head), err
		}
		if m := [4]byte(head[4:8]); m != smb2Magic && m != smb1Magic {
			got, _ := br.Peek(br.Buffered())
			return nil, clone(got), errNotTransport
		}
		_, _ = br.Discard(transportHeaderLen)
		msg = make([]byte, n)
		if _, err := io.ReadFull(br, msg); err != nil {
			return nil, nil, err
		}
		return msg, nil, nil
	}
	return nil, nil, io.ErrUnexpectedEOF
}

func clone(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return append([]byte(nil), b...)
}

// Details is what an SMB server said about itself.
type Details struct {
	Dialect string `json:"dialect,omitempty"` // "3.1.1"; "1" for an SMB1-only server
	// Status is the NTSTATUS of an SMB2 error response to the negotiate.
	Status           string    `json:"status,omitempty"`
	SigningEnabled   bool      `json:"signing_enabled"`
	SigningRequired  bool      `json:"signing_required"`
	ServerGUID       string    `json:"server_guid,omitempty"`
	Capabilities     []string  `json:"capabilities,omitempty"`
	MaxTransactSize  uint32    `json:"max_transact_size,omitempty"`
	MaxReadSize      uint32    `json:"max_read_size,omitempty"`
	MaxWriteSize     uint32    `json:"max_write_size,omitempty"`
	SystemTime       time.Time `json:"system_time,omitzero"`
	ServerStartTime  time.Time `json:"server_start_time,omitzero"`
	PreauthIntegrity string    `json:"preauth_integrity,omitempty"` // 3.1.1: "SHA-512"
	Cipher           string    `json:"cipher,omitempty"`            // 3.1.1: the cipher chosen from ours
	SigningAlgorithm string    `json:"signing_algorithm,omitempty"`
	// SMB1 is the verdict of the second connection; nil when not tested.
	SMB1 *SMB1Details `json:"smb1,omitempty"`
}

// SMB1Details is what the SMB1-only negotiate drew.
type SMB1Details struct {
	// Verdict is "accepted" (an NT LM 0.12 negotiate response), "rejected"
	// (the server closed, reset or refused the dialect) or "unknown".
	Verdict  string `json:"verdict"`
	Evidence string `json:"evidence"`
	Domain   string `json:"domain,omitempty"` // from the SMB1 response
	Server   string `json:"server,omitempty"`
	// SigningEnabled and SigningRequired are the accepted SMB1 dialect's
	// SecurityMode ([MS-CIFS] 2.2.4.52.2).
	SigningEnabled  bool `json:"signing_enabled,omitempty"`
	SigningRequired bool `json:"signing_required,omitempty"`
}

// SMB1 verdicts.
const (
	SMB1Accepted = "accepted"
	SMB1Rejected = "rejected"
	SMB1Unknown  = "unknown"
)

// Summary is the table line: "SMB 3.1.1, signing required, SMB1 off".
func (d Details) Summary() string {
	var head, signing string
	switch {
	case d.Status != "":
		head = "SMB2 error " + d.Status
	case d.Dialect == "1":
		head = "SMB1 only"
		if d.SMB1 != nil && d.SMB1.Verdict == SMB1Accepted {
			signing = signingPolicy(d.securityMode())
		}
	default:
		head, signing = "SMB "+d.Dialect, signingPolicy(d.securityMode())
	}
	var smb1 string
	if d.SMB1 != nil && d.Dialect != "1" {
		switch d.SMB1.Verdict {
		case SMB1Accepted:
			smb1 = "SMB1 on"
		case SMB1Rejected:
			smb1 = "SMB1 off"
		}
	}
	return joinNonEmpty(head, signing, smb1)
}

func (d Details) securityMode() uint16 {
	var m uint16
	if d.SigningEnabled {
		m |= SigningEnabled
	}
	if d.SigningRequired {
		m |= SigningRequired
	}
	return m
}

// detailsOf turns a negotiate response into report details.
func detailsOf(r NegotiateResponse) Details {
	if r.Status != 0 {
		return Details{Status: ntStatusName(r.Status)}
	}
	d := Details{
		Dialect:         DialectName(r.Dialect),
		SigningEnabled:  r.SecurityMode&SigningEnabled != 0,
		SigningRequired: r.SecurityMode&SigningRequired != 0,
		ServerGUID:      GUIDString(r.ServerGUID),
		Capabilities:    CapabilityNames(r.Capabilities),
		MaxTransactSize: r.MaxTransactSize,
		MaxReadSize:     r.MaxReadSize,
		MaxWriteSize:    r.MaxWriteSize,
		SystemTime:      r.SystemTime,
		ServerStartTime: r.ServerStartTime,
	}
	if r.PreauthHash == hashSHA512 {
		d.PreauthIntegrity = "SHA-512"
	} else if r.PreauthHash != 0 {
		d.PreauthIntegrity = fmt.Sprintf("0x%04x", r.PreauthHash)
	}
	if r.Cipher != 0 {
		d.Cipher = algorithmName(cipherNames, r.Cipher)
	}
	if r.Signing != nil {
		d.SigningAlgorithm = algorithmName(signingNames, *r.Signing)
	}
	return d
}

// Negotiate is the Conversation of one SMB2 NEGOTIATE: on TCP 445, or
// after a positive NetBIOS session response on TCP 139.
type Negotiate struct{}

// Converse sends the negotiate and parses the answer. A fresh client GUID
// and preauth salt come from crypto/rand on every call.
func (Negotiate) Converse(ctx context.Context, conn net.Conn, t probes.Target) probes.Answer {
	var guid [16]byte
	var salt [saltLen]byte
	_, _ = rand.Read(guid[:])
	_, _ = rand.Read(salt[:])
	if _, err := conn.Write(AppendTransport(nil, AppendNegotiateRequest(nil, guid, salt))); err != nil {
		return probes.Answer{Err: err}
	}
	msg, raw, err := readMessage(conn)
	if err != nil {
		if raw != nil {
			return probes.Answer{Unexpected: raw}
		}
		return probes.Answer{Err: err}
	}
	if r, err := ParseNegotiateResponse(msg); err == nil {
		d := detailsOf(r)
		return probes.Answer{Service: &probes.Service{Protocol: "smb2", Summary: d.Summary(), Details: d}}
	}
	// An SMB1-only server may answer the unknown command in SMB1: a whole
	// SMB1 reply header identifies it.
	if isSMB1Reply(msg) {
		d := Details{Dialect: "1"}
		return probes.Answer{Service: &probes.Service{Protocol: "smb", Summary: d.Summary(), Details: d}}
	}
	return probes.Answer{Unexpected: msg[:min(len(msg), 64)]}
}

// smb1Negotiate is the Conversation that asks for NT LM 0.12 only.
type smb1Negotiate struct{}

func (smb1Negotiate) Converse(ctx context.Context, conn net.Conn, t probes.Target) probes.Answer {
	if _, err := conn.Write(AppendTransport(nil, AppendSMB1Negotiate(nil, NTLM012))); err != nil {
		return probes.Answer{Err: err}
	}
	msg, raw, err := readMessage(conn)
	if err != nil {
		if raw != nil {
			return probes.Answer{Unexpected: raw}
		}
		return probes.Answer{Err: err}
	}
	r, err := ParseSMB1NegotiateResponse(msg)
	if err != nil {
		// An SMB2 answer to an SMB1 negotiate without "SMB 2.???" is
		// not an SMB1 acceptance; report the bytes.
		return probes.Answer{Unexpected: msg[:min(len(msg), 64)]}
	}
	d := SMB1Details{Verdict: SMB1Rejected}
	switch {
	case r.Status != 0:
		d.Evidence = "negotiate refused with " + ntStatusName(r.Status)
	case r.DialectIndex == noDialect:
		d.Evidence = "no dialect accepted"
	case r.DialectIndex != 0 || r.WordCount != 17:
		d.Evidence = fmt.Sprintf("odd negotiate response (dialect index %d, %d words)", r.DialectIndex, r.WordCount)
		d.Verdict = SMB1Unknown
	default:
		d = SMB1Details{Verdict: SMB1Accepted, Evidence: "NT LM 0.12 negotiate response", Domain: r.Domain, Server: r.Server,
			SigningEnabled:  r.SecurityMode&SMB1SigningEnabled != 0,
			SigningRequired: r.SecurityMode&SMB1SigningRequired != 0}
	}
	return probes.Answer{Service: &probes.Service{Protocol: "smb", Summary: "SMB1 " + d.Verdict, Details: d}}
}

// Probe identifies an SMB server on TCP 445: the SMB2 negotiate on one
// connection, then the SMB1-only negotiate on a second. When SMB2 gets no
// answer, an accepted SMB1 negotiate still confirms an SMB1-only server.
type Probe struct {
	Dialer  probes.Dialer
	Timeout time.Duration // per connection and per conversation
	Retries int           // TCP connect retries after a timeout
	// SkipSMB1 leaves out the second connection.
	SkipSMB1 bool
	Now      func() time.Time
}

// Probe runs both negotiates against t.
func (p Probe) Probe(ctx context.Context, t probes.Target) probes.Result {
	tcp := probes.TCP{Dialer: p.Dialer, Timeout: p.Timeout, Retries: p.Retries, Talk: Negotiate{}, Now: p.Now}
	r := tcp.Probe(ctx, t)
	if p.SkipSMB1 || !r.State.Reachable() || ctx.Err() != nil {
		return r
	}
	tcp.Talk, tcp.Retries = smb1Negotiate{}, 0
	second := tcp.Probe(ctx, t)
	if second.OutOfDescriptors() {
		return second
	}
	r.Attempts += second.Attempts
	verdict := smb1Verdict(second)
	if r.State == probes.Confirmed {
		d, ok := r.Service.Details.(Details)
		if ok && r.Service.Protocol == "smb2" {
			d.SMB1 = &verdict
			r.Service.Details, r.Service.Summary = d, d.Summary()
		}
		return r
	}
	if verdict.Verdict == SMB1Accepted {
		// An SMB1-only server: its signing policy is the SMB1 one.
		d := Details{Dialect: "1", SMB1: &verdict, SigningEnabled: verdict.SigningEnabled, SigningRequired: verdict.SigningRequired}
		second.Service = &probes.Service{Protocol: "smb", Summary: d.Summary(), Details: d}
		second.Attempts = r.Attempts
		if r.Note != "" {
			second.Note = "SMB2 negotiate: " + r.Note
		}
		return second
	}
	return r
}

// smb1Verdict reads the SMB1 connection's result. A close or reset right
// after the negotiate is how Windows and Samba refuse SMB1; a timeout or a
// failed connect proves nothing.
func smb1Verdict(r probes.Result) SMB1Details {
	if r.Service != nil {
		if d, ok := r.Service.Details.(SMB1Details); ok {
			return d
		}
	}
	switch {
	case r.State == probes.Open && r.Reason == probes.ReasonClosedEarly:
		return SMB1Details{Verdict: SMB1Rejected, Evidence: r.Note}
	case r.State == probes.Open && r.Reason == probes.ReasonUnexpectedReply:
		return SMB1Details{Verdict: SMB1Unknown, Evidence: "unexpected reply, " + r.Note}
	case r.Note != "":
		return SMB1Details{Verdict: SMB1Unknown, Evidence: r.Note}
	}
	return SMB1Details{Verdict: SMB1Unknown, Evidence: "second connection: " + r.String()}
}

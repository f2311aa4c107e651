package kpasswd

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/kerberos"
)

// Protocol versions (RFC 3244 2 and 3).
const (
	VersionChange = 0x0001 // the change-password protocol of RFC 3244's predecessor; also the reply's version
	VersionSet    = 0xff80 // Microsoft's set-password extension (RFC 3244 2)
)

// Result codes of the reply's e-data or KRB-PRIV user-data (RFC 3244 2).
var resultNames = map[uint16]string{
	0: "success",
	1: "malformed",
	2: "hard error",
	3: "authentication error",
	4: "soft error",
	5: "access denied",
	6: "bad version",
	7: "initial flag needed",
}

// ResultName names a result code.
func ResultName(code uint16) string {
	if n, ok := resultNames[code]; ok {
		return n
	}
	return fmt.Sprintf("result %d", code)
}

// emptyAPReq is an AP-REQ (APPLICATION 14, RFC 4120 5.5.1) holding an
// empty SEQUENCE: well-formed DER that no KDC can authenticate.
var emptyAPReq = []byte{0x6e, 0x02, 0x30, 0x00}

// emptyPriv is a KRB-PRIV (APPLICATION 21, RFC 4120 5.7.1) holding an
// empty SEQUENCE.
var emptyPriv = []byte{0x75, 0x02, 0x30, 0x00}

// AppendRequest appends an RFC 3244 request: message length (2 bytes,
// the whole message), version, AP-REQ length, AP-REQ, KRB-PRIV.
func AppendRequest(b []byte, version uint16, apReq, priv []byte) []byte {
	n := 6 + len(apReq) + len(priv)
	b = binary.BigEndian.AppendUint16(b, uint16(n))
	b = binary.BigEndian.AppendUint16(b, version)
	b = binary.BigEndian.AppendUint16(b, uint16(len(apReq)))
	b = append(b, apReq...)
	return append(b, priv...)
}

// Reply is what a kpasswd server answered.
type Reply struct {
	// Framed is false for a bare KRB-ERROR without the RFC 3244 header.
	Framed  bool
	Version uint16
	// APRepLength is the AP-REP length field: 0 with a KRB-ERROR.
	APRepLength int
	// Error is the KRB-ERROR, when the reply carries one.
	Error *kerberos.Reply
	// ResultCode and ResultString come from the KRB-ERROR's e-data.
	ResultCode   uint16
	HasResult    bool
	ResultString string
}

var errNotKpasswd = errors.New("kpasswd: not a kpasswd reply")

// krbErrorTag is APPLICATION 30, constructed: the first byte of a KRB-ERROR.
const krbErrorTag = 0x7e

// ParseReply reads a reply (RFC 3244 3): the framed form, or a bare
// KRB-ERROR. A reply with an AP-REP (a password actually handled) is read
// as far as its header; the KRB-PRIV is not decrypted.
func ParseReply(b []byte) (Reply, error) {
	if len(b) > 0 && b[0] == krbErrorTag {
		return bareError(b)
	}
	if len(b) < 6 {
		return Reply{}, fmt.Errorf("%w: %d bytes", errNotKpasswd, len(b))
	}
	r := Reply{Framed: true}
	length := int(binary.BigEndian.Uint16(b[0:]))
	r.Version = binary.BigEndian.Uint16(b[2:])
	r.APRepLength = int(binary.BigEndian.Uint16(b[4:]))
	if length != len(b) {
		return Reply{}, fmt.Errorf("%w: message length %d, got %d bytes", errNotKpasswd, length, len(b))
	}
	if r.Version != VersionChange && r.Version != VersionSet {
		return Reply{}, fmt.Errorf("%w: version %#04x", errNotKpasswd, r.Version)
	}
	body := b[6:]
	if r.APRepLength > len(body) {
		return Reply{}, fmt.Errorf("%w: AP-REP length %d beyond the message", errNotKpasswd, r.APRepLength)
	}
	if r.APRepLength > 0 {
		// AP-REP (APPLICATION 15) then KRB-PRIV (APPLICATION 21).
		if body[0] != 0x6f || len(body) == r.APRepLength || body[r.APRepLength] != 0x75 {
			return Reply{}, fmt.Errorf("%w: AP-REP and KRB-PRIV expected", errNotKpasswd)
		}
		return r, nil
	}
	e, err := bareError(body)
	if err != nil {
		return Reply{}, err
	}
	e.Framed, e.Version, e.APRepLength = true, r.Version, 0
	return e, nil
}

// bareError reads a KRB-ERROR and the result code of its e-data.
func bareError(b []byte) (Reply, error) {
	kr, err := kerberos.ParseReply(b)
	if err != nil {
		return Reply{}, fmt.Errorf("kpasswd: %w", err)
	}
	if kr.MsgType != kerberos.MsgKRBError {
		return Reply{}, fmt.Errorf("%w: an AS-REP", errNotKpasswd)
	}
	r := Reply{Error: &kr}
	if len(kr.EData) >= 2 {
		r.ResultCode, r.HasResult = binary.BigEndian.Uint16(kr.EData), true
		r.ResultString = probes.Printable(bytes.TrimRight(kr.EData[2:], "\r\n\x00"), 120)
	}
	return r, nil
}

// Request is the probe: the probes.Datagram for UDP 464 and the
// probes.Conversation for TCP 464.
type Request struct{}

// Details is what the service answered.
type Details struct {
	Transport    string `json:"transport"`
	Framed       bool   `json:"framed"` // false: a bare KRB-ERROR
	Version      uint16 `json:"version,omitempty"`
	ErrorCode    int32  `json:"error_code,omitempty"`
	ErrorName    string `json:"error_name,omitempty"`
	ResultCode   *int   `json:"result_code,omitempty"`
	Result       string `json:"result,omitempty"`
	ResultString string `json:"result_string,omitempty"`
	EText        string `json:"e_text,omitempty"`
	Realm        string `json:"realm,omitempty"`
}

func request() []byte { return AppendRequest(nil, VersionSet, emptyAPReq, emptyPriv) }

// Request implements probes.Datagram.
func (Request) Request(probes.Target, int) []byte { return request() }

// Parse implements probes.Datagram.
func (Request) Parse(_, reply []byte) (*probes.Service, error) { return service("udp", reply) }

// Converse implements probes.Conversation: the request behind a record
// mark, and the reply record.
func (Request) Converse(_ context.Context, conn net.Conn, _ probes.Target) probes.Answer {
	if _, err := conn.Write(kerberos.AppendRecord(nil, request())); err != nil {
		return probes.Answer{Err: err}
	}
	msg, unexpected, err := kerberos.ReadRecord(conn)
	if err != nil {
		if unexpected != nil {
			return probes.Answer{Unexpected: unexpected}
		}
		return probes.Answer{Err: err}
	}
	svc, err := service("tcp", msg)
	if err != nil {
		return probes.Answer{Unexpected: kerberos.AppendRecord(nil, msg)}
	}
	return probes.Answer{Service: svc}
}

func service(transport string, b []byte) (*probes.Service, error) {
	r, err := ParseReply(b)
	if err != nil {
		return nil, err
	}
	d := Details{Transport: transport, Framed: r.Framed, Version: r.Version}
	summary := "kpasswd"
	if r.Error != nil {
		d.ErrorCode, d.ErrorName = r.Error.ErrorCode, kerberos.ErrorName(r.Error.ErrorCode)
		d.EText, d.Realm = r.Error.EText, r.Error.Realm
		summary += fmt.Sprintf(": Kerberos error %d %s", d.ErrorCode, d.ErrorName)
	}
	if r.HasResult {
		code := int(r.ResultCode)
		d.ResultCode, d.Result, d.ResultString = &code, ResultName(r.ResultCode), r.ResultString
		summary += ", result " + d.Result
		if d.ResultString != "" {
			summary += " (" + probes.Printable([]byte(d.ResultString), 60) + ")"
		}
	}
	if r.APRepLength > 0 {
		summary += ": AP-REP with KRB-PRIV"
	}
	return &probes.Service{Protocol: "kpasswd", Summary: summary, Details: d}, nil
}

package kerberos

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"time"

	"github.com/winreach/winreach/probes"
)

// Defaults of ASRequest.
const (
	// DefaultRealm is sent when the target's realm is not known.
	DefaultRealm = "WINREACH"
	// DefaultClient names a principal that should exist nowhere, so that
	// a KDC answers KDC_ERR_C_PRINCIPAL_UNKNOWN instead of issuing
	// anything.
	DefaultClient = "winreach-nonexistent"
	// farFuture is the "till" kinit sends when no lifetime is asked for
	// (RFC 4120 5.4.1: a KDC caps it at its own maximum).
	farFuture = "20370913024805Z"
	// kdcOptions: forwardable, proxiable, renewable, renewable-ok, as in
	// nmap's probe (RFC 4120 5.4.1 bit numbers 1, 3, 8, 27).
	kdcOptions = 0x50800010
	// maxRecord bounds a TCP reply; a KRB-ERROR is a few hundred bytes
	// and an AS-REP a few kilobytes.
	maxRecord = 64 << 10
)

// RealmNote explains why the realm of a KRB-ERROR proves nothing about the
// KDC's own realm.
const RealmNote = "the realm of a KRB-ERROR echoes the realm of the request (RFC 4120 5.9.1); it does not tell the KDC's realm"

// ASRequest probes a KDC with an AS-REQ for Client@Realm. It is the
// probes.Datagram for UDP 88 (RFC 4120 7.2.1) and the probes.Conversation
// for TCP 88 (RFC 4120 7.2.2).
type ASRequest struct {
	// Realm is the realm to ask, e.g. "LAB.TEST" learned from CLDAP or
	// LDAP; DefaultRealm when empty.
	Realm string
	// Client is the client principal's name; DefaultClient when empty.
	Client string
}

// Details is what the KDC answered.
type Details struct {
	Transport   string `json:"transport"`    // "udp" or "tcp"
	MessageType string `json:"message_type"` // "KRB-ERROR" or "AS-REP"
	ErrorCode   int32  `json:"error_code,omitempty"`
	ErrorName   string `json:"error_name,omitempty"`
	// ServerTime is the KDC's clock (stime, susec).
	ServerTime time.Time `json:"server_time,omitzero"`
	// Realm is the KRB-ERROR's realm field; RequestRealm what we sent.
	// They are equal for every KDC this was checked against: see RealmNote.
	Realm        string `json:"realm,omitempty"`
	RequestRealm string `json:"request_realm"`
	RealmNote    string `json:"realm_note,omitempty"`
	// ClientRealm and Client are crealm and cname when the KDC sent them
	// (a WRONG_REALM referral names the client's realm in crealm, RFC 6806).
	ClientRealm string `json:"client_realm,omitempty"`
	Client      string `json:"client,omitempty"`
	Server      string `json:"server,omitempty"`
	EText       string `json:"e_text,omitempty"`
	EDataLength int    `json:"e_data_length,omitempty"`
}

func (a ASRequest) realm() string {
	if a.Realm == "" {
		return DefaultRealm
	}
	return a.Realm
}

// message builds the AS-REQ for one attempt.
func (a ASRequest) message(nonce uint32) []byte {
	client := a.Client
	if client == "" {
		client = DefaultClient
	}
	realm := a.realm()
	return AppendASRequest(nil, ASReq{
		KDCOptions: kdcOptions,
		Client:     &Principal{Type: NameTypePrincipal, Names: []string{client}},
		Realm:      realm,
		Server:     Principal{Type: NameTypeSrvInst, Names: []string{"krbtgt", realm}},
		Till:       farFuture,
		Nonce:      nonce & 0x7fffffff, // positive, as MIT kinit keeps it: fits an Int32 too
		ETypes:     []int32{ETypeAES256, ETypeAES128, ETypeRC4},
	})
}

// Request returns the AS-REQ datagram for one attempt, with a fresh nonce.
func (a ASRequest) Request(_ probes.Target, _ int) []byte {
	return a.message(rand.Uint32())
}

// Parse judges a UDP reply. A KRB-ERROR carries no nonce, so any
// well-formed KRB-ERROR or AS-REP on the connected socket is the answer.
func (a ASRequest) Parse(_, reply []byte) (*probes.Service, error) {
	return a.service("udp", reply)
}

// Converse sends the AS-REQ as a TCP record and reads the reply record.
func (a ASRequest) Converse(_ context.Context, conn net.Conn, _ probes.Target) probes.Answer {
	if _, err := conn.Write(AppendRecord(nil, a.message(rand.Uint32()))); err != nil {
		return probes.Answer{Err: err}
	}
	msg, unexpected, err := ReadRecord(conn)
	if err != nil {
		if unexpected != nil {
			return probes.Answer{Unexpected: unexpected}
		}
		return probes.Answer{Err: err}
	}
	svc, err := a.service("tcp", msg)
	if err != nil {
		return probes.Answer{Unexpected: AppendRecord(nil, msg)}
	}
	return probes.Answer{Service: svc}
}

// errNotRecord: the bytes are not a Kerberos TCP record.
var errNotRecord = errors.New("kerberos: not a TCP record")

// ReadRecord reads one TCP record (RFC 4120 7.2.2): a 4-byte big-endian
// length whose high bit is reserved, then the message, at most maxRecord
// bytes. For bytes that cannot be a record, or a record cut short by
// bytes that cannot start a KDC reply, unexpected holds what came (with
// err set); a read error alone leaves it nil.
func ReadRecord(r io.Reader) (msg, unexpected []byte, err error) {
	var mark [4]byte
	n, err := io.ReadFull(r, mark[:])
	if err != nil {
		if n > 0 && mark[0]&0x80 != 0 {
			return nil, mark[:n], errNotRecord
		}
		return nil, nil, err
	}
	length := binary.BigEndian.Uint32(mark[:])
	if length == 0 || length > maxRecord {
		// The reserved high bit, or a length no KDC reply has: not a
		// Kerberos record mark (RFC 4120 7.2.2).
		return nil, mark[:], errNotRecord
	}
	msg = make([]byte, length)
	if n, err := io.ReadFull(r, msg); err != nil {
		if n > 0 && msg[0]&0xe0 != classApplication {
			return nil, append(mark[:], msg[:n]...), errNotRecord
		}
		return nil, nil, err
	}
	return msg, nil, nil
}

// service turns a reply into the Service of a confirmed KDC.
func (a ASRequest) service(transport string, msg []byte) (*probes.Service, error) {
	r, err := ParseReply(msg)
	if err != nil {
		return nil, err
	}
	d := &Details{Transport: transport, RequestRealm: a.realm()}
	if r.Client != nil {
		d.Client = r.Client.String()
	}
	d.ClientRealm = r.ClientRealm
	svc := &probes.Service{Protocol: "kerberos", Details: d}
	if r.MsgType == MsgASRep {
		d.MessageType = "AS-REP"
		svc.Summary = fmt.Sprintf("Kerberos AS-REP for %s@%s without pre-authentication", d.Client, d.ClientRealm)
		return svc, nil
	}
	d.MessageType = "KRB-ERROR"
	d.ErrorCode, d.ErrorName = r.ErrorCode, ErrorName(r.ErrorCode)
	d.ServerTime, d.Realm, d.Server = r.ServerTime, r.Realm, r.Server.String()
	d.EText, d.EDataLength = r.EText, len(r.EData)
	if d.Realm == d.RequestRealm {
		d.RealmNote = RealmNote
	}
	svc.Summary = fmt.Sprintf("Kerberos error %d %s", r.ErrorCode, shortErrorName(r.ErrorCode))
	if d.RealmNote == "" {
		// Only a realm the KDC did not copy from the request says anything.
		svc.Summary += ", realm " + r.Realm
	}
	if r.ErrorCode == 52 {
		svc.Summary += " (retry over TCP)"
	}
	return svc, nil
}

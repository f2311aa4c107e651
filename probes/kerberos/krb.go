package kerberos

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Message types (RFC 4120 5.10 and 7.5.7): the APPLICATION tag numbers.
const (
	MsgASReq    = 10
	MsgASRep    = 11
	MsgKRBError = 30
)

// Name types (RFC 4120 6.2).
const (
	NameTypeUnknown   = 0 // NT-UNKNOWN
	NameTypePrincipal = 1 // NT-PRINCIPAL
	NameTypeSrvInst   = 2 // NT-SRV-INST, krbtgt/REALM
)

// Encryption types (RFC 3961 8, RFC 3962, RFC 4757).
const (
	ETypeAES256 = 18 // aes256-cts-hmac-sha1-96
	ETypeAES128 = 17 // aes128-cts-hmac-sha1-96
	ETypeRC4    = 23 // rc4-hmac
)

// Principal is a PrincipalName (RFC 4120 5.2.2).
type Principal struct {
	Type  int32    `json:"type"`
	Names []string `json:"names"`
}

func (p Principal) String() string { return strings.Join(p.Names, "/") }

func (p Principal) encode() []byte {
	var names []byte
	for _, n := range p.Names {
		names = appendTLV(names, tagGeneralString, []byte(n))
	}
	seq := append(explicit(0, derInteger(int64(p.Type))), explicit(1, appendTLV(nil, tagSequence, names))...)
	return appendTLV(nil, tagSequence, seq)
}

// ASReq holds the fields of an AS-REQ this package sends.
type ASReq struct {
	// KDCOptions is the 32-bit KDCOptions BIT STRING (RFC 4120 5.4.1),
	// bit 0 the most significant.
	KDCOptions uint32
	// Client is the cname; nil leaves the optional field out.
	Client *Principal
	Realm  string
	// Server is the sname, normally krbtgt/Realm.
	Server Principal
	// Till is the requested end time, as KerberosTime text (RFC 4120 5.2.3:
	// "YYYYMMDDHHMMSSZ").
	Till   string
	Nonce  uint32
	ETypes []int32
}

// AppendASRequest appends the DER encoding of an AS-REQ (RFC 4120 5.4.1):
//
//	AS-REQ ::= [APPLICATION 10] KDC-REQ
//	KDC-REQ ::= SEQUENCE { pvno [1] 5, msg-type [2] 10, req-body [4] KDC-REQ-BODY }
//	KDC-REQ-BODY ::= SEQUENCE { kdc-options [0], cname [1] OPTIONAL,
//	    realm [2], sname [3], till [5], nonce [7], etype [8] }
//
// without padata. Over TCP it needs the 4-byte record mark (AppendRecord).
func AppendASRequest(b []byte, r ASReq) []byte {
	var body []byte
	opts := []byte{0, byte(r.KDCOptions >> 24), byte(r.KDCOptions >> 16), byte(r.KDCOptions >> 8), byte(r.KDCOptions)}
	body = append(body, explicit(0, appendTLV(nil, tagBitString, opts))...) // 0 unused bits
	if r.Client != nil {
		body = append(body, explicit(1, r.Client.encode())...)
	}
	body = append(body, explicit(2, appendTLV(nil, tagGeneralString, []byte(r.Realm)))...)
	body = append(body, explicit(3, r.Server.encode())...)
	body = append(body, explicit(5, appendTLV(nil, tagGeneralizedTime, []byte(r.Till)))...)
	body = append(body, explicit(7, derInteger(int64(r.Nonce)))...)
	var etypes []byte
	for _, e := range r.ETypes {
		etypes = append(etypes, derInteger(int64(e))...)
	}
	body = append(body, explicit(8, appendTLV(nil, tagSequence, etypes))...)

	req := explicit(1, derInteger(5))                                    // pvno
	req = append(req, explicit(2, derInteger(MsgASReq))...)              // msg-type
	req = append(req, explicit(4, appendTLV(nil, tagSequence, body))...) // req-body
	return appendTLV(b, classApplication|MsgASReq, appendTLV(nil, tagSequence, req))
}

// AppendRecord appends msg with the TCP record mark of RFC 4120 7.2.2:
// its length as 4 bytes big-endian, high bit clear.
func AppendRecord(b, msg []byte) []byte {
	n := len(msg)
	b = append(b, byte(n>>24)&0x7f, byte(n>>16), byte(n>>8), byte(n))
	return append(b, msg...)
}

// Reply is a KDC's answer: a KRB-ERROR or an AS-REP.
type Reply struct {
	MsgType int // MsgKRBError or MsgASRep
	// KRB-ERROR fields (RFC 4120 5.9.1).
	ErrorCode   int32
	ServerTime  time.Time // stime + susec
	ClientRealm string    // crealm, optional
	Client      *Principal
	Realm       string // realm: echoes the request's realm
	Server      Principal
	EText       string
	EData       []byte
	// AS-REP fields (RFC 4120 5.4.2): crealm and cname hold the client.
}

// ErrEcho is returned for an AS-REQ: our own request came back (a
// reflector or a loop), not a KDC's answer.
var ErrEcho = errors.New("kerberos: the reply is an AS-REQ, an echo of the request")

// ParseReply reads a KRB-ERROR (APPLICATION 30) or an AS-REP
// (APPLICATION 11); anything else is an error.
func ParseReply(b []byte) (Reply, error) {
	var r Reply
	app, rest, err := readElement(b)
	if err != nil {
		return r, err
	}
	if len(rest) != 0 {
		return r, fmt.Errorf("kerberos: %d bytes after the message", len(rest))
	}
	switch app.tag {
	case classApplication | MsgKRBError:
		r.MsgType = MsgKRBError
	case classApplication | MsgASRep:
		r.MsgType = MsgASRep
	case classApplication | MsgASReq:
		return r, ErrEcho
	default:
		return r, fmt.Errorf("kerberos: not a KRB-ERROR or AS-REP (tag %#x)", app.tag)
	}
	seq, err := inner(app.content, tagSequence)
	if err != nil {
		return r, err
	}
	f, err := fields(seq)
	if err != nil {
		return r, err
	}
	if r.MsgType == MsgASRep {
		return r, r.parseASRep(f)
	}
	return r, r.parseError(f)
}

// parseError reads the KRB-ERROR fields (RFC 4120 5.9.1):
// pvno [0], msg-type [1], ctime [2], cusec [3], stime [4], susec [5],
// error-code [6], crealm [7], cname [8], realm [9], sname [10],
// e-text [11], e-data [12].
func (r *Reply) parseError(f map[int][]byte) error {
	if pvno, err := parseInt(f[0]); err != nil || pvno != 5 {
		return fmt.Errorf("kerberos: pvno %d (%v)", pvno, err)
	}
	if mt, err := parseInt(f[1]); err != nil || mt != MsgKRBError {
		return fmt.Errorf("kerberos: KRB-ERROR msg-type %d (%v)", mt, err)
	}
	code, err := parseInt(f[6])
	if err != nil {
		return fmt.Errorf("kerberos: error-code: %w", err)
	}
	r.ErrorCode = int32(code)
	if t, ok := f[4]; ok {
		if c, err := inner(t, tagGeneralizedTime); err == nil {
			if st, err := time.Parse("20060102150405Z", string(c)); err == nil {
				r.ServerTime = st
				if us, err := parseInt(f[5]); err == nil && us >= 0 && us < 1e6 {
					r.ServerTime = st.Add(time.Duration(us) * time.Microsecond)
				}
			}
		}
	}
	if v, ok := f[7]; ok {
		r.ClientRealm, _ = parseString(v)
	}
	if v, ok := f[8]; ok {
		if p, err := parsePrincipal(v); err == nil {
			r.Client = &p
		}
	}
	if r.Realm, err = parseString(f[9]); err != nil {
		return fmt.Errorf("kerberos: realm: %w", err)
	}
	if v, ok := f[10]; ok {
		r.Server, _ = parsePrincipal(v)
	}
	if v, ok := f[11]; ok {
		r.EText, _ = parseString(v)
	}
	if v, ok := f[12]; ok {
		r.EData, _ = inner(v, tagOctetString)
	}
	return nil
}

// parseASRep reads the clear fields of an AS-REP (RFC 4120 5.4.2):
// pvno [0], msg-type [1], padata [2], crealm [3], cname [4], ticket [5],
// enc-part [6].
func (r *Reply) parseASRep(f map[int][]byte) error {
	if pvno, err := parseInt(f[0]); err != nil || pvno != 5 {
		return fmt.Errorf("kerberos: pvno %d (%v)", pvno, err)
	}
	if mt, err := parseInt(f[1]); err != nil || mt != MsgASRep {
		return fmt.Errorf("kerberos: AS-REP msg-type %d (%v)", mt, err)
	}
	var err error
	if r.ClientRealm, err = parseString(f[3]); err != nil {
		return fmt.Errorf("kerberos: crealm: %w", err)
	}
	p, err := parsePrincipal(f[4])
	if err != nil {
		return fmt.Errorf("kerberos: cname: %w", err)
	}
	r.Client = &p
	return nil
}

// ErrorName returns the RFC 4120 7.5.9 name of a KRB-ERROR code (62-76
// from RFC 4556 and RFC 6806), or "" for an unassigned one.
func ErrorName(code int32) string {
	switch code {
	case 0:
		return "KDC_ERR_NONE"
	case 1:
		return "KDC_ERR_NAME_EXP"
	case 2:
		return "KDC_ERR_SERVICE_EXP"
	case 3:
		return "KDC_ERR_BAD_PVNO"
	case 4:
		return "KDC_ERR_C_OLD_MAST_KVNO"
	case 5:
		return "KDC_ERR_S_OLD_MAST_KVNO"
	case 6:
		return "KDC_ERR_C_PRINCIPAL_UNKNOWN"
	case 7:
		return "KDC_ERR_S_PRINCIPAL_UNKNOWN"
	case 8:
		return "KDC_ERR_PRINCIPAL_NOT_UNIQUE"
	case 9:
		return "KDC_ERR_NULL_KEY"
	case 10:
		return "KDC_ERR_CANNOT_POSTDATE"
	case 11:
		return "KDC_ERR_NEVER_VALID"
	case 12:
		return "KDC_ERR_POLICY"
	case 13:
		return "KDC_ERR_BADOPTION"
	case 14:
		return "KDC_ERR_ETYPE_NOSUPP"
	case 15:
		return "KDC_ERR_SUMTYPE_NOSUPP"
	case 16:
		return "KDC_ERR_PADATA_TYPE_NOSUPP"
	case 17:
		return "KDC_ERR_TRTYPE_NOSUPP"
	case 18:
		return "KDC_ERR_CLIENT_REVOKED"
	case 19:
		return "KDC_ERR_SERVICE_REVOKED"
	case 20:
		return "KDC_ERR_TGT_REVOKED"
	case 21:
		return "KDC_ERR_CLIENT_NOTYET"
	case 22:
		return "KDC_ERR_SERVICE_NOTYET"
	case 23:
		return "KDC_ERR_KEY_EXPIRED"
	case 24:
		return "KDC_ERR_PREAUTH_FAILED"
	case 25:
		return "KDC_ERR_PREAUTH_REQUIRED"
	case 26:
		return "KDC_ERR_SERVER_NOMATCH"
	case 27:
		return "KDC_ERR_MUST_USE_USER2USER"
	case 28:
		return "KDC_ERR_PATH_NOT_ACCEPTED"
	case 29:
		return "KDC_ERR_SVC_UNAVAILABLE"
	case 31:
		return "KRB_AP_ERR_BAD_INTEGRITY"
	case 32:
		return "KRB_AP_ERR_TKT_EXPIRED"
	case 33:
		return "KRB_AP_ERR_TKT_NYV"
	case 34:
		return "KRB_AP_ERR_REPEAT"
	case 35:
		return "KRB_AP_ERR_NOT_US"
	case 36:
		return "KRB_AP_ERR_BADMATCH"
	case 37:
		return "KRB_AP_ERR_SKEW"
	case 38:
		return "KRB_AP_ERR_BADADDR"
	case 39:
		return "KRB_AP_ERR_BADVERSION"
	case 40:
		return "KRB_AP_ERR_MSG_TYPE"
	case 41:
		return "KRB_AP_ERR_MODIFIED"
	case 42:
		return "KRB_AP_ERR_BADORDER"
	case 44:
		return "KRB_AP_ERR_BADKEYVER"
	case 45:
		return "KRB_AP_ERR_NOKEY"
	case 46:
		return "KRB_AP_ERR_MUT_FAIL"
	case 47:
		return "KRB_AP_ERR_BADDIRECTION"
	case 48:
		return "KRB_AP_ERR_METHOD"
	case 49:
		return "KRB_AP_ERR_BADSEQ"
	case 50:
		return "KRB_AP_ERR_INAPP_CKSUM"
	case 51:
		return "KRB_AP_PATH_NOT_ACCEPTED"
	case 52:
		return "KRB_ERR_RESPONSE_TOO_BIG"
	case 60:
		return "KRB_ERR_GENERIC"
	case 61:
		return "KRB_ERR_FIELD_TOOLONG"
	case 62:
		return "KDC_ERROR_CLIENT_NOT_TRUSTED"
	case 63:
		return "KDC_ERROR_KDC_NOT_TRUSTED"
	case 64:
		return "KDC_ERROR_INVALID_SIG"
	case 65:
		return "KDC_ERR_KEY_TOO_WEAK"
	case 66:
		return "KDC_ERR_CERTIFICATE_MISMATCH"
	case 67:
		return "KRB_AP_ERR_NO_TGT"
	case 68:
		return "KDC_ERR_WRONG_REALM"
	case 69:
		return "KRB_AP_ERR_USER_TO_USER_REQUIRED"
	case 70:
		return "KDC_ERR_CANT_VERIFY_CERTIFICATE"
	case 71:
		return "KDC_ERR_INVALID_CERTIFICATE"
	case 72:
		return "KDC_ERR_REVOKED_CERTIFICATE"
	case 73:
		return "KDC_ERR_REVOCATION_STATUS_UNKNOWN"
	case 74:
		return "KDC_ERR_REVOCATION_STATUS_UNAVAILABLE"
	case 75:
		return "KDC_ERR_CLIENT_NAME_MISMATCH"
	case 76:
		return "KDC_ERR_KDC_NAME_MISMATCH"
	}
	return ""
}

// shortErrorName drops the KDC_ERR_/KRB_AP_ERR_/KRB_ERR_ prefix for
// summaries: "C_PRINCIPAL_UNKNOWN".
func shortErrorName(code int32) string {
	n := ErrorName(code)
	for _, p := range []string{"KDC_ERR_", "KDC_ERROR_", "KRB_AP_ERR_", "KRB_ERR_", "KRB_AP_"} {
		if s, ok := strings.CutPrefix(n, p); ok {
			return s
		}
	}
	if n == "" {
		return "unknown"
	}
	return n
}

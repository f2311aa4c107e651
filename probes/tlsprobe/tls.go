package tlsprobe

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/winreach/winreach/probes"
)

// Handshake is the probes.Conversation for implicit-TLS ports.
type Handshake struct {
	// Then, when set, speaks the protocol inside TLS (banner.IMAP{},
	// ldap.RootDSE{}, ...). Nil stops after the handshake.
	Then probes.Conversation
	// Roots verifies the chain; nil means the system roots.
	Roots *x509.CertPool
	// Now is the clock for validity checks; time.Now when nil.
	Now func() time.Time
}

// Details is the Details of a TLS service.
type Details struct {
	// Version is the negotiated version, "TLS 1.3".
	Version     string `json:"version,omitempty"`
	CipherSuite string `json:"cipher_suite,omitempty"`
	// ServerName is the name the certificate was checked against: the
	// target's name, else its address. It was sent as SNI when a name.
	ServerName  string       `json:"server_name"`
	Certificate *Certificate `json:"certificate,omitempty"`
	// Alert is the alert the server answered the handshake with, e.g.
	// "handshake failure"; the service speaks TLS, but not with us.
	Alert string `json:"alert,omitempty"`
	// HandshakeError is why a handshake that got TLS records back failed.
	HandshakeError string `json:"handshake_error,omitempty"`
	// App is what the protocol inside TLS said.
	App *probes.Service `json:"app,omitempty"`
	// AppNote says why App is missing: the inner reply was not the
	// protocol, or nothing came.
	AppNote string `json:"app_note,omitempty"`
}

// Converse implements probes.Conversation.
func (h Handshake) Converse(ctx context.Context, conn net.Conn, t probes.Target) probes.Answer {
	now := time.Now
	if h.Now != nil {
		now = h.Now
	}
	rec := &recordingConn{Conn: conn}
	name := serverName(t)
	cfg := &tls.Config{
		// Verification is done by hand in Inspect, so that a self-signed
		// or expired certificate is reported rather than refused.
		InsecureSkipVerify: true,
		MinVersion:         tls.VersionTLS10,
		CipherSuites:       allCipherSuites(),
	}
	if t.Name != "" && net.ParseIP(t.Name) == nil {
		cfg.ServerName = t.Name
	}
	tc := tls.Client(rec, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		return handshakeFailure(err, rec.first, name)
	}
	d := Inspect(tc.ConnectionState(), name, h.Roots, now())
	if h.Then != nil {
		a := h.Then.Converse(ctx, tc, t)
		switch {
		case a.Service != nil:
			d.App = a.Service
		case len(a.Unexpected) > 0:
			d.AppNote = "unexpected reply inside TLS, " + probes.UnexpectedNote(a.Unexpected)
		case a.Err != nil:
			d.AppNote = "no answer inside TLS: " + a.Err.Error()
		}
	}
	protocol := "tls"
	if d.App != nil {
		protocol = "tls+" + d.App.Protocol
	}
	return probes.Answer{Service: &probes.Service{Protocol: protocol, Summary: d.Summary(), Details: d}}
}

// handshakeFailure judges a failed handshake by what the server sent.
func handshakeFailure(err error, first []byte, name string) probes.Answer {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "remote error" {
		// crypto/tls reports a received fatal alert this way (conn.go).
		d := Details{ServerName: name, Alert: strings.TrimPrefix(op.Err.Error(), "tls: ")}
		if level, desc, ok := ParseAlert(first); ok && level == alertLevelFatal {
			d.Alert = alertName(desc)
		}
		return probes.Answer{Service: &probes.Service{Protocol: "tls", Summary: d.Summary(), Details: d}}
	}
	if len(first) == 0 {
		return probes.Answer{Err: err}
	}
	if IsServerHello(first) {
		// The server answered with a whole ServerHello; the handshake
		// failed later (no common cipher, a certificate Go cannot parse).
		// A record header alone is not enough: a tarpit sends one and
		// stalls (issue 14).
		d := Details{ServerName: name, HandshakeError: err.Error()}
		return probes.Answer{Service: &probes.Service{Protocol: "tls", Summary: d.Summary(), Details: d}}
	}
	if level, desc, ok := ParseAlert(first); ok {
		d := Details{ServerName: name, Alert: alertName(desc)}
		if level != alertLevelFatal {
			d.Alert += " (warning)"
		}
		return probes.Answer{Service: &probes.Service{Protocol: "tls", Summary: d.Summary(), Details: d}}
	}
	return probes.Answer{Unexpected: first}
}

// serverName is the name the certificate should carry: the target's name,
// else its address.
func serverName(t probes.Target) string {
	if t.Name != "" {
		return t.Name
	}
	return t.Addr.Unmap().String()
}

// allCipherSuites lists every TLS 1.0-1.2 suite crypto/tls implements,
// the insecure ones too: old Windows servers offer only RSA key exchange
// or 3DES, and a probe must still complete the handshake to see the
// certificate. Nothing secret travels over the connection.
func allCipherSuites() []uint16 {
	var ids []uint16
	for _, s := range tls.CipherSuites() {
		ids = append(ids, s.ID)
	}
	for _, s := range tls.InsecureCipherSuites() {
		ids = append(ids, s.ID)
	}
	return ids
}

// Summary is a table line: "TLS 1.3, CN=mail.lab.test (self-signed,
// expires 2027-11-25), * OK Dovecot ready".
func (d Details) Summary() string {
	if d.Alert != "" {
		return "TLS alert: " + d.Alert
	}
	if d.Version == "" {
		s := "TLS handshake failed"
		if d.HandshakeError != "" {
			s += ": " + strings.TrimPrefix(d.HandshakeError, "tls: ")
		}
		return s
	}
	parts := []string{d.Version}
	if c := d.Certificate; c != nil {
		parts = append(parts, c.summary())
	}
	if d.App != nil && d.App.Summary != "" {
		parts = append(parts, d.App.Summary)
	}
	return strings.Join(parts, ", ")
}

// maxRecorded bounds the bytes kept of what the server sent first: a
// ServerHello (RFC 8446 4.1.3, RFC 5246 7.4.1.3) fits many times over.
const maxRecorded = 2048

// recordingConn keeps the first bytes read, to judge a failed handshake.
type recordingConn struct {
	net.Conn
	first []byte
}

func (c *recordingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if room := maxRecorded - len(c.first); room > 0 && n > 0 {
		c.first = append(c.first, b[:min(n, room)]...)
	}
	return n, err
}

// TLS record layer (RFC 8446 5.1, RFC 5246 6.2.1): type, legacy version
// 3.x, length.
const (
	recordHeaderLen     = 5
	recordTypeAlert     = 21
	recordTypeHandshake = 22
	alertLevelWarning   = 1
	alertLevelFatal     = 2
	// maxRecordLen is the largest TLSCiphertext (RFC 8446 5.2: 2^14+256;
	// RFC 5246 6.2.3 allows 2^14+2048).
	maxRecordLen = 1<<14 + 2048
	// handshakeServerHello is HandshakeType server_hello (RFC 8446 4).
	handshakeServerHello = 2
	// minServerHello is the shortest ServerHello body: version (2),
	// random (32), session ID length (1), cipher suite (2), compression
	// method (1).
	minServerHello = 38
)

// IsServerHello reports whether b starts with a TLS handshake record that
// holds a whole ServerHello message (RFC 8446 4.1.3, RFC 5246 7.4.1.3):
// record header, handshake type 2, a body length the record carries and
// that has fully arrived, and a 3.x version. It is what "the server speaks
// TLS" means when the handshake then fails.
func IsServerHello(b []byte) bool {
	if len(b) < recordHeaderLen+4+minServerHello || b[0] != recordTypeHandshake || b[1] != 3 || b[2] > 4 {
		return false
	}
	recLen := int(b[3])<<8 | int(b[4])
	if recLen > maxRecordLen {
		return false
	}
	hs := b[recordHeaderLen:]
	n := int(hs[1])<<16 | int(hs[2])<<8 | int(hs[3])
	if hs[0] != handshakeServerHello || n < minServerHello || 4+n > recLen || 4+n > len(hs) {
		return false
	}
	body := hs[4 : 4+n]
	if body[0] != 3 || body[1] > 4 {
		return false
	}
	sid := int(body[34])
	return sid <= 32 && 35+sid+3 <= n
}

// ParseAlert reads a plaintext alert record (RFC 5246 7.2, RFC 8446 6):
// 15 03 0x 00 02 level description.
func ParseAlert(b []byte) (level, description byte, ok bool) {
	if len(b) < 7 || b[0] != recordTypeAlert || b[1] != 3 || b[2] > 4 || !bytes.Equal(b[3:5], []byte{0, 2}) {
		return 0, 0, false
	}
	if b[5] != alertLevelWarning && b[5] != alertLevelFatal {
		return 0, 0, false
	}
	return b[5], b[6], true
}

// alertName names an AlertDescription (RFC 8446 6, RFC 5246 7.2).
func alertName(d byte) string {
	switch d {
	case 0:
		return "close notify"
	case 10:
		return "unexpected message"
	case 20:
		return "bad record MAC"
	case 22:
		return "record overflow"
	case 40:
		return "handshake failure"
	case 42:
		return "bad certificate"
	case 43:
		return "unsupported certificate"
	case 44:
		return "revoked certificate"
	case 45:
		return "expired certificate"
	case 46:
		return "unknown certificate"
	case 47:
		return "illegal parameter"
	case 48:
		return "unknown certificate authority"
	case 49:
		return "access denied"
	case 50:
		return "error decoding message"
	case 51:
		return "error decrypting message"
	case 70:
		return "protocol version not supported"
	case 71:
		return "insufficient security level"
	case 80:
		return "internal error"
	case 86:
		return "inappropriate fallback"
	case 90:
		return "user canceled"
	case 109:
		return "missing extension"
	case 110:
		return "unsupported extension"
	case 112:
		return "unrecognized name"
	case 116:
		return "certificate required"
	case 120:
		return "no application protocol"
	}
	return "alert " + strconv.Itoa(int(d))
}

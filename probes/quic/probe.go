package quic

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/winreach/winreach/probes"
)

// ALPNSMB is the ALPN protocol ID of SMB over QUIC ([MS-SMB2] 2.1, the
// SMB over QUIC documentation).
const ALPNSMB = "smb"

// Probe is the prober for UDP 443: a QUIC version 1 Initial carrying a
// TLS 1.3 ClientHello with ALPN "smb" (crypto/tls' QUIC API writes the
// ClientHello; this package frames and protects it), then the server's
// answer, judged through probes.UDP (retries, ICMP errors, timing).
type Probe struct {
	Dialer  probes.Dialer // nil: a net.Dialer
	Timeout time.Duration // per attempt; 2 s when zero
	Retries int
	// ALPN is the protocol offered; ALPNSMB when empty.
	ALPN string
}

// Details is what the QUIC listener answered.
type Details struct {
	ALPN string `json:"alpn"` // the protocol offered
	// Outcome is "handshake" (a ServerHello or Handshake packets: the
	// server took the ClientHello and so the ALPN), "hello-retry" (a
	// HelloRetryRequest, ALPN not yet decided), "version-negotiation",
	// "retry" (address validation first, ALPN not tested) or
	// "connection-close".
	Outcome string `json:"outcome"`
	// Accepted: the server accepted the ALPN offered.
	Accepted bool `json:"accepted"`
	// Versions are the versions a Version Negotiation packet lists.
	Versions         []string `json:"versions,omitempty"`
	CipherSuite      string   `json:"cipher_suite,omitempty"`
	HandshakePackets int      `json:"handshake_packets,omitempty"`
	// Close is the CONNECTION_CLOSE, when the server refused.
	Close *CloseDetails `json:"close,omitempty"`
}

// CloseDetails is a CONNECTION_CLOSE (RFC 9000 19.19).
type CloseDetails struct {
	Code   uint64 `json:"code"`
	Name   string `json:"name"`
	Alert  string `json:"alert,omitempty"` // the TLS alert of a CRYPTO_ERROR
	Reason string `json:"reason,omitempty"`
}

func (p Probe) alpn() string {
	if p.ALPN == "" {
		return ALPNSMB
	}
	return p.ALPN
}

// Probe sends Initial packets to t and judges the answer.
func (p Probe) Probe(ctx context.Context, t probes.Target) probes.Result {
	scid := make([]byte, 8)
	_, _ = rand.Read(scid)
	hello, err := ClientHello(ctx, t.Name, p.alpn(), scid)
	if err != nil {
		return probes.Result{State: probes.NotTested, Reason: probes.ReasonLocalError, Note: "building the TLS ClientHello: " + err.Error()}
	}
	dialer := p.Dialer
	if dialer == nil {
		dialer = &net.Dialer{}
	}
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	x := Exchange{ALPN: p.alpn(), SCID: scid, ClientHello: hello}
	return probes.UDP{Dialer: dialer, Timeout: timeout, Retries: p.Retries, Exchange: x}.Probe(ctx, t)
}

// ClientHello runs crypto/tls' QUIC client far enough to get its
// ClientHello (RFC 9001 4.1): TLS 1.3, the ALPN protocol, SNI when
// serverName is a name, X25519 or P-256 key shares (a post-quantum share
// would not fit one Initial packet), and the QUIC transport parameters
// naming scid (RFC 9000 7.3, 18.2).
func ClientHello(ctx context.Context, serverName, alpn string, scid []byte) ([]byte, error) {
	cfg := &tls.Config{
		ServerName: serverName,
		NextProtos: []string{alpn},
		MinVersion: tls.VersionTLS13,
		// The probe stops at the ServerHello and never authenticates the
		// server: no certificate is ever received, let alone trusted.
		InsecureSkipVerify: true,
		CurvePreferences:   []tls.CurveID{tls.X25519, tls.CurveP256},
	}
	q := tls.QUICClient(&tls.QUICConfig{TLSConfig: cfg})
	defer q.Close()
	q.SetTransportParameters(TransportParameters(scid))
	if err := q.Start(ctx); err != nil {
		return nil, err
	}
	var hello []byte
	for range 16 {
		e := q.NextEvent()
		switch e.Kind {
		case tls.QUICNoEvent:
			if len(hello) == 0 {
				return nil, errors.New("no ClientHello")
			}
			return hello, nil
		case tls.QUICWriteData:
			if e.Level == tls.QUICEncryptionLevelInitial {
				hello = append(hello, e.Data...)
			}
		case tls.QUICErrorEvent:
			return nil, e.Err
		}
	}
	return nil, errors.New("no end to the TLS events")
}

// TransportParameters encodes the client's transport parameters (RFC
// 9000 18.2): initial_source_connection_id, which a client must send,
// and a max_idle_timeout of 10 s.
func TransportParameters(scid []byte) []byte {
	var b []byte
	b = AppendVarint(b, 0x0f) // initial_source_connection_id
	b = AppendVarint(b, uint64(len(scid)))
	b = append(b, scid...)
	idle := AppendVarint(nil, 10000)
	b = AppendVarint(b, 0x01) // max_idle_timeout, milliseconds
	b = AppendVarint(b, uint64(len(idle)))
	return append(b, idle...)
}

// Exchange is the probes.Datagram of one probe: every attempt is an
// Initial packet with a fresh Destination Connection ID (so fresh keys)
// carrying the same ClientHello from SCID.
type Exchange struct {
	ALPN        string
	SCID        []byte
	ClientHello []byte
}

// Request returns one Initial datagram.
func (x Exchange) Request(probes.Target, int) []byte {
	dcid := make([]byte, 8)
	_, _ = rand.Read(dcid)
	b, err := AppendClientInitial(nil, dcid, x.SCID, nil, x.ClientHello)
	if err != nil {
		return nil
	}
	return b
}

// AppendClientInitial appends a client's first Initial packet: packet
// number 0, a CRYPTO frame with the ClientHello, PADDING up to a
// 1200-octet datagram (RFC 9000 14.1), sealed with the Initial keys of
// dcid (RFC 9001 5.2).
func AppendClientInitial(b, dcid, scid, token, hello []byte) ([]byte, error) {
	payload := AppendCryptoFrame(nil, 0, hello)
	// Header: first octet, version, two connection IDs with their length
	// octets, the token and its length, a 2-octet Length, the packet
	// number; the AEAD adds 16.
	head := 1 + 4 + 1 + len(dcid) + 1 + len(scid) + len(AppendVarint(nil, uint64(len(token)))) + len(token) + 2 + pnLen
	if pad := MinInitialDatagram - head - len(payload) - 16; pad > 0 {
		payload = append(payload, make([]byte, pad)...)
	}
	client, _ := InitialKeys(dcid)
	return SealInitial(b, InitialPacket{DCID: dcid, SCID: scid, Token: token, Payload: payload}, client)
}

// Parse judges a datagram sent in answer to req.
func (x Exchange) Parse(req, reply []byte) (*probes.Service, error) {
	rh, _, err := ParseLongHeader(req)
	if err != nil {
		return nil, fmt.Errorf("quic: own request: %w", err)
	}
	d, err := Judge(rh.DCID, rh.SCID, reply)
	if err != nil {
		return nil, err
	}
	d.ALPN = x.ALPN
	d.Accepted = d.Outcome == "handshake"
	return service(d), nil
}

// Judge reads a datagram a server sent to a client whose first Initial
// had Destination Connection ID dcid and Source Connection ID scid:
// Version Negotiation, Retry, or Initial and Handshake packets
// (coalesced, RFC 9000 12.2). It returns probes.ErrNotForUs (wrapped)
// for packets addressed to another connection and for Initial packets
// that decide nothing yet (an ACK alone).
func Judge(dcid, scid, reply []byte) (Details, error) {
	var d Details
	buf := append([]byte(nil), reply...)
	h, _, err := ParseLongHeader(buf)
	if err != nil {
		return d, err
	}
	if h.Version == 0 {
		return versionNegotiation(dcid, scid, buf)
	}
	_, server := InitialKeys(dcid)
	var frames []Frames
	for len(buf) > 0 && buf[0]&0x80 != 0 {
		h, _, err := ParseLongHeader(buf)
		if err != nil {
			return d, err
		}
		if bytes.Equal(h.DCID, dcid) && bytes.Equal(h.SCID, scid) && len(dcid) > 0 {
			return d, errors.New("quic: our own Initial came back (a reflector)")
		}
		if !bytes.Equal(h.DCID, scid) {
			return d, fmt.Errorf("%w: destination connection ID %x", probes.ErrNotForUs, h.DCID)
		}
		if h.Version != Version1 {
			return d, fmt.Errorf("quic: version %#x in a long header", h.Version)
		}
		switch h.Type {
		case TypeRetry:
			if err := CheckRetry(buf, dcid); err != nil {
				return d, fmt.Errorf("%w: %v", probes.ErrNotForUs, err)
			}
			d.Outcome = "retry"
			return d, nil
		case TypeInitial:
			p, rest, err := OpenInitial(buf, server)
			if err != nil {
				return d, err
			}
			f, err := ParseFrames(p.Payload)
			if err != nil {
				return d, err
			}
			frames = append(frames, f)
			buf = rest
		default: // Handshake and 0-RTT: keys this probe does not have
			if h.Type == TypeHandshake {
				d.HandshakePackets++
			}
			_, rest, err := SkipPacket(buf)
			if err != nil {
				return d, err
			}
			buf = rest
		}
	}
	for _, f := range frames {
		if f.Close != nil {
			d.Outcome = "connection-close"
			d.Close = &CloseDetails{Code: f.Close.Code, Name: f.Close.CodeName(), Reason: f.Close.Reason}
			if a, ok := f.Close.Alert(); ok {
				d.Close.Alert = AlertName(a)
			}
			return d, nil
		}
	}
	for _, f := range frames {
		if f.CryptoAt == 0 && len(f.Crypto) > 0 {
			sh, err := ParseServerHello(f.Crypto)
			if err != nil && !errors.Is(err, errShort) {
				return d, err
			}
			d.Outcome = "handshake"
			if sh.HelloRetry {
				d.Outcome = "hello-retry"
			}
			if sh.CipherSuite != 0 {
				d.CipherSuite = tls.CipherSuiteName(sh.CipherSuite)
			}
			return d, nil
		}
	}
	if d.HandshakePackets > 0 {
		// Handshake keys exist only after a ServerHello: the Initial
		// that carried it was lost or comes later.
		d.Outcome = "handshake"
		return d, nil
	}
	return d, fmt.Errorf("%w: Initial packets without a decision (ACK only)", probes.ErrNotForUs)
}

// versionNegotiation reads a Version Negotiation packet (RFC 9000 17.2.1):
// it must echo the client's connection IDs, swapped.
func versionNegotiation(dcid, scid, b []byte) (Details, error) {
	var d Details
	h, i, err := ParseLongHeader(b)
	if err != nil {
		return d, err
	}
	if !bytes.Equal(h.DCID, scid) || !bytes.Equal(h.SCID, dcid) {
		return d, fmt.Errorf("%w: version negotiation for another connection", probes.ErrNotForUs)
	}
	list := b[i:]
	if len(list) == 0 || len(list)%4 != 0 {
		return d, fmt.Errorf("quic: version list of %d octets", len(list))
	}
	for ; len(list) > 0 && len(d.Versions) < 64; list = list[4:] {
		d.Versions = append(d.Versions, VersionName(binary.BigEndian.Uint32(list)))
	}
	d.Outcome = "version-negotiation"
	return d, nil
}

// VersionName names a QUIC version (RFC 9000 15, RFC 9369, the IANA
// registry's drafts and greasing pattern).
func VersionName(v uint32) string {
	switch {
	case v == Version1:
		return "v1"
	case v == 0x6b3343cf:
		return "v2"
	case v&0xffffff00 == 0xff000000:
		return fmt.Sprintf("draft-%d", v&0xff)
	case v&0x0f0f0f0f == 0x0a0a0a0a:
		return fmt.Sprintf("grease-%08x", v)
	}
	return fmt.Sprintf("%#08x", v)
}

func service(d Details) *probes.Service {
	var summary string
	switch d.Outcome {
	case "handshake":
		summary = "QUIC v1 handshake with ALPN " + d.ALPN
		if d.ALPN == ALPNSMB {
			summary = "SMB over QUIC: QUIC v1 handshake with ALPN smb"
		}
		if d.CipherSuite != "" {
			summary += " (" + d.CipherSuite + ")"
		}
	case "hello-retry":
		summary = "QUIC listener: TLS HelloRetryRequest, ALPN " + d.ALPN + " not yet decided"
	case "version-negotiation":
		summary = "QUIC listener without version 1 (versions " + strings.Join(d.Versions, ", ") + ")"
	case "retry":
		summary = "QUIC listener asking for address validation (Retry); ALPN " + d.ALPN + " not tested"
	case "connection-close":
		if d.Close.Alert == "no_application_protocol" {
			summary = "QUIC listener, not " + d.ALPN + ": TLS alert no_application_protocol"
			if d.ALPN == ALPNSMB {
				summary = "QUIC listener, not SMB over QUIC: TLS alert no_application_protocol"
			}
		} else {
			summary = "QUIC listener closed the connection: " + d.Close.Name
			if d.Close.Reason != "" {
				summary += " (" + d.Close.Reason + ")"
			}
		}
	}
	return &probes.Service{Protocol: "quic", Summary: summary, Details: d}
}

package tds

import (
	"context"
	"errors"
	"net"

	"github.com/winreach/winreach/probes"
)

// clientVersion is the VERSION the probe sends: the one of the [MS-TDS]
// 4.1 example (9.0.0.0). Servers answer with their own version whatever
// the client's.
var clientVersion = Version{Major: 9}

// probeThreadID is the THREADID of the [MS-TDS] 4.1 example (3512).
const probeThreadID = 0x0db8

// PreloginProbe is the probes.Conversation for TCP 1433: a PRELOGIN
// message, and the server's PRELOGIN answer.
type PreloginProbe struct {
	// Encrypt offers ENCRYPT_ON instead of ENCRYPT_OFF; either way the
	// probe stops before TLS or login.
	Encrypt bool
}

// Details is what the server's PRELOGIN answer said.
type Details struct {
	Version string `json:"version"`           // major.minor.build.subbuild
	Product string `json:"product,omitempty"` // "SQL Server 2019", when the major version names one
	// Encryption is the server's B_FENCRYPTION by name: ENCRYPT_OFF (only
	// the login is encrypted), ENCRYPT_ON, ENCRYPT_NOT_SUP, ENCRYPT_REQ.
	Encryption   string `json:"encryption"`
	EncryptionID uint8  `json:"encryption_id"`
	// InstanceMismatch: INSTOPT 0x01, the server is not the instance
	// asked for (the probe asks for the default).
	InstanceMismatch bool `json:"instance_mismatch,omitempty"`
	MARS             bool `json:"mars,omitempty"`
	// FedAuthRequired is set when the server sent FEDAUTHREQUIRED.
	FedAuthRequired *uint8 `json:"fed_auth_required,omitempty"`
}

// Request returns the PRELOGIN this probe sends.
func (p PreloginProbe) Request() []byte {
	enc := uint8(EncryptOff)
	if p.Encrypt {
		enc = EncryptOn
	}
	return AppendPrelogin(nil, Prelogin{Version: clientVersion, Encryption: enc, ThreadID: probeThreadID})
}

// Converse sends the PRELOGIN and reads one answer packet.
func (p PreloginProbe) Converse(_ context.Context, conn net.Conn, _ probes.Target) probes.Answer {
	if _, err := conn.Write(p.Request()); err != nil {
		return probes.Answer{Err: err}
	}
	pkt, err := ReadPacket(conn, TypeTabularResult)
	if err != nil {
		if errors.Is(err, ErrNotTDS) {
			return probes.Answer{Unexpected: pkt}
		}
		return probes.Answer{Err: err}
	}
	svc, err := ServiceOf(pkt)
	if err != nil {
		return probes.Answer{Unexpected: pkt}
	}
	return probes.Answer{Service: svc}
}

// ServiceOf parses a PRELOGIN answer into the service report.
func ServiceOf(pkt []byte) (*probes.Service, error) {
	pl, err := ParsePrelogin(pkt)
	if err != nil {
		return nil, err
	}
	if pkt[0] != TypeTabularResult {
		return nil, errors.New("tds: a PRELOGIN request, not an answer (an echo)")
	}
	d := Details{
		Version: pl.Version.String(), Product: pl.Version.Product(),
		Encryption: EncryptionName(pl.Encryption), EncryptionID: pl.Encryption,
		InstanceMismatch: len(pl.InstOpt) == 1 && pl.InstOpt[0] == 1,
		MARS:             pl.MARS, FedAuthRequired: pl.FedAuthRequired,
	}
	summary := "SQL Server " + d.Version
	if d.Product != "" {
		summary = d.Product + " (" + d.Version + ")"
	}
	summary += ", " + d.Encryption
	return &probes.Service{Protocol: "tds", Summary: summary, Details: d}, nil
}

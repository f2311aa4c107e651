package rdp

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/iso"
)

// maxConfirm bounds the TPKT read: a CC with negotiation data is 19 octets.
const maxConfirm = 512

// Negotiate is the TCP 3389 Conversation: a Connection Request with an
// RDP_NEG_REQ, then the Connection Confirm, which names the security
// protocol the server selected or why it refused.
type Negotiate struct {
	// Protocols to offer; zero means TLS|CredSSP, what mstsc offers by
	// default. (Standard RDP security is always implied.)
	Protocols Protocols
}

// Details is what the Connection Confirm said.
type Details struct {
	// Negotiation is "response", "failure" or "none" (legacy server).
	Negotiation string   `json:"negotiation"`
	Requested   string   `json:"requested,omitempty"`
	Selected    string   `json:"selected,omitempty"`
	SelectedID  *uint32  `json:"selected_id,omitempty"`
	Flags       []string `json:"flags,omitempty"`
	FailureCode uint32   `json:"failure_code,omitempty"`
	Failure     string   `json:"failure,omitempty"`
	SrcRef      uint16   `json:"src_ref"`
	Class       uint8    `json:"class"`
}

// Converse sends the negotiation request and judges the confirm.
func (n Negotiate) Converse(ctx context.Context, conn net.Conn, t probes.Target) probes.Answer {
	p := n.Protocols
	if p == 0 {
		p = ProtocolSSL | ProtocolHybrid
	}
	return converse(conn, AppendConnectionRequest(nil, p), func(c Confirm) *probes.Service {
		return negotiationService(c, p)
	})
}

// negotiationService turns a CC into the report.
func negotiationService(c Confirm, requested Protocols) *probes.Service {
	d := Details{Negotiation: c.Negotiation, Requested: requested.String(), SrcRef: c.TPDU.SrcRef, Class: c.TPDU.ClassOptions >> 4}
	var summary string
	switch c.Negotiation {
	case "response":
		sel := uint32(c.Selected)
		d.Selected, d.SelectedID, d.Flags = c.Selected.String(), &sel, c.FlagNames()
		summary = "RDP selected " + d.Selected
		if c.Selected == ProtocolRDP {
			summary += " (standard security)"
		}
	case "failure":
		d.FailureCode, d.Failure = c.FailureCode, FailureCodeName(c.FailureCode)
		summary = "RDP negotiation failure " + d.Failure
	default:
		d.Negotiation = "none"
		summary = "RDP without negotiation (pre-RDP 5.2 server, standard security)"
	}
	return &probes.Service{Protocol: "rdp", Summary: summary, Details: d}
}

// LegacyCR is the TCP 1503 Conversation: a plain X.224 CR, as pre-Beta 2
// Terminal Server clients and T.120 peers send, and a CC in return.
type LegacyCR struct{}

// LegacyDetails is what the CC to a plain CR said.
type LegacyDetails struct {
	TPDU         string `json:"tpdu"`
	SrcRef       uint16 `json:"src_ref"`
	Class        uint8  `json:"class"`
	Negotiation  string `json:"negotiation,omitempty"` // a server that speaks RDP 5.2+ may still add one
	UserDataSize int    `json:"user_data_size,omitempty"`
}

// Converse sends the plain CR and judges the confirm.
func (LegacyCR) Converse(ctx context.Context, conn net.Conn, t probes.Target) probes.Answer {
	return converse(conn, AppendLegacyConnectionRequest(nil), func(c Confirm) *probes.Service {
		d := LegacyDetails{TPDU: "CC", SrcRef: c.TPDU.SrcRef, Class: c.TPDU.ClassOptions >> 4,
			Negotiation: c.Negotiation, UserDataSize: len(c.TPDU.UserData)}
		summary := fmt.Sprintf("X.224 CC class %d", d.Class)
		if c.Negotiation == "response" {
			summary += ", RDP selected " + c.Selected.String()
		}
		return &probes.Service{Protocol: "x224", Summary: summary, Details: d}
	})
}

// converse writes req, reads one TPKT and judges it: a CC through judge,
// a DR or ER as an ISO transport stack that is not RDP, anything else as
// unexpected bytes.
func converse(conn net.Conn, req []byte, judge func(Confirm) *probes.Service) probes.Answer {
	if _, err := conn.Write(req); err != nil {
		return probes.Answer{Err: err}
	}
	tpdu, err := iso.ReadTPKT(conn, maxConfirm)
	if err != nil {
		if errors.Is(err, iso.ErrNotTPKT) {
			return probes.Answer{Unexpected: tpdu}
		}
		return probes.Answer{Err: err}
	}
	c, err := ParseConnectionConfirm(tpdu)
	switch {
	case err == nil:
		return probes.Answer{Service: judge(c)}
	case errors.Is(err, errNotCC):
		if svc, err := iso.ServiceFromTPDU(tpdu); err == nil {
			return probes.Answer{Service: svc}
		}
	}
	return probes.Answer{Unexpected: iso.AppendTPKT(nil, tpdu)}
}

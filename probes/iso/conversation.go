package iso

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net"

	"github.com/winreach/winreach/probes"
)

// maxReply bounds the TPKT the probe accepts: a CC, DR or ER is a few
// dozen octets; 1024 is the smallest TPDU size a class 0 CR can offer.
const maxReply = 1024

// ConnectRequest is the TCP 102 Conversation: it sends a class 0 CR with
// TSAPs and reads the one TPDU the peer answers with. A CC, a DR and an ER
// each prove an ISO transport stack behind the port.
type ConnectRequest struct {
	// CallingTSAP and CalledTSAP are the transport selectors; nil means
	// the defaults below. Exchange's MTA accepts any called TSAP for the
	// connect itself; a peer that wants a specific one answers DR.
	CallingTSAP, CalledTSAP []byte
}

// Default TSAPs, the ones nmap and most ISO-on-TCP tools send (X.224
// treats them as opaque octets).
var (
	defaultCallingTSAP = []byte{0x01, 0x00}
	defaultCalledTSAP  = []byte{0x01, 0x02}
)

// tpduSize1024 asks for 1024-octet TPDUs (X.224 13.3.4 b: log2 of the size).
const tpduSize1024 = 0x0a

// AppendRequest appends the whole TPKT-framed CR the conversation sends.
func (c ConnectRequest) AppendRequest(b []byte) []byte {
	calling, called := c.CallingTSAP, c.CalledTSAP
	if calling == nil {
		calling = defaultCallingTSAP
	}
	if called == nil {
		called = defaultCalledTSAP
	}
	tpdu := AppendConnectRequest(nil, CR{
		SrcRef:       1,
		ClassOptions: 0x00, // class 0, no options
		Params: []Param{
			{ParamCallingTSAP, calling},
			{ParamCalledTSAP, called},
			{ParamTPDUSize, []byte{tpduSize1024}},
		},
	})
	return AppendTPKT(b, tpdu)
}

// Details is what the peer's answer to the CR said.
type Details struct {
	TPDU         string `json:"tpdu"` // CC, DR or ER
	DstRef       uint16 `json:"dst_ref"`
	SrcRef       uint16 `json:"src_ref,omitempty"`
	Class        *uint8 `json:"class,omitempty"` // CC: protocol class (0-4)
	Options      uint8  `json:"options,omitempty"`
	Reason       string `json:"reason,omitempty"` // DR: disconnect reason; ER: reject cause
	ReasonCode   *uint8 `json:"reason_code,omitempty"`
	CallingTSAP  string `json:"calling_tsap,omitempty"` // hex
	CalledTSAP   string `json:"called_tsap,omitempty"`  // hex
	TPDUSize     int    `json:"tpdu_size,omitempty"`    // octets
	Variable     string `json:"variable,omitempty"`     // hex, when not parameters
	UserDataSize int    `json:"user_data_size,omitempty"`
}

// Converse sends the CR and judges the reply.
func (c ConnectRequest) Converse(ctx context.Context, conn net.Conn, t probes.Target) probes.Answer {
	if _, err := conn.Write(c.AppendRequest(nil)); err != nil {
		return probes.Answer{Err: err}
	}
	tpdu, err := ReadTPKT(conn, maxReply)
	if err != nil {
		if errors.Is(err, ErrNotTPKT) {
			return probes.Answer{Unexpected: tpdu}
		}
		return probes.Answer{Err: err}
	}
	svc, err := ServiceFromTPDU(tpdu)
	if err != nil {
		return probes.Answer{Unexpected: AppendTPKT(nil, tpdu)}
	}
	return probes.Answer{Service: svc}
}

// ServiceFromTPDU judges the TPDU that answered a CR: a CC, DR or ER.
func ServiceFromTPDU(b []byte) (*probes.Service, error) {
	t, err := ParseTPDU(b)
	if err != nil {
		return nil, err
	}
	d := Details{TPDU: CodeName(t.Code), DstRef: t.DstRef, SrcRef: t.SrcRef, UserDataSize: len(t.UserData)}
	var summary string
	switch t.Code {
	case CodeCC:
		class := t.ClassOptions >> 4
		d.Class, d.Options = &class, t.ClassOptions&0x0F
		summary = fmt.Sprintf("ISO transport CC class %d", class)
	case CodeDR:
		d.Reason, d.ReasonCode = DisconnectReasonName(t.Reason), &t.Reason
		summary = "ISO transport DR: " + d.Reason
	case CodeER:
		d.Reason, d.ReasonCode = RejectCauseName(t.Cause), &t.Cause
		summary = "ISO transport ER: " + d.Reason
	default:
		return nil, fmt.Errorf("iso: %s does not answer a CR", CodeName(t.Code))
	}
	if t.Params == nil && len(t.Variable) > 0 {
		d.Variable = hex.EncodeToString(t.Variable)
	}
	if v, ok := t.Param(ParamTPDUSize); ok && len(v) == 1 && t.Code == CodeCC {
		d.TPDUSize = TPDUSizeOctets(v[0])
	}
	if t.Code != CodeER {
		if v, ok := t.Param(ParamCallingTSAP); ok {
			d.CallingTSAP = hex.EncodeToString(v)
		}
		if v, ok := t.Param(ParamCalledTSAP); ok {
			d.CalledTSAP = hex.EncodeToString(v)
		}
	}
	return &probes.Service{Protocol: "iso-tsap", Summary: summary, Details: d}, nil
}

package winsrepl

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/winreach/winreach/probes"
)

// Common Replication Message Header ([MS-WINSRA] 2.2.2).
const (
	headerLen = 16 // Packet Length, Reserved (opcode), Destination Assoc Handle, Message Type
	// opcodeBits is what Windows and Samba put in the Reserved field
	// (Samba's WREPL_OPCODE_BITS); Windows checks association handles
	// only when these bits are set.
	opcodeBits = 0x00007800
	// startLen is the Packet Length of association start request and
	// response (2.2.3, 2.2.4): the bytes after the length field.
	startLen = 41
	// maxPacket bounds a reply: starts and stops are 41 and 24 bytes.
	maxPacket = 1024
)

// Message types ([MS-WINSRA] 2.2.2).
const (
	MsgStartAssociation      = 0
	MsgStartAssociationReply = 1
	MsgStopAssociation       = 2
	MsgReplication           = 3
)

// NBNS version sent in the association start (2.2.3): major 2, minor 5.
const (
	majorVersion = 2
	minorVersion = 5
)

// AppendAssociationStart appends an Association Start Request ([MS-WINSRA]
// 2.2.3): 45 bytes, the length field included.
func AppendAssociationStart(b []byte, senderHandle uint32) []byte {
	b = binary.BigEndian.AppendUint32(b, startLen)   // Packet Length
	b = binary.BigEndian.AppendUint32(b, opcodeBits) // Reserved
	b = binary.BigEndian.AppendUint32(b, 0)          // Destination Association Handle: unknown yet
	b = binary.BigEndian.AppendUint32(b, MsgStartAssociation)
	b = binary.BigEndian.AppendUint32(b, senderHandle) // Sender Association Handle
	b = binary.BigEndian.AppendUint16(b, majorVersion) // NBNS Major Version
	b = binary.BigEndian.AppendUint16(b, minorVersion) // NBNS Minor Version
	return append(b, make([]byte, 21)...)              // Reserved, pads to 41
}

// Reply is a parsed association start response (2.2.4) or association
// stop (2.2.5).
type Reply struct {
	Opcode            uint32 // the header's Reserved field
	DestinationHandle uint32 // our Sender Association Handle, echoed
	MessageType       uint32
	// SenderHandle is the server's association handle (start response).
	SenderHandle uint32
	Major, Minor uint16
	// StopReason is the association stop's reason (2.2.5): 0 user
	// initiated, 4 the server refuses the partner, and so on.
	StopReason uint32
}

var (
	errNotWINS = errors.New("winsrepl: not an association reply")
	errShort   = errors.New("winsrepl: truncated association reply")
)

// ParseReply parses a replication packet, the length field included, that
// answers an association start: a start response or a stop.
func ParseReply(b []byte) (Reply, error) {
	var r Reply
	if len(b) < headerLen {
		return r, errShort
	}
	n := int(binary.BigEndian.Uint32(b))
	if n < headerLen-4 || n > maxPacket {
		return r, errNotWINS
	}
	if len(b) < 4+n {
		return r, errShort
	}
	r.Opcode = binary.BigEndian.Uint32(b[4:])
	r.DestinationHandle = binary.BigEndian.Uint32(b[8:])
	r.MessageType = binary.BigEndian.Uint32(b[12:])
	body := b[headerLen : 4+n]
	switch r.MessageType {
	case MsgStartAssociationReply:
		if len(body) < 8 {
			return r, errShort
		}
		r.SenderHandle = binary.BigEndian.Uint32(body)
		r.Major = binary.BigEndian.Uint16(body[4:])
		r.Minor = binary.BigEndian.Uint16(body[6:])
	case MsgStopAssociation:
		if len(body) < 4 {
			return r, errShort
		}
		r.StopReason = binary.BigEndian.Uint32(body)
	default:
		return r, errNotWINS
	}
	if r.Opcode&^opcodeBits != 0 {
		// Neither Windows nor Samba sets other bits; a stray protocol
		// that happens to fit the lengths most likely does.
		return r, errNotWINS
	}
	return r, nil
}

// Details is what the WINS server said.
type Details struct {
	MessageType string `json:"message_type"` // start-association-reply or stop-association
	// AssocCtx is the server's association handle (Samba: 0x12345678).
	AssocCtx     string  `json:"assoc_ctx,omitempty"`
	MajorVersion uint16  `json:"major_version,omitempty"`
	MinorVersion uint16  `json:"minor_version,omitempty"`
	StopReason   *uint32 `json:"stop_reason,omitempty"`
}

func detailsOf(r Reply) Details {
	if r.MessageType == MsgStopAssociation {
		reason := r.StopReason
		return Details{MessageType: "stop-association", StopReason: &reason}
	}
	return Details{
		MessageType:  "start-association-reply",
		AssocCtx:     fmt.Sprintf("0x%08x", r.SenderHandle),
		MajorVersion: r.Major,
		MinorVersion: r.Minor,
	}
}

func (d Details) summary() string {
	if d.StopReason != nil {
		return fmt.Sprintf("WINS replication, association refused (reason %d)", *d.StopReason)
	}
	return fmt.Sprintf("WINS replication %d.%d", d.MajorVersion, d.MinorVersion)
}

// AssociationStart is the Conversation for TCP 42: one association start,
// one reply. The sender handle is random per call.
type AssociationStart struct{}

// Converse sends the association start and parses the reply.
func (AssociationStart) Converse(ctx context.Context, conn net.Conn, t probes.Target) probes.Answer {
	var h [4]byte
	_, _ = rand.Read(h[:])
	if _, err := conn.Write(AppendAssociationStart(nil, binary.BigEndian.Uint32(h[:]))); err != nil {
		return probes.Answer{Err: err}
	}
	pkt, unexpected, err := ReadPacket(conn)
	if err != nil {
		if unexpected != nil {
			return probes.Answer{Unexpected: unexpected}
		}
		return probes.Answer{Err: err}
	}
	r, err := ParseReply(pkt)
	if err != nil {
		return probes.Answer{Unexpected: pkt[:min(len(pkt), 64)]}
	}
	d := detailsOf(r)
	return probes.Answer{Service: &probes.Service{Protocol: "winsrepl", Summary: d.summary(), Details: d}}
}

// ReadPacket reads one replication packet, its length field included
// ([MS-WINSRA] 2.2.1): a 4-byte big-endian length of what follows, at
// least the rest of the header and at most maxPacket. For bytes that
// cannot be one, or a packet cut short, unexpected holds what came (with
// err set); a read error before any byte leaves it nil.
func ReadPacket(r io.Reader) (pkt, unexpected []byte, err error) {
	br := bufio.NewReaderSize(r, 64)
	hdr, err := br.Peek(headerLen)
	if err != nil {
		if len(hdr) > 0 {
			return nil, append([]byte(nil), hdr...), err
		}
		return nil, nil, err
	}
	n := int(binary.BigEndian.Uint32(hdr))
	if n < headerLen-4 || n > maxPacket {
		got, _ := br.Peek(br.Buffered())
		return nil, append([]byte(nil), got...), errNotWINS
	}
	pkt = make([]byte, 4+n)
	if _, err := io.ReadFull(br, pkt); err != nil {
		return nil, append([]byte(nil), hdr...), err
	}
	return pkt, nil, nil
}

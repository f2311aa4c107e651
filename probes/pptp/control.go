package pptp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// Control message header fields (RFC 2637 1.4, 2.1).
const (
	messageTypeControl = 1          // PPTP Message Type: control message
	MagicCookie        = 0x1a2b3c4d // every PPTP message carries it
	protocolVersion    = 0x0100     // version 1, revision 0

	typeStartRequest = 1 // Start-Control-Connection-Request
	typeStartReply   = 2 // Start-Control-Connection-Reply
	typeStopRequest  = 3 // Stop-Control-Connection-Request

	// StartLength is the size of a Start-Control-Connection-Request or
	// Reply (2.1, 2.2); StopRequestLength of a Stop request (2.3).
	StartLength       = 156
	StopRequestLength = 16

	nameLength = 64 // Host Name and Vendor String fields
)

// Framing and bearer capability bits (2.1).
const (
	FramingAsync  = 1
	FramingSync   = 2
	BearerAnalog  = 1
	BearerDigital = 2
)

// StartRequest is the content of a Start-Control-Connection-Request.
type StartRequest struct {
	Framing, Bearer uint32
	MaxChannels     uint16
	Firmware        uint16
	HostName        string // at most 63 octets are sent
	Vendor          string
}

// AppendStartRequest appends a Start-Control-Connection-Request
// (RFC 2637 2.1).
func AppendStartRequest(b []byte, r StartRequest) []byte {
	b = binary.BigEndian.AppendUint16(b, StartLength)        // Length
	b = binary.BigEndian.AppendUint16(b, messageTypeControl) // PPTP Message Type
	b = binary.BigEndian.AppendUint32(b, MagicCookie)        // Magic Cookie
	b = binary.BigEndian.AppendUint16(b, typeStartRequest)   // Control Message Type
	b = append(b, 0, 0)                                      // Reserved0
	b = binary.BigEndian.AppendUint16(b, protocolVersion)    // Protocol Version
	b = append(b, 0, 0)                                      // Reserved1
	b = binary.BigEndian.AppendUint32(b, r.Framing)          // Framing Capabilities
	b = binary.BigEndian.AppendUint32(b, r.Bearer)           // Bearer Capabilities
	b = binary.BigEndian.AppendUint16(b, r.MaxChannels)      // Maximum Channels
	b = binary.BigEndian.AppendUint16(b, r.Firmware)         // Firmware Revision
	b = appendName(b, r.HostName)                            // Host Name
	return appendName(b, r.Vendor)                           // Vendor String
}

// appendName appends a 64-octet NUL-padded field, keeping a final NUL.
func appendName(b []byte, s string) []byte {
	var f [nameLength]byte
	copy(f[:nameLength-1], s)
	return append(b, f[:]...)
}

// AppendStopRequest appends a Stop-Control-Connection-Request (2.3) with
// reason 1, "General request to clear control connection".
func AppendStopRequest(b []byte) []byte {
	b = binary.BigEndian.AppendUint16(b, StopRequestLength)
	b = binary.BigEndian.AppendUint16(b, messageTypeControl)
	b = binary.BigEndian.AppendUint32(b, MagicCookie)
	b = binary.BigEndian.AppendUint16(b, typeStopRequest)
	b = append(b, 0, 0) // Reserved0
	b = append(b, 1, 0) // Reason, Reserved1
	return append(b, 0, 0)
}

// StartReply is a parsed Start-Control-Connection-Reply (2.2).
type StartReply struct {
	Version     uint16
	ResultCode  uint8
	ErrorCode   uint8
	Framing     uint32
	Bearer      uint32
	MaxChannels uint16
	Firmware    uint16
	HostName    string
	Vendor      string
}

var (
	errShort  = errors.New("pptp: shorter than a Start-Control-Connection-Reply")
	errCookie = errors.New("pptp: magic cookie mismatch")
)

// ParseStartReply parses a Start-Control-Connection-Reply.
func ParseStartReply(b []byte) (StartReply, error) {
	if len(b) < StartLength {
		return StartReply{}, errShort
	}
	if n := binary.BigEndian.Uint16(b[0:2]); n != StartLength {
		return StartReply{}, fmt.Errorf("pptp: length %d, want %d", n, StartLength)
	}
	if mt := binary.BigEndian.Uint16(b[2:4]); mt != messageTypeControl {
		return StartReply{}, fmt.Errorf("pptp: message type %d is not control", mt)
	}
	if binary.BigEndian.Uint32(b[4:8]) != MagicCookie {
		return StartReply{}, errCookie
	}
	if ct := binary.BigEndian.Uint16(b[8:10]); ct != typeStartReply {
		return StartReply{}, fmt.Errorf("pptp: control message type %d, want %d", ct, typeStartReply)
	}
	return StartReply{
		Version:     binary.BigEndian.Uint16(b[12:14]),
		ResultCode:  b[14],
		ErrorCode:   b[15],
		Framing:     binary.BigEndian.Uint32(b[16:20]),
		Bearer:      binary.BigEndian.Uint32(b[20:24]),
		MaxChannels: binary.BigEndian.Uint16(b[24:26]),
		Firmware:    binary.BigEndian.Uint16(b[26:28]),
		HostName:    cString(b[28 : 28+nameLength]),
		Vendor:      cString(b[28+nameLength : 28+2*nameLength]),
	}, nil
}

// cString returns the text up to the first NUL.
func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// ResultCodeName names a Start-Control-Connection-Reply result code (2.2).
func ResultCodeName(c uint8) string {
	switch c {
	case 1:
		return "OK"
	case 2:
		return "general error"
	case 3:
		return "command channel already exists"
	case 4:
		return "requester not authorized"
	case 5:
		return "protocol version not supported"
	}
	return fmt.Sprintf("result %d", c)
}

// ErrorCodeName names a general error code (2.16).
func ErrorCodeName(c uint8) string {
	switch c {
	case 0:
		return "none"
	case 1:
		return "not connected"
	case 2:
		return "bad format"
	case 3:
		return "bad value"
	case 4:
		return "no resource"
	case 5:
		return "bad call ID"
	case 6:
		return "PAC error"
	}
	return fmt.Sprintf("error %d", c)
}

package pptp

import (
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/winreach/winreach/probes"
)

// StartControl is the TCP 1723 Conversation: Start-Control-Connection-
// Request, its Reply, then a Stop-Control-Connection-Request.
type StartControl struct {
	// Vendor is sent as the Vendor String; "" sends "winreach", so that a
	// server's log names the scanner honestly.
	Vendor string
}

// Details is what the Start-Control-Connection-Reply said.
type Details struct {
	Version     string   `json:"version"` // "1.0"
	ResultCode  uint8    `json:"result_code"`
	Result      string   `json:"result"`
	ErrorCode   uint8    `json:"error_code,omitempty"`
	Error       string   `json:"error,omitempty"`
	Framing     []string `json:"framing,omitempty"`
	Bearer      []string `json:"bearer,omitempty"`
	MaxChannels uint16   `json:"max_channels"`
	Firmware    uint16   `json:"firmware"`
	HostName    string   `json:"host_name"`
	Vendor      string   `json:"vendor"`
}

// replyPrefix is how every Start-Control-Connection-Reply begins (2.2):
// Length 156, message type 1, the magic cookie, control type 2.
var replyPrefix = []byte{0x00, 0x9c, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d, 0x00, 0x02}

// Converse sends the request and reads exactly one reply.
func (s StartControl) Converse(ctx context.Context, conn net.Conn, t probes.Target) probes.Answer {
	vendor := s.Vendor
	if vendor == "" {
		vendor = "winreach"
	}
	req := AppendStartRequest(nil, StartRequest{
		Framing: FramingAsync | FramingSync,
		Bearer:  BearerAnalog | BearerDigital,
		Vendor:  vendor,
	})
	if _, err := conn.Write(req); err != nil {
		return probes.Answer{Err: err}
	}
	var buf [StartLength]byte
	n := 0
	for n < len(buf) {
		m, err := conn.Read(buf[n:])
		n += m
		if !consistent(buf[:n]) {
			return probes.Answer{Unexpected: buf[:n]}
		}
		if err != nil {
			return probes.Answer{Err: err}
		}
	}
	r, err := ParseStartReply(buf[:])
	if err != nil {
		return probes.Answer{Unexpected: buf[:]}
	}
	_, _ = conn.Write(AppendStopRequest(nil)) // courtesy; the answer is in
	return probes.Answer{Service: service(r)}
}

// consistent reports whether b can still be the start of a reply.
func consistent(b []byte) bool {
	n := min(len(b), len(replyPrefix))
	return string(b[:n]) == string(replyPrefix[:n])
}

func service(r StartReply) *probes.Service {
	d := Details{
		Version:     fmt.Sprintf("%d.%d", r.Version>>8, r.Version&0xff),
		ResultCode:  r.ResultCode,
		Result:      ResultCodeName(r.ResultCode),
		Framing:     bitNames(r.Framing, "async", "sync"),
		Bearer:      bitNames(r.Bearer, "analog", "digital"),
		MaxChannels: r.MaxChannels,
		Firmware:    r.Firmware,
		HostName:    r.HostName,
		Vendor:      r.Vendor,
	}
	if r.ResultCode == 2 || r.ErrorCode != 0 {
		d.ErrorCode, d.Error = r.ErrorCode, ErrorCodeName(r.ErrorCode)
	}
	summary := fmt.Sprintf("PPTP result %d (%s)", r.ResultCode, d.Result)
	if d.Error != "" {
		summary += ", error " + d.Error
	}
	if h := printable(r.HostName); h != "" {
		summary += ", host " + h
	}
	if v := printable(r.Vendor); v != "" {
		summary += ", vendor " + v
	}
	return &probes.Service{Protocol: "pptp", Summary: summary, Details: d}
}

// bitNames names the set bits of a two-bit capability field.
func bitNames(v uint32, bit1, bit2 string) []string {
	var names []string
	if v&1 != 0 {
		names = append(names, bit1)
	}
	if v&2 != 0 {
		names = append(names, bit2)
	}
	if v&^3 != 0 {
		names = append(names, fmt.Sprintf("%#x", v&^3))
	}
	return names
}

// printable keeps a peer's string safe for a one-line summary.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '\uFFFD' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
}

package rdpudp

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"

	"github.com/winreach/winreach/probes"
)

// SYN is the probes.Datagram for UDP 3389: a SYN offering RDP-UDP
// version 2 (SYNEX without a cookie hash, which version 3 would need from
// the TCP connection), reliable mode, a random initial sequence number
// per attempt. A SYN+ACK that acknowledges it confirms the transport.
type SYN struct{}

// receiveWindow is the uReceiveWindowSize the probe announces, in
// datagrams (Windows clients announce 64).
const receiveWindow = 64

// Details is what the SYN+ACK said.
type Details struct {
	Flags         []string `json:"flags"`
	ReceiveWindow uint16   `json:"receive_window"`
	UpStreamMTU   uint16   `json:"up_stream_mtu"`
	DownStreamMTU uint16   `json:"down_stream_mtu"`
	// Lossy: the server chose RDP-UDP-L (SYNLOSSY), else RDP-UDP-R.
	Lossy bool `json:"lossy,omitempty"`
	// UDPVersion is the SYNEX version the server agreed to: "1", "2" or
	// "3"; empty without SYNEX (version 1).
	UDPVersion    string `json:"udp_version,omitempty"`
	CorrelationID string `json:"correlation_id,omitempty"`
}

// Request returns a SYN with a fresh initial sequence number.
func (SYN) Request(probes.Target, int) []byte {
	return AppendSYN(nil, Syn{
		ReceiveWindow:   receiveWindow,
		Flags:           FlagSYNEX,
		InitialSequence: rand.Uint32(),
		UpStreamMTU:     MaxMTU,
		DownStreamMTU:   MaxMTU,
		SynExFlags:      versionInfoValid,
		UDPVersion:      Version2,
	})
}

// Parse judges a reply to req: a SYN+ACK whose snSourceAck is req's
// initial sequence number ([MS-RDPEUDP] 3.1.5.1.3).
func (SYN) Parse(req, reply []byte) (*probes.Service, error) {
	s, err := ParseSYNACK(reply)
	if err != nil {
		return nil, err
	}
	if len(req) >= fecHeaderLen+4 && s.SourceAck != binary.BigEndian.Uint32(req[fecHeaderLen:]) {
		return nil, fmt.Errorf("%w: snSourceAck %#08x", probes.ErrNotForUs, s.SourceAck)
	}
	return ServiceOf(s), nil
}

// ServiceOf describes a SYN+ACK.
func ServiceOf(s Syn) *probes.Service {
	d := Details{
		Flags: FlagNames(s.Flags), ReceiveWindow: s.ReceiveWindow,
		UpStreamMTU: s.UpStreamMTU, DownStreamMTU: s.DownStreamMTU,
		Lossy: s.Flags&FlagSYNLossy != 0,
	}
	if s.Flags&FlagSYNEX != 0 {
		d.UDPVersion = VersionName(s.UDPVersion)
	}
	if s.Flags&FlagCorrelationID != 0 {
		d.CorrelationID = fmt.Sprintf("%x", s.CorrelationID)
	}
	summary := fmt.Sprintf("RDP-UDP SYN+ACK, MTU %d/%d", s.UpStreamMTU, s.DownStreamMTU)
	if d.UDPVersion != "" {
		summary += ", version " + d.UDPVersion
	}
	if d.Lossy {
		summary += ", lossy"
	}
	return &probes.Service{Protocol: "rdp-udp", Summary: summary, Details: d}
}

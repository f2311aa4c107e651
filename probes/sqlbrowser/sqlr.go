package sqlbrowser

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Message types ([MC-SQLR] 2.2.1-2.2.5).
const (
	ClntBcastEx  = 0x02 // CLNT_BCAST_EX (2.2.1)
	ClntUcastEx  = 0x03 // CLNT_UCAST_EX (2.2.2)
	ClntUcastIns = 0x04 // CLNT_UCAST_INST (2.2.3)
	SvrResp      = 0x05 // SVR_RESP (2.2.5)
)

// AppendRequest appends a CLNT_UCAST_EX request ([MC-SQLR] 2.2.2): the
// single octet 0x03.
func AppendRequest(b []byte) []byte { return append(b, ClntUcastEx) }

// Instance is one CLNT_UCAST_INST_RESPONSE record ([MC-SQLR] 2.2.5).
type Instance struct {
	ServerName   string `json:"server_name"`
	InstanceName string `json:"instance_name"`
	IsClustered  bool   `json:"is_clustered"`
	Version      string `json:"version"`
	// TCPPort is TCP_INFO's port, 0 when the instance does not listen
	// on TCP.
	TCPPort uint16 `json:"tcp_port,omitempty"`
	// Pipe is NP_INFO's pipe name, e.g. \\HOST\pipe\sql\query.
	Pipe string `json:"pipe,omitempty"`
	// Other holds the other transports by name ("via", "rpc", "spx",
	// "adsp", "bv"), their values joined by ';'.
	Other map[string]string `json:"other,omitempty"`
}

// maxInstances bounds how many records one answer may carry (RESP_DATA
// is at most 65535 octets, a record at least ~60).
const maxInstances = 1024

// ParseResponse reads an SVR_RESP to CLNT_UCAST_EX ([MC-SQLR] 2.2.5):
// 0x05, RESP_SIZE (little-endian), RESP_DATA. A RESP_SIZE beyond the
// datagram is an error, octets after RESP_DATA are ignored; a record
// without the four mandatory fields is an error.
func ParseResponse(b []byte) ([]Instance, error) {
	if len(b) < 3 || b[0] != SvrResp {
		return nil, errors.New("sqlbrowser: not an SVR_RESP")
	}
	n := int(binary.LittleEndian.Uint16(b[1:]))
	if n > len(b)-3 {
		return nil, fmt.Errorf("sqlbrowser: RESP_SIZE %d, have %d octets", n, len(b)-3)
	}
	data := string(b[3 : 3+n])
	if !strings.HasSuffix(data, ";;") {
		return nil, errors.New("sqlbrowser: RESP_DATA does not end with ;;")
	}
	var out []Instance
	for _, rec := range strings.Split(strings.TrimSuffix(data, ";;"), ";;") {
		if len(out) == maxInstances {
			return nil, errors.New("sqlbrowser: too many instance records")
		}
		in, err := parseRecord(rec)
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, nil
}

// transportValues is how many values each transport entry carries
// ([MC-SQLR] 2.2.5: BV_INFO has five, the others one).
var transportValues = map[string]int{"np": 1, "tcp": 1, "via": 1, "rpc": 1, "spx": 1, "adsp": 1, "bv": 5}

// parseRecord reads one instance record without its ";;" terminator.
func parseRecord(rec string) (Instance, error) {
	var in Instance
	f := strings.Split(rec, ";")
	want := []string{"ServerName", "InstanceName", "IsClustered", "Version"}
	if len(f) < 2*len(want) {
		return in, fmt.Errorf("sqlbrowser: record of %d fields", len(f))
	}
	for i, key := range want {
		if !strings.EqualFold(f[2*i], key) {
			return in, fmt.Errorf("sqlbrowser: field %q where %s belongs", clip(f[2*i]), key)
		}
	}
	in.ServerName, in.InstanceName, in.Version = text(f[1]), text(f[3]), text(f[7])
	switch strings.ToLower(f[5]) {
	case "yes":
		in.IsClustered = true
	case "no":
	default:
		return in, fmt.Errorf("sqlbrowser: IsClustered %q", clip(f[5]))
	}
	if in.Version == "" || strings.Trim(in.Version, "0123456789.") != "" {
		return in, fmt.Errorf("sqlbrowser: version %q", clip(f[7]))
	}
	for rest := f[8:]; len(rest) > 0; {
		name := strings.ToLower(rest[0])
		k, ok := transportValues[name]
		if !ok {
			k = 1 // an entry this package does not know: name and one value
		}
		if len(rest) < 1+k {
			return in, fmt.Errorf("sqlbrowser: %q entry without its value", clip(rest[0]))
		}
		value := strings.Join(rest[1:1+k], ";")
		switch name {
		case "tcp":
			p, err := strconv.ParseUint(value, 10, 16)
			if err != nil || p == 0 {
				return in, fmt.Errorf("sqlbrowser: tcp port %q", clip(value))
			}
			in.TCPPort = uint16(p)
		case "np":
			in.Pipe = text(value)
		default:
			if in.Other == nil {
				in.Other = map[string]string{}
			}
			in.Other[text(name)] = text(value)
		}
		rest = rest[1+k:]
	}
	return in, nil
}

// text keeps a field readable: invalid UTF-8 (an MBCS code page the
// report cannot know) is quoted.
func text(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strconv.Quote(s)
}

// clip shortens a field for an error message.
func clip(s string) string {
	if len(s) > 32 {
		s = s[:32] + "..."
	}
	return text(s)
}

// AppendResponse appends an SVR_RESP listing instances ([MC-SQLR] 2.2.5),
// for stand-ins and tests. Only the fields of Instance other than Other
// are written.
func AppendResponse(b []byte, instances []Instance) []byte {
	var s strings.Builder
	for _, in := range instances {
		clustered := "No"
		if in.IsClustered {
			clustered = "Yes"
		}
		fmt.Fprintf(&s, "ServerName;%s;InstanceName;%s;IsClustered;%s;Version;%s", in.ServerName, in.InstanceName, clustered, in.Version)
		// tcp before np, the order SQL Server's browser writes them in;
		// ParseResponse takes any order.
		if in.TCPPort != 0 {
			s.WriteString(";tcp;" + strconv.Itoa(int(in.TCPPort)))
		}
		if in.Pipe != "" {
			s.WriteString(";np;" + in.Pipe)
		}
		s.WriteString(";;")
	}
	b = append(b, SvrResp)
	b = binary.LittleEndian.AppendUint16(b, uint16(s.Len()))
	return append(b, s.String()...)
}

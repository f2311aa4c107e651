package httpprobe

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"

	"github.com/winreach/winreach/probes"
)

// maxHead bounds how much of a reply's head is read. The status line and
// Server header come first; most servers' whole head fits in 1 KiB.
const maxHead = 8192

// AppendRequest appends "HEAD / HTTP/1.0" with a Host header naming host
// (RFC 9110 7.2: a name or an IP literal, IPv6 in brackets) and no
// keep-alive, so the server closes after its reply.
func AppendRequest(b []byte, host string) []byte {
	b = append(b, "HEAD / HTTP/1.0\r\nHost: "...)
	b = append(b, host...)
	b = append(b, "\r\nUser-Agent: winreach\r\nAccept: */*\r\nConnection: close\r\n\r\n"...)
	return b
}

// Response is what the head of an HTTP reply says.
type Response struct {
	// Version is the HTTP-version of the status line (RFC 9112 2.3), e.g. "HTTP/1.1".
	Version string `json:"version"`
	// Status is the status code (RFC 9110 15).
	Status int    `json:"status"`
	Reason string `json:"reason,omitempty"`
	// Server is the Server header (RFC 9110 10.2.4), if sent.
	Server string `json:"server,omitempty"`
	// Location is the Location header of a redirect (RFC 9110 10.2.2).
	Location string `json:"location,omitempty"`
	// Auth lists the authentication schemes of the WWW-Authenticate
	// fields (RFC 9110 11.6.1), e.g. ["Negotiate", "NTLM"].
	Auth []string `json:"auth,omitempty"`
	// Incomplete is set when the head did not end (no empty line) within
	// the bytes read.
	Incomplete bool `json:"incomplete,omitempty"`
	// Header holds the first maxFields header fields by lower-case name
	// (repeated fields joined with ", "), values made printable, for the
	// probes that read product headers (X-OWA-Version, X-FEServer).
	Header map[string]string `json:"-"`
}

// maxFields bounds how many header fields Response.Header keeps.
const maxFields = 48

var errNotHTTP = errors.New("not an HTTP reply")

// ParseResponse parses the head of a reply: the status line (RFC 9112 4,
// status-line = HTTP-version SP status-code SP [reason-phrase]) and the
// header fields up to the empty line or the end of b.
func ParseResponse(b []byte) (Response, error) {
	line, rest, found := bytes.Cut(b, []byte("\n"))
	if !found {
		return Response{}, fmt.Errorf("%w: no complete status line", errNotHTTP)
	}
	line = bytes.TrimSuffix(line, []byte("\r"))
	version, after, _ := bytes.Cut(line, []byte(" "))
	// HTTP-version = "HTTP" "/" DIGIT "." DIGIT (RFC 9112 2.3)
	if len(version) != 8 || !bytes.HasPrefix(version, []byte("HTTP/")) || !isDigit(version[5]) || version[6] != '.' || !isDigit(version[7]) {
		return Response{}, fmt.Errorf("%w: no HTTP version", errNotHTTP)
	}
	code, reason, _ := bytes.Cut(after, []byte(" "))
	if len(code) != 3 || !isDigit(code[0]) || !isDigit(code[1]) || !isDigit(code[2]) {
		return Response{}, fmt.Errorf("%w: no status code", errNotHTTP)
	}
	r := Response{Version: string(version), Reason: probes.Printable(reason, 64), Incomplete: true}
	r.Status, _ = strconv.Atoi(string(code))
	for len(rest) > 0 {
		var field []byte
		field, rest, found = bytes.Cut(rest, []byte("\n"))
		if !found {
			break // a truncated field: ignore it
		}
		field = bytes.TrimSuffix(field, []byte("\r"))
		if len(field) == 0 {
			r.Incomplete = false
			break
		}
		name, value, ok := bytes.Cut(field, []byte(":"))
		if !ok {
			continue
		}
		value = bytes.TrimSpace(value)
		key := string(bytes.ToLower(bytes.TrimSpace(name)))
		if r.Header == nil {
			r.Header = map[string]string{}
		}
		if old, ok := r.Header[key]; ok {
			r.Header[key] = probes.Printable([]byte(old+", "+string(value)), 256)
		} else if len(r.Header) < maxFields {
			r.Header[key] = probes.Printable(value, 256)
		}
		switch {
		case bytes.EqualFold(name, []byte("WWW-Authenticate")):
			r.Auth = appendSchemes(r.Auth, value)
		case bytes.EqualFold(name, []byte("Server")):
			r.Server = probes.Printable(value, 128)
		case bytes.EqualFold(name, []byte("Location")):
			r.Location = probes.Printable(value, 256)
		}
	}
	return r, nil
}

// Summary is a table line: "HTTP/1.1 200 nginx".
func (r Response) Summary() string {
	s := r.Version + " " + strconv.Itoa(r.Status)
	if r.Server != "" {
		s += " " + probes.Printable([]byte(r.Server), 60)
	}
	return s
}

// Head is the probes.Conversation for TCP 80: it sends the HEAD request
// and reads the reply's head.
type Head struct{}

// Converse implements probes.Conversation.
func (Head) Converse(ctx context.Context, conn net.Conn, t probes.Target) probes.Answer {
	if err := ctx.Err(); err != nil {
		return probes.Answer{Err: err}
	}
	if _, err := conn.Write(AppendRequest(nil, HostHeader(t))); err != nil {
		return probes.Answer{Err: err}
	}
	head, err := readHead(conn)
	if len(head) == 0 {
		if err == nil {
			err = io.ErrUnexpectedEOF
		}
		return probes.Answer{Err: err}
	}
	resp, perr := ParseResponse(head)
	if perr != nil {
		return probes.Answer{Unexpected: head}
	}
	return probes.Answer{Service: &probes.Service{Protocol: "http", Summary: resp.Summary(), Details: resp}}
}

// HostHeader is the Host value for t: its name, else its address.
func HostHeader(t probes.Target) string {
	if t.Name != "" {
		return t.Name
	}
	if t.Addr.Is6() && !t.Addr.Is4In6() {
		return "[" + t.Addr.String() + "]"
	}
	return t.Addr.Unmap().String()
}

// readHead reads until the end of the head, the first bytes that cannot
// start an HTTP reply, maxHead bytes, or an error.
func readHead(r io.Reader) ([]byte, error) {
	buf := make([]byte, maxHead)
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if k := min(n, 5); string(buf[:k]) != "HTTP/"[:k] {
			return buf[:n], nil
		}
		if bytes.Contains(buf[:n], []byte("\r\n\r\n")) || bytes.Contains(buf[:n], []byte("\n\n")) {
			return buf[:n], nil
		}
		if err != nil {
			return buf[:n], err
		}
	}
	return buf[:n], nil
}

// appendSchemes adds the auth-schemes of one WWW-Authenticate value
// (RFC 9110 11.6.1: challenges separated by commas, each a scheme
// token followed by optional auth-params "name=value", which may hold
// quoted commas) to list, without repeats.
func appendSchemes(list []string, v []byte) []string {
	var parts [][]byte
	quoted, start := false, 0
	for i, c := range v {
		switch {
		case c == '"':
			quoted = !quoted
		case c == ',' && !quoted:
			parts = append(parts, v[start:i])
			start = i + 1
		}
	}
	parts = append(parts, v[start:])
	for _, p := range parts {
		fields := bytes.Fields(p)
		if len(fields) == 0 || bytes.ContainsAny(fields[0], "=\"") || len(list) >= 16 {
			continue // an auth-param of the previous challenge
		}
		scheme := probes.Printable(fields[0], 32)
		if !slices.Contains(list, scheme) {
			list = append(list, scheme)
		}
	}
	return list
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

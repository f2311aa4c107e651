package httpprobe

import (
	"bytes"
	"errors"
	"io"
	"strconv"
)

// Request is one HTTP/1.1 request (RFC 9112 3): a method, a target path,
// extra header fields and a body.
type Request struct {
	Method string
	Path   string
	Header [][2]string
	Body   []byte
	// KeepAlive leaves the connection open for another request; without
	// it the request asks the server to close after its reply.
	KeepAlive bool
}

// AppendRequest11 appends r as HTTP/1.1 with a Host header naming host,
// a Content-Length when there is a body (RFC 9112 6.2), and
// "Connection: close" unless r.KeepAlive.
func AppendRequest11(b []byte, host string, r Request) []byte {
	b = append(b, r.Method...)
	b = append(b, ' ')
	b = append(b, r.Path...)
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, host...)
	b = append(b, "\r\nUser-Agent: winreach\r\n"...)
	for _, h := range r.Header {
		b = append(b, h[0]...)
		b = append(b, ": "...)
		b = append(b, h[1]...)
		b = append(b, "\r\n"...)
	}
	if len(r.Body) > 0 || r.Method == "POST" {
		b = append(b, "Content-Length: "...)
		b = strconv.AppendInt(b, int64(len(r.Body)), 10)
		b = append(b, "\r\n"...)
	}
	if !r.KeepAlive {
		b = append(b, "Connection: close\r\n"...)
	}
	b = append(b, "\r\n"...)
	return append(b, r.Body...)
}

// ErrNotHTTP is returned by ReadReply for bytes that are not an HTTP reply.
var ErrNotHTTP = errNotHTTP

// ReadReply reads one reply from r: its head, and a body of at most
// maxBody bytes when the head announces one with Content-Length (a
// reply to HEAD, a 1xx, 204 and 304 have none, RFC 9112 6.3). A body
// without Content-Length (chunked, or ended by close) is read until EOF
// or maxBody. The bytes read past the head, if the reply had no body,
// are returned as rest (the start of a pipelined reply is never asked
// for: requests go one at a time).
func ReadReply(rd io.Reader, head bool, maxBody int) (resp Response, body []byte, err error) {
	raw, rerr := readHead(rd)
	if len(raw) == 0 {
		if rerr == nil {
			rerr = io.ErrUnexpectedEOF
		}
		return Response{}, nil, rerr
	}
	resp, err = ParseResponse(raw)
	if err != nil {
		return Response{}, raw, err
	}
	if resp.Incomplete {
		return resp, nil, nil
	}
	end := bytes.Index(raw, []byte("\r\n\r\n"))
	skip := 4
	if i := bytes.Index(raw, []byte("\n\n")); end < 0 || (i >= 0 && i < end) {
		end, skip = i, 2
	}
	body = raw[end+skip:]
	if head || resp.Status < 200 || resp.Status == 204 || resp.Status == 304 {
		return resp, nil, nil
	}
	want := maxBody
	if cl, ok := resp.Header["content-length"]; ok {
		n, perr := strconv.Atoi(cl)
		if perr != nil || n < 0 {
			return resp, body, nil
		}
		want = min(n, maxBody)
	}
	if len(body) >= want {
		return resp, body[:want], nil
	}
	buf := make([]byte, want)
	copy(buf, body)
	n, rerr := io.ReadFull(rd, buf[len(body):])
	body = buf[:len(body)+n]
	if rerr != nil && !errors.Is(rerr, io.EOF) && !errors.Is(rerr, io.ErrUnexpectedEOF) && len(body) == 0 {
		return resp, nil, rerr
	}
	return resp, body, nil
}

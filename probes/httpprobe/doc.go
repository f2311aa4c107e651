// Package httpprobe confirms an HTTP server (TCP 80) with the smallest
// request that every HTTP version answers: "HEAD / HTTP/1.0" with a Host
// header (RFC 9112 3 and 4 for the request and status lines, RFC 9110
// 9.3.2 for HEAD, 7.2 for Host, 10.2.4 for Server). The reply's status line
// and Server header identify the service; the body is never read (HEAD has
// none).
//
// Confirmed when: a complete status line "HTTP/d.d ddd" came back
// (RFC 9112 4); the header fields may be cut short. Anything else, or an
// unterminated first line, is open (unexpected-reply) with the bytes.
package httpprobe

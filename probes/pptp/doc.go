// Package pptp opens a PPTP control connection (RFC 2637) on TCP 1723:
// it sends a Start-Control-Connection-Request (RFC 2637 2.1) and parses
// the Start-Control-Connection-Reply (2.2), whose result code, firmware
// revision, host name and vendor string identify the server. It then
// sends a Stop-Control-Connection-Request (2.3) so the server tears the
// control connection down in order instead of logging a reset.
//
// Confirmed when: a Start-Control-Connection-Reply with the fixed
// length, control message type, magic cookie 0x1A2B3C4D and control
// message type 2 came back. Anything else is open (unexpected-reply).
package pptp

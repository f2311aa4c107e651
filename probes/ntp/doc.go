// Package ntp asks an NTP server (UDP 123; on Windows the W32Time
// service) for the time with one client-mode request and reads what the
// server says about itself and its clock.
//
// Specs: RFC 5905 (NTPv4) 6 (time formats: the 64-bit timestamp of
// seconds since 1900 in eras, the 32-bit short format), 7.3 (the packet
// header: LI, VN, Mode, Stratum, Poll, Precision, Root Delay, Root
// Dispersion, Reference ID, the four timestamps), 7.4 (Kiss-o'-Death:
// stratum 0 with an ASCII kiss code such as RATE or DENY), 8 (on-wire
// protocol: the origin check, and offset and delay from T1..T4), and
// RFC 9109 (a client puts random bits in the transmit timestamp, so an
// off-path attacker cannot forge the reply's origin timestamp).
// [MS-SNTP] 3.2 describes Windows' client and server (W32Time), which
// answer plain client-mode requests as any NTP server does.
//
// AppendRequest and ParseResponse are the pure codecs; Offset is the
// RFC 5905 8 arithmetic on the four times; Query is the probes.Datagram
// for UDP 123; Measure runs one exchange and returns the clock offset
// (the logon check uses it).
//
// Confirmed when: a 48-byte (or longer) NTP packet in server mode whose
// origin timestamp equals the request's transmit timestamp (RFC 5905 8,
// with RFC 9109's random bits it cannot be forged off-path); a
// Kiss-o'-Death is such a reply too. Our request reflected, or a reply to
// another request, is not.
package ntp

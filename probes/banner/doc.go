// Package banner identifies the text protocols whose server speaks first:
// it reads the greeting and judges it, without sending anything before.
//
//   - SMTP, RFC 5321 3.1 and 4.2: a 220 greeting (554 or 421 when the
//     server refuses service), possibly multi-line ("220-").
//   - POP3, RFC 1939 4: "+OK" (with an APOP timestamp, RFC 1939 7).
//   - IMAP, RFC 9051 7.1 and RFC 3501 7.1: "* OK", "* PREAUTH" or
//     "* BYE", often with a [CAPABILITY ...] response code (RFC 9051 7.2.2).
//   - NNTP, RFC 3977 5.1.1: 200, 201, 400 or 502.
//
// Each greeting has a pure parser (ParseSMTPGreeting, ParsePOP3Greeting,
// ParseIMAPGreeting, ParseNNTPGreeting) and a probes.Conversation adapter
// (SMTP, POP3, IMAP, NNTP). Reads are bounded to maxGreetingBytes and
// maxGreetingLines, and give up at the first byte no greeting of the
// protocol can start with.
//
// Confirmed when: a whole greeting of the protocol arrived and parses:
// SMTP a 220, 421 or 554 reply whose lines share the code and end on a
// line without "-" (or, when the server delays the last line, complete
// continuation lines); POP3 "+OK"; IMAP "* OK", "* PREAUTH" or "* BYE";
// NNTP 200, 201, 400 or 502. Bytes that cannot start such a greeting stop
// the read and give open (unexpected-reply) with the bytes quoted.
// Product names a server only when the greeting's words single it out.
package banner

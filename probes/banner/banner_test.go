package banner

import (
	"reflect"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/probetest"
)

func TestParseSMTPGreeting(t *testing.T) {
	// Captured from Postfix 3.7.11 on Debian 12 (testdata/smtp-postfix.hex):
	// "220 mail.lab.test ESMTP Postfix (Debian/GNU)\r\n".
	g, err := ParseSMTPGreeting(probetest.ReadHex(t, "testdata/smtp-postfix.hex"))
	if err != nil {
		t.Fatal(err)
	}
	want := SMTPGreeting{Code: 220, Domain: "mail.lab.test", ESMTP: true, Lines: []string{"mail.lab.test ESMTP Postfix (Debian/GNU)"}, Product: "Postfix"}
	if !reflect.DeepEqual(g, want) {
		t.Errorf("got %+v, want %+v", g, want)
	}
	if s := g.Summary(); s != "220 mail.lab.test ESMTP Postfix (Debian/GNU)" {
		t.Errorf("summary %q", s)
	}
}

func TestParseSMTPGreetingSpec(t *testing.T) {
	tests := []struct {
		name string
		in   string
		code int
		dom  string
		n    int
	}{
		// RFC 5321 D.1: "S: 220 foo.com Simple Mail Transfer Service Ready".
		{"rfc5321 D.1", "220 foo.com Simple Mail Transfer Service Ready\r\n", 220, "foo.com", 1},
		// RFC 5321 4.2.1: a multi-line reply; every line but the last has "-".
		{"multi-line", "220-mx.example ESMTP\r\n220-no UCE\r\n220 ready\r\n", 220, "mx.example", 3},
		// RFC 5321 3.1: 554 instead of 220 when the server refuses service.
		{"no service", "554 mx.example no SMTP service here\r\n", 554, "mx.example", 1},
		// A bare code is a valid reply line (4.2: [ SP textstring ]).
		{"bare code", "220\r\n", 220, "", 1},
	}
	for _, tt := range tests {
		g, err := ParseSMTPGreeting([]byte(tt.in))
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if g.Code != tt.code || g.Domain != tt.dom || len(g.Lines) != tt.n {
			t.Errorf("%s: got %+v", tt.name, g)
		}
	}
}

func TestParseSMTPGreetingRejects(t *testing.T) {
	for _, in := range []string{
		"",
		"220 no line end",
		"200 news.example NNTP\r\n",   // an NNTP greeting
		"220-first\r\n250 second\r\n", // codes differ (4.2.1)
		"220-first\r\n",               // continuation never ends
		"220 done\r\n220 after the last line\r\n", // a line after the last
		"220x\r\n",
		"+OK pop\r\n",
		"SSH-2.0-OpenSSH_9.2\r\n",
	} {
		if g, err := ParseSMTPGreeting([]byte(in)); err == nil {
			t.Errorf("%q: accepted as %+v", in, g)
		}
	}
}

func TestParsePOP3Greeting(t *testing.T) {
	// Captured from Dovecot 2.3.19.1 (testdata/pop3-dovecot.hex):
	// "+OK Dovecot (Debian) ready.\r\n".
	g, err := ParsePOP3Greeting(probetest.ReadHex(t, "testdata/pop3-dovecot.hex"))
	if err != nil {
		t.Fatal(err)
	}
	want := POP3Greeting{OK: true, Text: "Dovecot (Debian) ready.", Product: "Dovecot"}
	if g != want {
		t.Errorf("got %+v, want %+v", g, want)
	}
	// RFC 1939 7, the APOP example: "S: +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>".
	g, err = ParsePOP3Greeting([]byte("+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n"))
	if err != nil || !g.APOP || !g.OK {
		t.Errorf("APOP greeting: %+v, %v", g, err)
	}
	for _, in := range []string{"", "+OKAY\r\n", "* OK imap\r\n", "-ER\r\n"} {
		if g, err := ParsePOP3Greeting([]byte(in)); err == nil {
			t.Errorf("%q accepted as %+v", in, g)
		}
	}
}

func TestParseIMAPGreeting(t *testing.T) {
	// Captured from Dovecot 2.3.19.1 (testdata/imap-dovecot.hex):
	// "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE
	// LITERAL+ STARTTLS AUTH=PLAIN] Dovecot (Debian) ready.\r\n".
	g, err := ParseIMAPGreeting(probetest.ReadHex(t, "testdata/imap-dovecot.hex"))
	if err != nil {
		t.Fatal(err)
	}
	want := IMAPGreeting{
		Status:       "OK",
		Code:         "CAPABILITY",
		Capabilities: []string{"IMAP4rev1", "SASL-IR", "LOGIN-REFERRALS", "ID", "ENABLE", "IDLE", "LITERAL+", "STARTTLS", "AUTH=PLAIN"},
		Text:         "Dovecot (Debian) ready.",
		Product:      "Dovecot",
	}
	if !reflect.DeepEqual(g, want) {
		t.Errorf("got %+v, want %+v", g, want)
	}
	if s := g.Summary(); s != "* OK Dovecot (Debian) ready." {
		t.Errorf("summary %q", s)
	}
	// RFC 9051 7.1.5 and 7.1.4 examples.
	for in, status := range map[string]string{
		"* PREAUTH IMAP4rev2 server logged in as Smith\r\n": "PREAUTH",
		"* BYE Autologout; idle for too long\r\n":           "BYE",
		"* OK IMAP4rev2 server ready\r\n":                   "OK",
	} {
		g, err := ParseIMAPGreeting([]byte(in))
		if err != nil || g.Status != status {
			t.Errorf("%q: %+v, %v", in, g, err)
		}
	}
	for _, in := range []string{"", "* NO go away\r\n", "a1 OK done\r\n", "* OK [CAPABILITY IMAP4rev1\r\n", "+OK\r\n"} {
		if g, err := ParseIMAPGreeting([]byte(in)); err == nil {
			t.Errorf("%q accepted as %+v", in, g)
		}
	}
}

func TestParseNNTPGreeting(t *testing.T) {
	// Captured from INN 2.7.1 nnrpd (testdata/nntp-inn.hex):
	// "200 news.lab.test InterNetNews NNRP server INN 2.7.1 ready (posting ok)\r\n".
	g, err := ParseNNTPGreeting(probetest.ReadHex(t, "testdata/nntp-inn.hex"))
	if err != nil {
		t.Fatal(err)
	}
	want := NNTPGreeting{Code: 200, Posting: true, Text: "news.lab.test InterNetNews NNRP server INN 2.7.1 ready (posting ok)", Product: "INN"}
	if g != want {
		t.Errorf("got %+v, want %+v", g, want)
	}
	// Captured from the same nnrpd before its overview database existed.
	g, err = ParseNNTPGreeting(probetest.ReadHex(t, "testdata/nntp-inn-unavailable.hex"))
	if err != nil || g.Code != 400 || g.Posting {
		t.Errorf("400 greeting: %+v, %v", g, err)
	}
	// RFC 3977 5.1.3 examples.
	for in, code := range map[string]int{
		"200 NNTP Service Ready, posting permitted\r\n":  200,
		"201 NNTP Service Ready, posting prohibited\r\n": 201,
		"502 NNTP Service permanently unavailable\r\n":   502,
	} {
		if g, err := ParseNNTPGreeting([]byte(in)); err != nil || g.Code != code {
			t.Errorf("%q: %+v, %v", in, g, err)
		}
	}
	for _, in := range []string{"", "220 smtp ESMTP\r\n", "200-multi\r\n", "+OK\r\n"} {
		if g, err := ParseNNTPGreeting([]byte(in)); err == nil {
			t.Errorf("%q accepted as %+v", in, g)
		}
	}
}

func TestProduct(t *testing.T) {
	for text, want := range map[string]string{
		"mx.example Microsoft ESMTP MAIL Service ready at Tue, 1 Jan 2002": "Microsoft ESMTP",
		// Windows Server 2003's IIS SMTP and Exchange 2003 alike (issue 14).
		"w2k3.example Microsoft ESMTP MAIL Service, Version: 6.0.3790.3959 ready at  Tue, 1 Jan 2008 10:00:00 +0100": "Microsoft ESMTP",
		"w2k.example Microsoft SMTP MAIL ready at Tue, 1 Jan 2002 10:00:00 +0100":                                    "Microsoft SMTP",
		"mail.example Microsoft Exchange Internet Mail Service 5.5.2653.13 ready":                                    "Microsoft Exchange",
		"mail.example ESMTP Sendmail 8.17.1.9/8.17.1.9; Tue":                                                         "Sendmail",
		"mail.example ESMTP Exim 4.96 Tue, 01 Jan":                                                                   "Exim",
		"just a server": "",
	} {
		if got := Product(text); got != want {
			t.Errorf("Product(%q) = %q, want %q", text, got, want)
		}
	}
}

// TestConverseLoopback speaks to tiny servers that send the captured
// greetings, through the real TCP probe.
func TestConverseLoopback(t *testing.T) {
	tests := []struct {
		name    string
		talk    probes.Conversation
		reply   []byte
		summary string
	}{
		{"smtp", SMTP{}, probetest.ReadHex(t, "testdata/smtp-postfix.hex"), "220 mail.lab.test ESMTP Postfix (Debian/GNU)"},
		{"pop3", POP3{}, probetest.ReadHex(t, "testdata/pop3-dovecot.hex"), "+OK Dovecot (Debian) ready."},
		{"imap", IMAP{}, probetest.ReadHex(t, "testdata/imap-dovecot.hex"), "* OK Dovecot (Debian) ready."},
		{"nntp", NNTP{}, probetest.ReadHex(t, "testdata/nntp-inn.hex"), "200 news.lab.test InterNetNews NNRP server INN 2.7.1 ready (posting ok)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := probetest.Serve(t, probetest.Reply(tt.reply))
			r := probetest.ProbeTCP(t, tt.talk, addr, 5*time.Second)
			if r.State != probes.Confirmed || r.Service == nil || r.Service.Protocol != tt.name || r.Service.Summary != tt.summary {
				t.Fatalf("got %v %+v", r, r.Service)
			}
		})
	}
}

// TestConverseWrongProtocol: each greeting sent to the other protocols'
// conversations is an unexpected reply, never a confirmation.
func TestConverseWrongProtocol(t *testing.T) {
	greetings := map[string][]byte{
		"smtp": probetest.ReadHex(t, "testdata/smtp-postfix.hex"),
		"pop3": probetest.ReadHex(t, "testdata/pop3-dovecot.hex"),
		"imap": probetest.ReadHex(t, "testdata/imap-dovecot.hex"),
		"nntp": probetest.ReadHex(t, "testdata/nntp-inn.hex"),
	}
	talks := map[string]probes.Conversation{"smtp": SMTP{}, "pop3": POP3{}, "imap": IMAP{}, "nntp": NNTP{}}
	for gname, g := range greetings {
		addr := probetest.Serve(t, probetest.Reply(g))
		for tname, talk := range talks {
			if gname == tname {
				continue
			}
			r := probetest.ProbeTCP(t, talk, addr, 5*time.Second)
			if r.State != probes.Open || r.Reason != probes.ReasonUnexpectedReply {
				t.Errorf("%s greeting to %s: %v", gname, tname, r)
			}
		}
	}
}

// TestSMTPDelayedGreeting: Postfix's postscreen sends "220-" and holds the
// rest back; the first line alone proves SMTP when the rest is late.
func TestSMTPDelayedGreeting(t *testing.T) {
	addr := probetest.Serve(t, probetest.Reply([]byte("220-mx.lab.test ESMTP Postfix\r\n")))
	r := probetest.ProbeTCP(t, SMTP{}, addr, 500*time.Millisecond)
	if r.State != probes.Confirmed {
		t.Fatalf("got %v", r)
	}
	if g := r.Service.Details.(SMTPGreeting); !g.Incomplete || g.Product != "Postfix" {
		t.Errorf("details %+v", g)
	}
}

func FuzzParseSMTPGreeting(f *testing.F) {
	for _, c := range probetest.Captures(f, "testdata/*.hex") {
		f.Add(c)
	}
	f.Add([]byte("220-a\r\n220 b\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if g, err := ParseSMTPGreeting(b); err == nil {
			_ = g.Summary()
		}
		if g, err := parseSMTPGreeting(b, true); err == nil {
			_ = g.Summary()
		}
	})
}

func FuzzParsePOP3Greeting(f *testing.F) {
	for _, c := range probetest.Captures(f, "testdata/*.hex") {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if g, err := ParsePOP3Greeting(b); err == nil {
			_ = g.Summary()
		}
	})
}

func FuzzParseIMAPGreeting(f *testing.F) {
	for _, c := range probetest.Captures(f, "testdata/*.hex") {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if g, err := ParseIMAPGreeting(b); err == nil {
			_ = g.Summary()
		}
	})
}

func FuzzParseNNTPGreeting(f *testing.F) {
	for _, c := range probetest.Captures(f, "testdata/*.hex") {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if g, err := ParseNNTPGreeting(b); err == nil {
			_ = g.Summary()
		}
	})
}

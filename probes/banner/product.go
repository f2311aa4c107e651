package banner

import "strings"

// Product names the server software a greeting text reveals, or "".
// Matching ignores case: "ESMTP Sendmail" and "sendmail" are the same.
func Product(text string) string {
	// Words that servers put in their greetings, and the product's name.
	// The first match wins, so the more specific marks come first.
	marks := [...]struct{ mark, product string }{
		{"Microsoft ESMTP MAIL Service", "Microsoft Exchange"},
		{"Microsoft Exchange", "Microsoft Exchange"},
		{"Microsoft SMTP", "Microsoft SMTP Service"},
		{"Postfix", "Postfix"},
		{"Dovecot", "Dovecot"},
		{"InterNetNews", "INN"},
		{"Sendmail", "Sendmail"},
		{"Exim", "Exim"},
		{"Cyrus", "Cyrus IMAP"},
		{"Courier", "Courier"},
		{"qmail", "qmail"},
		{"OpenSMTPD", "OpenSMTPD"},
		{"MDaemon", "MDaemon"},
		{"hMailServer", "hMailServer"},
		{"Zimbra", "Zimbra"},
		{"Lotus Domino", "Lotus Domino"},
		{"Leafnode", "Leafnode"},
		{"Diablo", "Diablo"},
		{"UW IMAP", "UW IMAP"},
		{"Qpopper", "Qpopper"},
	}
	lower := strings.ToLower(text)
	for _, p := range marks {
		if strings.Contains(lower, strings.ToLower(p.mark)) {
			return p.product
		}
	}
	return ""
}

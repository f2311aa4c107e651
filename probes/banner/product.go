package banner

import "strings"

// Product names the server software a greeting text reveals, or "". It
// names a product only when the words distinguish it from every other
// product that greets the same way. Matching ignores case: "ESMTP
// Sendmail" and "sendmail" are the same.
func Product(text string) string {
	// Words that servers put in their greetings, and the product's name.
	// The first match wins, so the more specific marks come first.
	marks := [...]struct{ mark, product string }{
		// "Microsoft ESMTP MAIL Service, Version: 6.0.3790.x ready" is
		// the IIS SMTP service of Windows Server 2003 as well as
		// Exchange 2003 (which runs on it), and Exchange 2007 and later
		// greet the same way: only the greeting's own words are named,
		// as nmap does ("Microsoft ESMTP"). "Microsoft SMTP MAIL" is
		// Windows 2000's IIS SMTP, which Exchange 2000 extends.
		{"Microsoft Exchange", "Microsoft Exchange"},
		{"Microsoft ESMTP MAIL Service", "Microsoft ESMTP"},
		{"Microsoft SMTP", "Microsoft SMTP"},
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

package ldap

import (
	"context"
	"net"

	"github.com/winreach/winreach/probes"
)

const (
	// maxMessage bounds one LDAP message read over TCP. The root DSE with
	// the attributes asked for is about 1 KiB on AD; 64 KiB leaves room for
	// servers that send every attribute.
	maxMessage = 64 << 10
	// maxMessages bounds how many messages one search may bring back
	// (the entry, referrals, the done message).
	maxMessages = 8
	// rootDSEMessageID is the ID of the one request on a fresh connection.
	rootDSEMessageID = 1
)

// noticeOfDisconnection is the ExtendedResponse OID a server sends before
// it drops a connection (RFC 4511 4.4.1).
const noticeOfDisconnection = "1.3.6.1.4.1.1466.20036"

// RootDSE is the probes.Conversation for TCP 389 (and for 636 inside
// tlsprobe.Handshake): it reads the root DSE anonymously.
type RootDSE struct{}

// RootDSEDetails is the Details of an LDAP service.
type RootDSEDetails struct {
	RootDSE *RootDSEInfo `json:"root_dse,omitempty"`
	// Result is the SearchResultDone (or the notice of disconnection)
	// when it is not a plain success.
	Result *Result `json:"result,omitempty"`
}

// Converse implements probes.Conversation.
func (RootDSE) Converse(ctx context.Context, conn net.Conn, _ probes.Target) probes.Answer {
	if err := ctx.Err(); err != nil {
		return probes.Answer{Err: err}
	}
	if _, err := conn.Write(AppendRootDSERequest(nil, rootDSEMessageID)); err != nil {
		return probes.Answer{Err: err}
	}
	var (
		details RootDSEDetails
		gotAny  bool
	)
	for i := 0; i < maxMessages; i++ {
		raw, err := readMessage(conn, maxMessage)
		if err != nil {
			if gotAny {
				break // keep what arrived: the entry proves LDAP already
			}
			if len(raw) > 0 {
				// Bytes came, but no whole LDAP message.
				return probes.Answer{Unexpected: raw}
			}
			return probes.Answer{Err: err}
		}
		m, _, err := ParseMessage(raw)
		if err != nil {
			if gotAny {
				break
			}
			return probes.Answer{Unexpected: raw}
		}
		if !answersSearch(m) {
			// Our own request reflected (an echo), another operation's
			// response: not an answer to the search.
			if gotAny {
				continue
			}
			return probes.Answer{Unexpected: raw}
		}
		if m.ID == 0 {
			// Unsolicited notification: the server is dropping us.
			details.Result = m.Result
			gotAny = true
			break
		}
		if m.ID != rootDSEMessageID {
			if gotAny {
				continue
			}
			return probes.Answer{Unexpected: raw}
		}
		gotAny = true
		if m.Entry != nil && details.RootDSE == nil {
			info := RootDSEFromEntry(m.Entry)
			details.RootDSE = &info
		}
		if m.Op == opSearchResultDone {
			if m.Result != nil && m.Result.Code != 0 {
				details.Result = m.Result
			}
			break
		}
	}
	return probes.Answer{Service: &probes.Service{Protocol: "ldap", Summary: details.summary(), Details: details}}
}

// answersSearch reports whether m can answer the root DSE search: a
// SearchResultEntry, SearchResultReference or SearchResultDone with the
// search's message ID (RFC 4511 4.5.2), or an ExtendedResponse, which a
// server sends with the ID to say it cannot serve the request, or with ID
// 0 as an unsolicited notification (4.4).
func answersSearch(m Message) bool {
	switch {
	case m.ID == 0:
		return m.Op == opExtendedResponse && m.Result != nil
	case m.ID != rootDSEMessageID:
		return true // judged below: another message ID
	}
	switch m.Op {
	case opSearchResultEntry, opSearchResultRef, opSearchResultDone:
		return true
	case opExtendedResponse:
		return m.Result != nil
	}
	return false
}

func (d RootDSEDetails) summary() string {
	switch {
	case d.RootDSE != nil:
		return d.RootDSE.Summary()
	case d.Result != nil && d.Result.ResponseName == noticeOfDisconnection:
		return "LDAP, notice of disconnection: " + ResultCodeName(d.Result.Code)
	case d.Result != nil:
		return "LDAP, root DSE search: " + ResultCodeName(d.Result.Code)
	}
	return "LDAP, root DSE empty"
}

package ldap

import (
	"encoding/binary"
	"fmt"

	"github.com/winreach/winreach/probes"
)

// NetlogonPing is the probes.Datagram for UDP 389: the LDAP ping of
// [MS-ADTS] 6.3.3, a SearchRequest for the root DSE with filter
// (&(NtVer=\06\00\00\00)) (optionally with DnsDomain) and the single
// attribute Netlogon, sent as one LDAPMessage per datagram (Windows and
// Samba use the RFC 4511 message, without RFC 1798's user field).
type NetlogonPing struct {
	// DNSDomain, when set, adds (DnsDomain=...) to the filter; without it
	// the DC answers for its own domain (6.3.3.2).
	DNSDomain string
	// FirstID is the message ID of attempt 0; each retry adds one, so a
	// late answer to an earlier attempt still matches. Zero means 1.
	FirstID int32
}

// ntVersionRequested is NETLOGON_NT_VERSION_5 | NETLOGON_NT_VERSION_5EX:
// the DC answers with NETLOGON_SAM_LOGON_RESPONSE_EX (6.3.1.9).
const ntVersionRequested = netlogonNtVersion5 | netlogonNtVersion5EX

// AppendNetlogonPing appends the LDAP ping request with message ID id.
func AppendNetlogonPing(b []byte, id int32, dnsDomain string) []byte {
	ntVer := binary.LittleEndian.AppendUint32(nil, ntVersionRequested)
	var terms []Filter
	if dnsDomain != "" {
		terms = append(terms, Equal("DnsDomain", []byte(dnsDomain)))
	}
	terms = append(terms, Equal("NtVer", ntVer))
	return AppendSearchRequest(b, id, "", And(terms...), []string{"Netlogon"})
}

func (p NetlogonPing) id(attempt int) int32 {
	first := p.FirstID
	if first <= 0 {
		first = 1
	}
	return first + int32(attempt)
}

// Request implements probes.Datagram.
func (p NetlogonPing) Request(_ probes.Target, attempt int) []byte {
	return AppendNetlogonPing(nil, p.id(attempt), p.DNSDomain)
}

// NetlogonDetails is the Details of a CLDAP service.
type NetlogonDetails struct {
	Netlogon *NetlogonResponse `json:"netlogon,omitempty"`
	// Result is the SearchResultDone when no entry came (a filter the DC
	// refused, or a server that is not a DC).
	Result *Result `json:"result,omitempty"`
	// Error says why a Netlogon value that came could not be decoded.
	Error string `json:"error,omitempty"`
}

// Parse implements probes.Datagram.
func (p NetlogonPing) Parse(req, reply []byte) (*probes.Service, error) {
	want, err := messageID(req)
	if err != nil {
		return nil, err
	}
	m, rest, err := ParseMessage(reply)
	if err != nil {
		return nil, err
	}
	if m.ID != want {
		return nil, probes.ErrNotForUs
	}
	var d NetlogonDetails
	switch {
	case m.Entry != nil:
		vals := m.Entry.Get("Netlogon")
		if len(vals) == 0 {
			d.Error = "entry without a Netlogon attribute"
			break
		}
		nl, err := ParseNetlogonResponse(vals[0])
		if err != nil {
			d.Error = err.Error()
			break
		}
		d.Netlogon = &nl
		if done, _, err := ParseMessage(rest); err == nil && done.Result != nil && done.Result.Code != 0 {
			d.Result = done.Result
		}
	case m.Result != nil:
		d.Result = m.Result
	default:
		return nil, fmt.Errorf("%w: protocolOp %#02x in reply to a search", errBER, m.Op)
	}
	return &probes.Service{Protocol: "cldap", Summary: d.summary(), Details: d}, nil
}

func (d NetlogonDetails) summary() string {
	switch {
	case d.Netlogon != nil:
		return d.Netlogon.Summary()
	case d.Result != nil && d.Result.Code == 0:
		// Samba and Windows answer a ping for a domain they do not serve
		// with an empty, successful search.
		return "CLDAP, no netlogon entry (not a DC of the domain asked)"
	case d.Result != nil:
		return "CLDAP, netlogon search: " + ResultCodeName(d.Result.Code)
	}
	return "CLDAP, " + d.Error
}

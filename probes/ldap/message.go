package ldap

import (
	"github.com/winreach/winreach/probes"

	"fmt"
	"strings"
)

// protocolOp tags of the messages used here (RFC 4511 4.2-4.12, Appendix B).
const (
	opBindResponse      = classApplication | constructed | 1  // 0x61
	opSearchRequest     = classApplication | constructed | 3  // 0x63
	opSearchResultEntry = classApplication | constructed | 4  // 0x64
	opSearchResultDone  = classApplication | constructed | 5  // 0x65
	opSearchResultRef   = classApplication | constructed | 19 // 0x73
	opExtendedResponse  = classApplication | constructed | 24 // 0x78
)

// Filter is an encoded search filter (RFC 4511 4.5.1.7).
type Filter []byte

// Present is (attr=*): present [7] AttributeDescription.
func Present(attr string) Filter { return appendString(nil, classContext|7, attr) }

// Equal is (attr=value): equalityMatch [3] AttributeValueAssertion.
func Equal(attr string, value []byte) Filter {
	var ava []byte
	ava = appendString(ava, tagOctetString, attr)
	ava = appendTLV(ava, tagOctetString, value)
	return appendTLV(nil, classContext|constructed|3, ava)
}

// And is (&f1 f2 ...): and [0] SET SIZE (1..MAX) OF Filter.
func And(filters ...Filter) Filter {
	var set []byte
	for _, f := range filters {
		set = append(set, f...)
	}
	return appendTLV(nil, classContext|constructed, set) // [0] and, RFC 4511 4.5.1
}

// AppendSearchRequest appends an LDAPMessage (RFC 4511 4.1.1) carrying a
// base-object SearchRequest (4.5.1): no alias dereferencing, no size or
// time limit, types and values, the given filter and attributes.
func AppendSearchRequest(b []byte, id int32, base string, filter Filter, attrs []string) []byte {
	var req []byte
	req = appendString(req, tagOctetString, base) // baseObject LDAPDN
	req = appendInt(req, tagEnumerated, 0)        // scope baseObject (0)
	req = appendInt(req, tagEnumerated, 0)        // derefAliases neverDerefAliases (0)
	req = appendInt(req, tagInteger, 0)           // sizeLimit
	req = appendInt(req, tagInteger, 0)           // timeLimit
	req = appendTLV(req, tagBoolean, []byte{0})   // typesOnly FALSE
	req = append(req, filter...)
	var list []byte
	for _, a := range attrs {
		list = appendString(list, tagOctetString, a)
	}
	req = appendTLV(req, tagSequence, list) // attributes AttributeSelection

	var msg []byte
	msg = appendInt(msg, tagInteger, id) // messageID
	msg = appendTLV(msg, opSearchRequest, req)
	return appendTLV(b, tagSequence, msg)
}

// Message is one decoded LDAPMessage (RFC 4511 4.1.1) of the kinds a
// search gets back.
type Message struct {
	ID int32
	// Op is the protocolOp's identifier octet, e.g. 0x64 SearchResultEntry.
	Op byte
	// Entry is set for a SearchResultEntry (4.5.2).
	Entry *Entry
	// Result is set for the operations whose reply is an LDAPResult
	// (4.1.9): SearchResultDone, BindResponse, ExtendedResponse and the
	// other responses.
	Result *Result
}

// Entry is a SearchResultEntry: the object's name and its attributes.
type Entry struct {
	DN         string
	Attributes []Attribute
}

// Attribute is a PartialAttribute (4.1.7): a type and its values.
type Attribute struct {
	Type   string
	Values [][]byte
}

// Get returns the values of the attribute named name; attribute
// descriptions compare without regard to case (RFC 4512 2.5).
func (e *Entry) Get(name string) [][]byte {
	for _, a := range e.Attributes {
		if strings.EqualFold(a.Type, name) {
			return a.Values
		}
	}
	return nil
}

// Result is an LDAPResult (4.1.9).
type Result struct {
	Code       int32  `json:"code"`
	MatchedDN  string `json:"matched_dn,omitempty"`
	Diagnostic string `json:"diagnostic,omitempty"`
	// ResponseName is the OID of an ExtendedResponse (4.12), e.g. the
	// notice of disconnection 1.3.6.1.4.1.1466.20036 (4.4.1).
	ResponseName string `json:"response_name,omitempty"`
}

// maxAttributes and maxValues bound what one entry may make us keep.
const (
	maxAttributes = 256
	maxValues     = 256
)

// ParseMessage decodes the first LDAPMessage of b and returns the bytes
// after it (a CLDAP datagram carries the entry and SearchResultDone back
// to back). Operations other than those listed in Message come back with
// only ID and Op set.
func ParseMessage(b []byte) (Message, []byte, error) {
	body, rest, err := readTagged(b, tagSequence)
	if err != nil {
		return Message{}, nil, err
	}
	id, body, err := readInt(body, tagInteger)
	if err != nil {
		return Message{}, nil, err
	}
	if id < 0 {
		return Message{}, nil, fmt.Errorf("%w: negative message ID", errBER)
	}
	op, _, err := readElement(body) // controls [0] may follow; ignored
	if err != nil {
		return Message{}, nil, err
	}
	m := Message{ID: id, Op: op.tag}
	switch op.tag {
	case opSearchResultEntry:
		e, err := parseEntry(op.value)
		if err != nil {
			return Message{}, nil, err
		}
		m.Entry = &e
	case opBindResponse, opSearchResultDone, opExtendedResponse,
		classApplication | constructed | 7,  // ModifyResponse
		classApplication | constructed | 9,  // AddResponse
		classApplication | constructed | 11, // DelResponse
		classApplication | constructed | 13, // ModifyDNResponse
		classApplication | constructed | 15: // CompareResponse
		r, err := parseResult(op.value)
		if err != nil {
			return Message{}, nil, err
		}
		if op.tag == opExtendedResponse {
			r.ResponseName = extendedResponseName(op.value)
		}
		m.Result = &r
	case opSearchResultRef, opSearchRequest:
	default:
		if op.tag&0xc0 != classApplication {
			return Message{}, nil, fmt.Errorf("%w: protocolOp tag %#02x", errBER, op.tag)
		}
	}
	return m, rest, nil
}

// parseEntry decodes SearchResultEntry ::= [APPLICATION 4] SEQUENCE {
// objectName LDAPDN, attributes PartialAttributeList }.
func parseEntry(b []byte) (Entry, error) {
	dn, b, err := readTagged(b, tagOctetString)
	if err != nil {
		return Entry{}, err
	}
	list, _, err := readTagged(b, tagSequence)
	if err != nil {
		return Entry{}, err
	}
	e := Entry{DN: string(dn)}
	for len(list) > 0 {
		var attr []byte
		attr, list, err = readTagged(list, tagSequence)
		if err != nil {
			return Entry{}, err
		}
		typ, vals, err := readTagged(attr, tagOctetString)
		if err != nil {
			return Entry{}, err
		}
		set, _, err := readTagged(vals, tagSet)
		if err != nil {
			return Entry{}, err
		}
		a := Attribute{Type: string(typ)}
		for len(set) > 0 {
			var v []byte
			v, set, err = readTagged(set, tagOctetString)
			if err != nil {
				return Entry{}, err
			}
			if len(a.Values) < maxValues {
				a.Values = append(a.Values, v)
			}
		}
		if len(e.Attributes) < maxAttributes {
			e.Attributes = append(e.Attributes, a)
		}
	}
	return e, nil
}

// parseResult decodes the leading LDAPResult fields: resultCode
// ENUMERATED, matchedDN LDAPDN, diagnosticMessage LDAPString.
func parseResult(b []byte) (Result, error) {
	code, b, err := readInt(b, tagEnumerated)
	if err != nil {
		return Result{}, err
	}
	matched, b, err := readTagged(b, tagOctetString)
	if err != nil {
		return Result{}, err
	}
	diag, _, err := readTagged(b, tagOctetString)
	if err != nil {
		return Result{}, err
	}
	return Result{Code: code, MatchedDN: probes.Printable(matched, 256), Diagnostic: probes.Printable(diag, 256)}, nil
}

// extendedResponseName finds responseName [10] LDAPOID after the
// LDAPResult fields and an optional referral [3] (RFC 4511 4.12).
func extendedResponseName(b []byte) string {
	for i := 0; i < 5 && len(b) > 0; i++ {
		e, rest, err := readElement(b)
		if err != nil {
			return ""
		}
		if e.tag == classContext|10 {
			return probes.Printable(e.value, 64)
		}
		b = rest
	}
	return ""
}

// messageID returns the messageID of an encoded LDAPMessage.
func messageID(b []byte) (int32, error) {
	body, _, err := readTagged(b, tagSequence)
	if err != nil {
		return 0, err
	}
	id, _, err := readInt(body, tagInteger)
	return id, err
}

// ResultCodeName names the common LDAP result codes (RFC 4511 4.1.9,
// Appendix A).
func ResultCodeName(code int32) string {
	switch code {
	case 0:
		return "success"
	case 1:
		return "operationsError"
	case 2:
		return "protocolError"
	case 7:
		return "authMethodNotSupported"
	case 8:
		return "strongerAuthRequired"
	case 13:
		return "confidentialityRequired"
	case 32:
		return "noSuchObject"
	case 48:
		return "inappropriateAuthentication"
	case 49:
		return "invalidCredentials"
	case 50:
		return "insufficientAccessRights"
	case 51:
		return "busy"
	case 52:
		return "unavailable"
	case 53:
		return "unwillingToPerform"
	}
	return fmt.Sprintf("result %d", code)
}

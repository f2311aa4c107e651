package kerberos

import (
	"errors"
	"fmt"
)

// DER tag bytes used by RFC 4120 (X.690 8.1.2): universal types, and the
// class bits of APPLICATION and context-specific constructed tags.
const (
	tagInteger         = 0x02
	tagBitString       = 0x03
	tagOctetString     = 0x04
	tagSequence        = 0x30
	tagGeneralizedTime = 0x18
	tagGeneralString   = 0x1b
	classApplication   = 0x60 // APPLICATION, constructed
	classContext       = 0xa0 // context-specific, constructed
)

// appendTLV appends a DER element with a definite length (X.690 8.1.3,
// 10.1: the shortest length form).
func appendTLV(b []byte, tag byte, content []byte) []byte {
	b = append(b, tag)
	switch n := len(content); {
	case n < 0x80:
		b = append(b, byte(n))
	case n < 0x100:
		b = append(b, 0x81, byte(n))
	case n < 0x10000:
		b = append(b, 0x82, byte(n>>8), byte(n))
	default:
		b = append(b, 0x83, byte(n>>16), byte(n>>8), byte(n))
	}
	return append(b, content...)
}

// explicit wraps content in the context tag [n] (RFC 4120 5.1: every
// field tag is EXPLICIT).
func explicit(n int, content []byte) []byte {
	return appendTLV(nil, classContext|byte(n), content)
}

// derInteger encodes v as a DER INTEGER: minimal two's complement
// (X.690 8.3).
func derInteger(v int64) []byte {
	var c []byte
	for i := 7; i >= 0; i-- {
		c = append(c, byte(v>>(8*i)))
	}
	for len(c) > 1 && ((c[0] == 0 && c[1]&0x80 == 0) || (c[0] == 0xff && c[1]&0x80 != 0)) {
		c = c[1:]
	}
	return appendTLV(nil, tagInteger, c)
}

// element is one parsed BER/DER element.
type element struct {
	tag     byte // the identifier octet (single-byte tags only)
	content []byte
}

var errTruncated = errors.New("kerberos: truncated DER")

// readElement reads one element from b and returns it with the rest of b.
// It accepts definite lengths only (DER, X.690 10.1) of up to 3 octets.
func readElement(b []byte) (element, []byte, error) {
	var e element
	if len(b) < 2 {
		return e, nil, errTruncated
	}
	e.tag = b[0]
	if e.tag&0x1f == 0x1f {
		return e, nil, fmt.Errorf("kerberos: multi-byte tag %#x", e.tag)
	}
	n := int(b[1])
	b = b[2:]
	if n >= 0x80 {
		octets := n & 0x7f
		if octets == 0 || octets > 3 {
			return e, nil, fmt.Errorf("kerberos: unsupported length form %#x", n|0x80)
		}
		if len(b) < octets {
			return e, nil, errTruncated
		}
		n = 0
		for _, c := range b[:octets] {
			n = n<<8 | int(c)
		}
		b = b[octets:]
	}
	if n > len(b) {
		return e, nil, errTruncated
	}
	e.content = b[:n]
	return e, b[n:], nil
}

// fields splits a SEQUENCE's content into its explicit context-tagged
// fields [0]..[30], keyed by tag number. Unknown universal elements are
// an error: RFC 4120 sequences carry only tagged fields.
func fields(seq []byte) (map[int][]byte, error) {
	m := map[int][]byte{}
	for len(seq) > 0 {
		e, rest, err := readElement(seq)
		if err != nil {
			return nil, err
		}
		if e.tag&0xe0 != classContext {
			return nil, fmt.Errorf("kerberos: untagged element %#x in a sequence", e.tag)
		}
		m[int(e.tag&0x1f)] = e.content
		seq = rest
	}
	return m, nil
}

// inner reads the single element inside an explicit tag and checks its
// universal tag.
func inner(b []byte, tag byte) ([]byte, error) {
	e, rest, err := readElement(b)
	if err != nil {
		return nil, err
	}
	if e.tag != tag || len(rest) != 0 {
		return nil, fmt.Errorf("kerberos: element %#x, want %#x", e.tag, tag)
	}
	return e.content, nil
}

// parseInt reads an explicit-tagged INTEGER that fits in 32 bits (RFC
// 4120 5.2.4 Int32, UInt32, Microseconds).
func parseInt(b []byte) (int64, error) {
	c, err := inner(b, tagInteger)
	if err != nil {
		return 0, err
	}
	if len(c) == 0 || len(c) > 5 {
		return 0, fmt.Errorf("kerberos: INTEGER of %d octets", len(c))
	}
	v := int64(int8(c[0]))
	for _, o := range c[1:] {
		v = v<<8 | int64(o)
	}
	return v, nil
}

// parseString reads an explicit-tagged KerberosString or Realm
// (GeneralString, RFC 4120 5.2.1).
func parseString(b []byte) (string, error) {
	c, err := inner(b, tagGeneralString)
	return string(c), err
}

// parsePrincipal reads a PrincipalName (RFC 4120 5.2.2): name-type and
// the components.
func parsePrincipal(b []byte) (Principal, error) {
	var p Principal
	seq, err := inner(b, tagSequence)
	if err != nil {
		return p, err
	}
	f, err := fields(seq)
	if err != nil {
		return p, err
	}
	nt, err := parseInt(f[0])
	if err != nil {
		return p, err
	}
	p.Type = int32(nt)
	names, err := inner(f[1], tagSequence)
	if err != nil {
		return p, err
	}
	for len(names) > 0 && len(p.Names) < 16 {
		e, rest, err := readElement(names)
		if err != nil {
			return p, err
		}
		if e.tag != tagGeneralString {
			return p, fmt.Errorf("kerberos: name component %#x", e.tag)
		}
		p.Names = append(p.Names, string(e.content))
		names = rest
	}
	return p, nil
}

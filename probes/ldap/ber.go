package ldap

import (
	"errors"
	"fmt"
	"io"
)

// BER identifier octets used by LDAP (X.690 8.1.2; RFC 4511 4 and
// Appendix B for the application tags).
const (
	tagBoolean     = 0x01
	tagInteger     = 0x02
	tagOctetString = 0x04
	tagEnumerated  = 0x0a
	tagSequence    = 0x30 // universal 16, constructed
	tagSet         = 0x31 // universal 17, constructed

	classApplication = 0x40
	classContext     = 0x80
	constructed      = 0x20
)

var errBER = errors.New("malformed BER")

// element is one BER TLV: its identifier octet and its contents.
type element struct {
	tag   byte
	value []byte
}

// readElement splits the first TLV off b (X.690 8.1.1). Only the low tag
// number form (8.1.2.2) and definite lengths (8.1.3.3-8.1.3.5) are
// accepted; RFC 4511 5.1 rules out the indefinite form, and no LDAP tag
// needs the high-number form.
func readElement(b []byte) (e element, rest []byte, err error) {
	hdr, n, err := parseHeader(b)
	if err != nil {
		return element{}, nil, err
	}
	if n > len(b)-hdr {
		return element{}, nil, fmt.Errorf("%w: length %d exceeds the %d bytes left", errBER, n, len(b)-hdr)
	}
	return element{tag: b[0], value: b[hdr : hdr+n]}, b[hdr+n:], nil
}

// errShortHeader means b holds too few bytes to tell an element's length.
var errShortHeader = fmt.Errorf("%w: truncated header", errBER)

// parseHeader returns the size of a TLV's identifier and length octets
// and the length of its contents.
func parseHeader(b []byte) (hdr, n int, err error) {
	if len(b) < 2 {
		return 0, 0, errShortHeader
	}
	if b[0]&0x1f == 0x1f {
		return 0, 0, fmt.Errorf("%w: high tag number form", errBER)
	}
	l := b[1]
	switch {
	case l < 0x80: // short form, 8.1.3.4
		return 2, int(l), nil
	case l == 0x80:
		return 0, 0, fmt.Errorf("%w: indefinite length", errBER)
	case l > 0x84:
		return 0, 0, fmt.Errorf("%w: %d length octets", errBER, l&0x7f)
	}
	k := int(l & 0x7f) // long form, 8.1.3.5
	if len(b) < 2+k {
		return 0, 0, errShortHeader
	}
	for _, c := range b[2 : 2+k] {
		n = n<<8 | int(c)
	}
	if n < 0 || n > 1<<30 {
		return 0, 0, fmt.Errorf("%w: length %d", errBER, n)
	}
	return 2 + k, n, nil
}

// readTagged reads the first element of b and checks its tag.
func readTagged(b []byte, tag byte) (value, rest []byte, err error) {
	e, rest, err := readElement(b)
	if err != nil {
		return nil, nil, err
	}
	if e.tag != tag {
		return nil, nil, fmt.Errorf("%w: tag %#02x where %#02x belongs", errBER, e.tag, tag)
	}
	return e.value, rest, nil
}

// parseInt decodes a two's complement INTEGER or ENUMERATED of at most 4
// octets (X.690 8.3; every LDAP integer is bounded by maxInt, 2^31-1).
func parseInt(v []byte) (int32, error) {
	if len(v) == 0 || len(v) > 4 {
		return 0, fmt.Errorf("%w: integer of %d octets", errBER, len(v))
	}
	n := int32(int8(v[0]))
	for _, c := range v[1:] {
		n = n<<8 | int32(c)
	}
	return n, nil
}

// readInt reads an element with the given tag holding an integer.
func readInt(b []byte, tag byte) (int32, []byte, error) {
	v, rest, err := readTagged(b, tag)
	if err != nil {
		return 0, nil, err
	}
	n, err := parseInt(v)
	return n, rest, err
}

// readMessage reads one whole TLV from r, refusing any longer than max. It
// reads the header first, so a peer announcing a huge length costs nothing.
func readMessage(r io.Reader, max int) ([]byte, error) {
	var hdr [6]byte
	// One byte first: a peer that trickles noise is refused at once.
	if _, err := io.ReadFull(r, hdr[:1]); err != nil {
		return hdr[:0], err
	}
	if hdr[0] != tagSequence {
		return hdr[:1], fmt.Errorf("%w: not a SEQUENCE", errBER)
	}
	if _, err := io.ReadFull(r, hdr[1:2]); err != nil {
		return hdr[:1], err
	}
	size := 2
	if l := hdr[1]; l > 0x80 && l <= 0x84 {
		k := int(l & 0x7f)
		if n, err := io.ReadFull(r, hdr[2:2+k]); err != nil {
			return hdr[:2+n], err
		}
		size += k
	}
	h, n, err := parseHeader(hdr[:size])
	if err != nil {
		return hdr[:size], err
	}
	if n > max-h {
		return hdr[:size], fmt.Errorf("%w: message of %d bytes exceeds %d", errBER, n, max)
	}
	msg := make([]byte, h+n)
	copy(msg, hdr[:h])
	m, err := io.ReadFull(r, msg[h:])
	return msg[:h+m], err
}

// appendLength appends a definite length in the shortest form (X.690
// 8.1.3; DER 10.1).
func appendLength(b []byte, n int) []byte {
	switch {
	case n < 0x80:
		return append(b, byte(n))
	case n <= 0xff:
		return append(b, 0x81, byte(n))
	case n <= 0xffff:
		return append(b, 0x82, byte(n>>8), byte(n))
	case n <= 0xffffff:
		return append(b, 0x83, byte(n>>16), byte(n>>8), byte(n))
	}
	return append(b, 0x84, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}

// appendTLV appends one element.
func appendTLV(b []byte, tag byte, value []byte) []byte {
	b = append(b, tag)
	b = appendLength(b, len(value))
	return append(b, value...)
}

// appendInt appends an INTEGER or ENUMERATED in the fewest octets
// (X.690 8.3.2).
func appendInt(b []byte, tag byte, v int32) []byte {
	n := 1
	for n < 4 && (v>>(8*n-1) != 0 && v>>(8*n-1) != -1) {
		n++
	}
	b = append(b, tag, byte(n))
	for i := n - 1; i >= 0; i-- {
		b = append(b, byte(v>>(8*i)))
	}
	return b
}

// appendString appends an OCTET STRING (or an implicitly tagged one).
func appendString(b []byte, tag byte, s string) []byte {
	b = append(b, tag)
	b = appendLength(b, len(s))
	return append(b, s...)
}

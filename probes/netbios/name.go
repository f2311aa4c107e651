package netbios

import (
	"errors"
	"strings"
)

// encodedNameLen is the length of a first-level encoded name without
// scope: the length byte 0x20, 32 half-ASCII bytes, the root label 0x00
// (RFC 1001 14.1, RFC 1002 4.1).
const encodedNameLen = 34

// AppendEncodedName appends the first-level encoding of a NetBIOS name
// (RFC 1001 14.1): the name is upper-cased, padded to 15 bytes, followed by
// the suffix byte, and each of the 16 bytes is split into two nibbles sent
// as 'A'+nibble. The wildcard "*" is padded with NUL instead of spaces
// (RFC 1002 4.2.17: "*" followed by 15 zero bytes, suffix included, so
// suffix is ignored for it). Names longer than 15 bytes are cut.
func AppendEncodedName(b []byte, name string, suffix byte) []byte {
	var raw [16]byte
	if name == "*" {
		raw[0] = '*'
	} else {
		name = strings.ToUpper(name)
		for i := range 15 {
			raw[i] = ' '
			if i < len(name) {
				raw[i] = name[i]
			}
		}
		raw[15] = suffix
	}
	b = append(b, 0x20)
	for _, c := range raw {
		b = append(b, 'A'+c>>4, 'A'+c&0x0f)
	}
	return append(b, 0x00)
}

var errBadName = errors.New("netbios: malformed encoded name")

// skipName returns the length of the (possibly compressed) domain-style
// name at the start of b (RFC 1002 4.1, RFC 1035 4.1.4): labels up to the
// root, or up to and including a 2-byte pointer. Scope labels are allowed.
func skipName(b []byte) (int, error) {
	for i := 0; i < len(b); {
		l := int(b[i])
		switch {
		case l == 0:
			return i + 1, nil
		case l&0xc0 == 0xc0:
			if i+2 > len(b) {
				return 0, errBadName
			}
			return i + 2, nil
		case l&0xc0 != 0:
			return 0, errBadName
		}
		i += 1 + l
	}
	return 0, errBadName
}

package dcerpc

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
)

// UUID is a DCE UUID (C706 appendix A) held in its string order: the
// bytes of "e1af8308-5d1f-11c9-91a4-08002b14a0fa" are e1 af 83 08 5d 1f ...
// On the wire NDR writes the first three fields (time_low, time_mid,
// time_hi_and_version) in the sender's byte order, which is little-endian
// for every Windows and Samba peer (C706 14.2.5, [MS-RPCE] 2.2.2.1);
// tower floors always use little-endian (C706 appendix L).
type UUID [16]byte

// ParseUUID reads the canonical 36-character form.
func ParseUUID(s string) (UUID, error) {
	var u UUID
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, errors.New("dcerpc: malformed UUID " + s)
	}
	h := s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:36]
	if _, err := hex.Decode(u[:], []byte(h)); err != nil {
		return u, errors.New("dcerpc: malformed UUID " + s)
	}
	return u, nil
}

// mustUUID is for the constants of this package, which are tested.
func mustUUID(s string) UUID {
	u, err := ParseUUID(s)
	if err != nil {
		panic(err)
	}
	return u
}

func (u UUID) String() string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:36], u[10:16])
	return string(b[:])
}

func (u UUID) MarshalText() ([]byte, error) { return []byte(u.String()), nil }

func (u *UUID) UnmarshalText(b []byte) error {
	v, err := ParseUUID(string(b))
	*u = v
	return err
}

// IsZero reports the nil UUID.
func (u UUID) IsZero() bool { return u == UUID{} }

// appendUUID writes u in wire order: time_low, time_mid and
// time_hi_and_version in order o, the rest as bytes.
func appendUUID(b []byte, u UUID, o binary.AppendByteOrder) []byte {
	b = o.AppendUint32(b, binary.BigEndian.Uint32(u[0:4]))
	b = o.AppendUint16(b, binary.BigEndian.Uint16(u[4:6]))
	b = o.AppendUint16(b, binary.BigEndian.Uint16(u[6:8]))
	return append(b, u[8:16]...)
}

// uuidFromWire is the inverse of appendUUID; b holds at least 16 bytes.
func uuidFromWire(b []byte, o binary.ByteOrder) UUID {
	var u UUID
	binary.BigEndian.PutUint32(u[0:4], o.Uint32(b[0:4]))
	binary.BigEndian.PutUint16(u[4:6], o.Uint16(b[4:6]))
	binary.BigEndian.PutUint16(u[6:8], o.Uint16(b[6:8]))
	copy(u[8:], b[8:16])
	return u
}

// SyntaxID names an interface or a transfer syntax and its version
// (C706 12.6.3.1 p_syntax_id_t: the 32-bit if_version carries the major
// version in its low 16 bits and the minor version in its high 16 bits).
type SyntaxID struct {
	UUID  UUID
	Major uint16
	Minor uint16
}

// Well-known syntaxes.
const (
	// EPMapperUUID is the endpoint mapper interface, version 3.0 (C706 appendix L).
	EPMapperUUID = "e1af8308-5d1f-11c9-91a4-08002b14a0fa"
	// NDRUUID is the NDR transfer syntax, version 2.0 (C706 appendix I).
	NDRUUID = "8a885d04-1ceb-11c9-9fe8-08002b104860"
)

// EPMapper is the endpoint mapper's abstract syntax, v3.0.
func EPMapper() SyntaxID { return SyntaxID{UUID: mustUUID(EPMapperUUID), Major: 3} }

// NDR is the NDR 2.0 transfer syntax.
func NDR() SyntaxID { return SyntaxID{UUID: mustUUID(NDRUUID), Major: 2} }

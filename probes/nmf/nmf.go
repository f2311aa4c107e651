package nmf

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Record types ([MC-NMF] 2.2.3).
const (
	RecVersion         = 0x00
	RecMode            = 0x01
	RecVia             = 0x02
	RecKnownEncoding   = 0x03
	RecFault           = 0x08
	RecUpgradeRequest  = 0x09
	RecUpgradeResponse = 0x0a
	RecPreambleAck     = 0x0b
	RecPreambleEnd     = 0x0c
)

// Modes ([MC-NMF] 2.2.3.2).
const (
	ModeSingletonUnsized = 0x01
	ModeDuplex           = 0x02
	ModeSimplex          = 0x03
	ModeSingletonSized   = 0x04
)

// EncodingBinaryDictionary is the Known Encoding "binary SOAP 1.2 with
// in-band dictionary" ([MC-NMF] 2.2.3.4, [MC-NBFSE]).
const EncodingBinaryDictionary = 0x08

// Framing version 1.0 ([MC-NMF] 2.2.3.1).
const (
	versionMajor = 1
	versionMinor = 0
)

// maxSize is the largest record size [MC-NMF] 2.2.2 allows: five octets
// of which the last carries at most 3 bits (a 31-bit value, .NET's
// Int32.MaxValue).
const maxSize = 1<<31 - 1

// AppendSize appends a record size ([MC-NMF] 2.2.2).
func AppendSize(b []byte, n int) []byte {
	for n >= 0x80 {
		b = append(b, byte(n)|0x80)
		n >>= 7
	}
	return append(b, byte(n))
}

var errBadSize = errors.New("nmf: bad record size")

// ReadSize reads a record size ([MC-NMF] 2.2.2) from r: at most five
// octets, and the value at most 2^31-1.
func ReadSize(r io.ByteReader) (int, error) {
	n := 0
	for i := range 5 {
		c, err := r.ReadByte()
		if err != nil {
			return 0, err
		}
		n |= int(c&0x7f) << (7 * i)
		if c&0x80 == 0 {
			if n > maxSize {
				return 0, errBadSize
			}
			return n, nil
		}
	}
	return 0, errBadSize
}

// AppendPreamble appends the preamble of a duplex session ([MC-NMF]
// 2.2.6): Version 1.0, Mode duplex, Via, Known Encoding 0x08, Preamble
// End.
func AppendPreamble(b []byte, via string) []byte {
	b = append(b, RecVersion, versionMajor, versionMinor)
	b = append(b, RecMode, ModeDuplex)
	b = append(b, RecVia)
	b = AppendSize(b, len(via))
	b = append(b, via...)
	b = append(b, RecKnownEncoding, EncodingBinaryDictionary)
	return append(b, RecPreambleEnd)
}

// Answer is the server's answer to a preamble.
type Answer struct {
	// Record is RecPreambleAck, RecFault or RecUpgradeResponse.
	Record uint8
	// Fault is the Fault Record's fault string ([MC-NMF] 2.2.3.6).
	Fault string
}

// maxFault bounds a fault string: [MC-NMF]'s are URIs of ~80 octets.
const maxFault = 4096

// ErrNotNMF is returned when the first octet is no record a server
// answers a preamble with.
var ErrNotNMF = errors.New("nmf: not a preamble answer")

// ReadAnswer reads the server's first record from r: a Preamble Ack, an
// Upgrade Response, or a Fault Record with its string.
func ReadAnswer(r io.ByteReader) (Answer, error) {
	var a Answer
	c, err := r.ReadByte()
	if err != nil {
		return a, err
	}
	a.Record = c
	switch c {
	case RecPreambleAck, RecUpgradeResponse:
		return a, nil
	case RecFault:
	default:
		return a, ErrNotNMF
	}
	n, err := ReadSize(r)
	if err != nil {
		return a, fmt.Errorf("nmf: fault size: %w", err)
	}
	if n == 0 || n > maxFault {
		return a, fmt.Errorf("nmf: fault string of %d octets", n)
	}
	s := make([]byte, n)
	for i := range s {
		if s[i], err = r.ReadByte(); err != nil {
			return a, err
		}
	}
	if !utf8.Valid(s) {
		return a, errors.New("nmf: fault string is not UTF-8")
	}
	a.Fault = string(s)
	return a, nil
}

// ParseAnswer reads an answer from b, which must hold exactly one record.
func ParseAnswer(b []byte) (Answer, error) {
	r := &sliceReader{b: b}
	a, err := ReadAnswer(r)
	if err == nil && len(r.b) > 0 {
		return a, fmt.Errorf("nmf: %d octets after the record", len(r.b))
	}
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return a, err
}

type sliceReader struct{ b []byte }

func (s *sliceReader) ReadByte() (byte, error) {
	if len(s.b) == 0 {
		return 0, io.EOF
	}
	c := s.b[0]
	s.b = s.b[1:]
	return c, nil
}

// faultPrefix is the namespace of [MC-NMF]'s fault strings.
const faultPrefix = "http://schemas.microsoft.com/ws/2006/05/framing/faults/"

// FaultName is the short name of a framing fault string
// ("UpgradeInvalid"), or the string itself for another one.
func FaultName(s string) string {
	return strings.TrimPrefix(s, faultPrefix)
}

package banner

import (
	"bytes"
	"io"
)

const (
	// maxGreetingBytes bounds a greeting read. RFC 5321 4.5.3.1.5 limits an
	// SMTP reply line to 512 octets; the longest real greetings (IMAP with
	// a capability list) stay under 1 KiB.
	maxGreetingBytes = 4096
	// maxGreetingLines bounds a multi-line greeting.
	maxGreetingLines = 32
)

// readGreeting reads from r until the last line of a greeting, a byte
// that no greeting starts with, maxGreetingBytes or maxGreetingLines.
// plausible reports whether b, the first bytes read (maybe an incomplete
// line), can begin a greeting of the protocol; last reports whether a line
// (without its line ending) ends the greeting. It returns every byte read;
// complete is true when the last line arrived; err is the read error that
// stopped it, if any.
func readGreeting(r io.Reader, plausible, last func([]byte) bool) (raw []byte, complete bool, err error) {
	buf := make([]byte, maxGreetingBytes)
	n, scanned, lines := 0, 0, 0
	for n < len(buf) {
		m, rerr := r.Read(buf[n:])
		n += m
		if !plausible(buf[:n]) {
			return buf[:n], false, nil
		}
		for {
			i := bytes.IndexByte(buf[scanned:n], '\n')
			if i < 0 {
				break
			}
			line := bytes.TrimSuffix(buf[scanned:scanned+i], []byte("\r"))
			scanned += i + 1
			lines++
			if last(line) {
				return buf[:n], true, nil
			}
			if lines >= maxGreetingLines {
				return buf[:n], false, nil
			}
		}
		if rerr != nil {
			return buf[:n], false, rerr
		}
	}
	return buf[:n], false, nil
}

// splitLines splits a greeting into lines without their CRLF (or bare LF)
// endings; an unterminated tail is dropped.
func splitLines(b []byte) [][]byte {
	var lines [][]byte
	for {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return lines
		}
		lines = append(lines, bytes.TrimSuffix(b[:i], []byte("\r")))
		b = b[i+1:]
	}
}

// hasPrefixOf reports whether b and prefix agree on their common length:
// b can still grow into prefix, or already starts with it.
func hasPrefixOf(b []byte, prefix string) bool {
	n := min(len(b), len(prefix))
	return string(b[:n]) == prefix[:n]
}

// isDigits reports whether b is all ASCII digits.
func isDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// maxSummaryText bounds the greeting text quoted in a summary.
const maxSummaryText = 80

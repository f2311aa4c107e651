package report

import (
	"bytes"
	"testing"

	"github.com/winreach/winreach/scanner"
)

// FuzzReadScan feeds the reader of saved scans, behind --resume, merge,
// diff and report, arbitrary bytes: it may refuse them, never panic, and
// what it accepts it hands over host by host. The seeds are this package's
// own JSON and JSON Lines of the fixture document, whole and cut.
func FuzzReadScan(f *testing.F) {
	d := withPolicy(fixedDocument())
	for _, format := range []string{"json", "jsonl"} {
		var b bytes.Buffer
		wr, err := New(format, &b)
		if err != nil {
			f.Fatal(err)
		}
		if err := WriteDocument(wr, d); err != nil {
			f.Fatal(err)
		}
		f.Add(b.Bytes())
		f.Add(b.Bytes()[:b.Len()/2])
	}
	f.Add([]byte(`{"scanner":"winreach","hosts":[{"address":"198.18.1.10","endpoints":null}]}`))
	f.Add([]byte("{\"type\":\"start\"}\n{\"type\":\"endpoint\",\"host\":\"198.18.1.10\"}\n{\"type\":"))
	f.Fuzz(func(t *testing.T, b []byte) {
		saved, err := ReadScan(bytes.NewReader(b), func(s *Saved, h scanner.HostResult) error {
			if s == nil {
				t.Fatal("a host without its scan")
			}
			return nil
		})
		if err == nil && saved == nil {
			t.Fatal("no error and no scan")
		}
	})
}

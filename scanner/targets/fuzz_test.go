package targets

import (
	"strings"
	"testing"
)

// fuzzSeeds are the specs of the table tests, good and bad.
var fuzzSeeds = []string{
	"198.18.1.10", "fd77:7272::10", "fe80::1%eth0", "::ffff:198.18.1.10",
	"198.18.1.0/24", "198.18.1.77/24", "198.18.1.6/31", "fd00::/120",
	"::ffff:198.18.1.0/120", "198.18.1.1-20", "198.18.1.250-198.18.2.5",
	"fd00::1-fd00::ff", "198.18.1-2.1-3", "198.18.*.1", "198.18.1.*",
	"dc1.lab.test", "win_2k", "", "300.1.1.1", "0x7f.1", "198.18.1.0/33",
	"198.18.1.9-3", "198.18.1.1-010", "198.18.1.1-fd00::1", "::/0",
	"*.*.*.1-2", "255.255.255.254/31", "198.18.1.1-2-3",
}

// enumerateLimit bounds the full enumerations of the fuzz tests.
const enumerateLimit = 4096

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		s, err := Parse(text)
		if err != nil {
			msg := err.Error()
			if strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "target ") && msg != "empty target" {
				t.Fatalf("Parse(%q) error is not one line naming the target: %q", text, msg)
			}
			if _, err := (Options{AllowLarge: true}).Parse(text); err != nil {
				return
			}
			// Refused only for its size: look at the large spec.
			s, _ = Options{AllowLarge: true}.Parse(text)
		}
		if again, err := (Options{AllowLarge: true}).Parse(s.String()); err != nil || again.size() != s.size() {
			t.Fatalf("Parse(%q) = %q, which parses again to size %v, %v", text, s, again.size(), err)
		}
		size, exact := s.Size()
		l := List{s}
		it := l.Hosts(nil)
		var n uint64
		for h, ok := it.Next(); ok; h, ok = it.Next() {
			if s.kind == kindName {
				if h.Err == nil || h.Name != s.Name() {
					t.Fatalf("unresolved name %q expanded to %+v", s, h)
				}
				return
			}
			if !s.Contains(h.Addr) {
				t.Fatalf("%q expanded to %s, which it does not contain", s, h.Addr)
			}
			n++
			if n > enumerateLimit {
				break
			}
		}
		if exact && size <= enumerateLimit && n != size {
			t.Fatalf("%q has size %d but expanded to %d addresses", s, size, n)
		}
		if count, err := l.Count(nil); err != nil || count != size {
			t.Fatalf("%q has size %d but Count = %d, %v", s, size, count, err)
		}
	})
}

func FuzzExpand(f *testing.F) {
	f.Add("198.18.1.0/24", "198.18.1.100-200")
	f.Add("198.18.1-2.1-5", "198.18.1.3-198.18.2.2")
	f.Add("fd00::/120,198.18.1.1", "fd00::/122,198.18.0.0/16")
	f.Add("198.18.1.1 198.18.1.1", "")
	f.Add("198.18.1.0/24", "0.0.0.0/0")
	f.Fuzz(func(t *testing.T, targets, exclude string) {
		opts := Options{AllowLarge: true}
		l, err := opts.ParseList(targets)
		if err != nil {
			return
		}
		exclList, err := opts.ParseList(exclude)
		if err != nil {
			return
		}
		excl, err := NewExcludeSet(exclList)
		if err != nil {
			return
		}
		count, countErr := l.Count(excl)
		var total uint64
		for _, s := range l {
			n, _ := s.Size()
			total += min(n, enumerateLimit+1)
		}
		var n uint64
		for h := range l.All(excl) {
			if h.Err == nil && excl.Contains(h.Addr) {
				t.Fatalf("expand %q exclude %q yielded excluded %s", targets, exclude, h.Addr)
			}
			n++
			if n > enumerateLimit {
				break
			}
		}
		if total > enumerateLimit {
			return
		}
		if countErr != nil && n != 0 || countErr == nil && count != n {
			t.Fatalf("expand %q exclude %q: %d hosts but Count = %d, %v", targets, exclude, n, count, countErr)
		}
	})
}

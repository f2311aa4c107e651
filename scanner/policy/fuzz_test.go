package policy

import (
	"strings"
	"testing"

	"github.com/winreach/winreach/catalog"
)

// FuzzParse: any file gives a policy or one line of error naming the
// file, never a panic.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"198.18.1.0/24 * blocked except dns-resolution,smtp\n198.18.1.20 smtp reachable\n",
		"* Logon Sequence, Kerberos reachable # comment\n",
		"198.18.1-2.1-5 exchange blocked except smtp\nfd77:7272:1::/64 win2000 blocked\n",
		"198.18.1.20 reachable\n",
	} {
		f.Add(s)
	}
	c := catalog.Default()
	f.Fuzz(func(t *testing.T, text string) {
		p, err := Parse(strings.NewReader(text), "p.txt", c)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "p.txt") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q", err)
			}
			return
		}
		for _, r := range p.Rules {
			if len(r.Functions) == 0 || r.Line < 1 || (r.Expect != Reachable && r.Expect != Blocked) {
				t.Fatalf("rule %+v", r)
			}
		}
	})
}

package catalog

import (
	"slices"
	"testing"
)

// FuzzParse: a user's catalog file is read by Parse, so no text may make
// it panic, and what it accepts keeps the invariants the scanner relies
// on: every function has a required endpoint, slugs and names are
// unique, an optional endpoint is not also required, and every rule
// names an endpoint its function lists.
func FuzzParse(f *testing.F) {
	f.Add(functionsData)
	f.Add(modernData)
	f.Add("group g | G\nvpn | VPN | tcp/1723 ip/47\nrule vpn | tcp/1723 | confirm\nrule vpn | ip/47 | data-path | why\n")
	f.Add("source s | S | https://example.invalid\ngroup g | G\na | A | any: tcp/80 tcp/443 | note | s\nb | B | tcp/9000 udp/9000?\n")
	f.Fuzz(func(t *testing.T, data string) {
		c, err := Parse(data)
		if err != nil {
			if _, ok := err.(*SyntaxError); !ok {
				t.Fatalf("error %v is not a *SyntaxError", err)
			}
			return
		}
		ids, names := map[string]bool{}, map[string]bool{}
		for _, fn := range c.Functions {
			if len(fn.Endpoints) == 0 || fn.Name == "" || !validSlug(fn.ID) {
				t.Fatalf("function %+v accepted", fn)
			}
			if ids[fn.ID] || names[normalize(fn.Name)] {
				t.Fatalf("function %q or its name %q repeated", fn.ID, fn.Name)
			}
			ids[fn.ID], names[normalize(fn.Name)] = true, true
			for _, e := range fn.Optional {
				if slices.Contains(fn.Endpoints, e) {
					t.Fatalf("%s: %s both required and optional", fn.ID, e)
				}
			}
			for _, e := range append(append([]Endpoint{}, fn.Confirm...), fn.DataPath...) {
				if !slices.Contains(fn.Endpoints, e) && !slices.Contains(fn.Optional, e) {
					t.Fatalf("%s: a rule for %s, which it does not list", fn.ID, e)
				}
			}
		}
	})
}

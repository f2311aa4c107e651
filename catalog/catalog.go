package catalog

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"
)

//go:embed functions.txt
var functionsData string

// Group is one of the KB's lists: "Windows NT 4.0 services", "Exchange".
type Group struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Function is one row of the KB: a Windows function and what it needs.
type Function struct {
	ID    string `json:"id"`    // stable slug for the CLI and JSON: "logon-sequence"
	Name  string `json:"name"`  // the KB's own name: "Logon Sequence"
	Group string `json:"group"` // group slug
	// Endpoints the function needs. With AnyOf, one of them suffices
	// (RDP Client: TCP 3389, or TCP 1503 for pre-Beta 2 clients).
	Endpoints []Endpoint `json:"endpoints"`
	AnyOf     bool       `json:"any_of,omitempty"`
	Note      string     `json:"note,omitempty"`
}

// Catalog is the whole table.
type Catalog struct {
	Groups    []Group
	Functions []Function
}

// Default returns the catalog embedded in the binary. It panics only if the
// embedded file is malformed, which the package tests rule out.
func Default() *Catalog {
	c, err := Parse(functionsData)
	if err != nil {
		panic("catalog: embedded data: " + err.Error())
	}
	return c
}

// Parse reads the catalog format documented at the top of functions.txt.
func Parse(data string) (*Catalog, error) {
	c := &Catalog{}
	seen := map[string]bool{}
	group := ""
	for i, line := range strings.Split(data, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, "|")
		for j := range fields {
			fields[j] = strings.TrimSpace(fields[j])
		}
		errf := func(format string, a ...any) error {
			return fmt.Errorf("line %d: %s", i+1, fmt.Sprintf(format, a...))
		}
		if rest, ok := strings.CutPrefix(fields[0], "group "); ok {
			if len(fields) != 2 {
				return nil, errf("group wants \"group slug | name\"")
			}
			group = strings.TrimSpace(rest)
			if seen["group:"+group] {
				return nil, errf("group %q repeated", group)
			}
			seen["group:"+group] = true
			c.Groups = append(c.Groups, Group{ID: group, Name: fields[1]})
			continue
		}
		if group == "" {
			return nil, errf("function before any group")
		}
		if len(fields) < 3 || len(fields) > 4 {
			return nil, errf("want \"slug | name | endpoints [| note]\"")
		}
		f := Function{ID: fields[0], Name: fields[1], Group: group}
		if len(fields) == 4 {
			f.Note = fields[3]
		}
		eps := fields[2]
		if rest, ok := strings.CutPrefix(eps, "any:"); ok {
			f.AnyOf, eps = true, rest
		}
		var err error
		if f.Endpoints, err = ParseEndpoints(eps); err != nil {
			return nil, errf("%v", err)
		}
		if len(f.Endpoints) == 0 {
			return nil, errf("function %q has no endpoints", f.ID)
		}
		if !validSlug(f.ID) {
			return nil, errf("slug %q: want lower-case letters, digits and dashes", f.ID)
		}
		if seen[f.ID] {
			return nil, errf("function %q repeated", f.ID)
		}
		seen[f.ID] = true
		c.Functions = append(c.Functions, f)
	}
	return c, nil
}

func validSlug(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// Function returns the function with this slug.
func (c *Catalog) Function(id string) (Function, bool) {
	for _, f := range c.Functions {
		if f.ID == id {
			return f, true
		}
	}
	return Function{}, false
}

// Group returns the group with this slug.
func (c *Catalog) Group(id string) (Group, bool) {
	for _, g := range c.Groups {
		if g.ID == id {
			return g, true
		}
	}
	return Group{}, false
}

// Endpoints returns every distinct endpoint the functions need, sorted.
func Endpoints(fns []Function) []Endpoint {
	set := map[Endpoint]bool{}
	for _, f := range fns {
		for _, e := range f.Endpoints {
			set[e] = true
		}
	}
	out := make([]Endpoint, 0, len(set))
	for e := range set {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Less(out[j]) })
	return out
}

// Lookup finds a function or group by slug or by name, case-insensitively.
// It returns the functions selected; ok is false when nothing matches.
func (c *Catalog) Lookup(name string) (fns []Function, ok bool) {
	key := normalize(name)
	for _, g := range c.Groups {
		if normalize(g.ID) == key || normalize(g.Name) == key {
			return c.InGroup(g.ID), true
		}
	}
	for _, f := range c.Functions {
		if normalize(f.ID) == key || normalize(f.Name) == key {
			return []Function{f}, true
		}
	}
	return nil, false
}

// InGroup returns the functions of one group, in catalog order.
func (c *Catalog) InGroup(group string) []Function {
	var out []Function
	for _, f := range c.Functions {
		if f.Group == group {
			out = append(out, f)
		}
	}
	return out
}

// Suggest returns up to three slugs close to a name that matched nothing.
func (c *Catalog) Suggest(name string) []string {
	key := normalize(name)
	type cand struct {
		slug string
		dist int
	}
	var cands []cand
	consider := func(slug, label string) {
		d := min(editDistance(key, normalize(slug)), editDistance(key, normalize(label)))
		if strings.Contains(normalize(slug), key) || strings.Contains(normalize(label), key) {
			d = min(d, 1)
		}
		cands = append(cands, cand{slug, d})
	}
	for _, g := range c.Groups {
		consider(g.ID, g.Name)
	}
	for _, f := range c.Functions {
		consider(f.ID, f.Name)
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].dist < cands[j].dist })
	limit := max(2, len(key)/2)
	var out []string
	for _, cd := range cands {
		if cd.dist > limit || len(out) == 3 {
			break
		}
		out = append(out, cd.slug)
	}
	return out
}

// normalize folds case and drops everything but letters and digits, so
// "Logon Sequence", "logon-sequence" and "LOGON_SEQUENCE" meet.
func normalize(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

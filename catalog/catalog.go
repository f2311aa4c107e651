package catalog

import (
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
)

//go:embed functions.txt
var functionsData string

//go:embed modern.txt
var modernData string

// The names of the embedded catalogs, for --catalog.
const (
	Q150543 = "q150543" // the default: Microsoft KB Q150543 (NT 4.0 to Windows 2000)
	Modern  = "modern"  // Windows Server 2016 to 2025, from Microsoft's current documents
)

// embedded are the catalogs built into the binary, in the order
// 'winreach catalog' names them.
var embedded = []struct{ name, title, data string }{
	{Q150543, "Microsoft KB Q150543", functionsData},
	{Modern, "Windows Server 2016-2025, from Microsoft's current port documentation", modernData},
}

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
	// Optional endpoints add a transport the function can do without
	// (RDP's UDP 3389 beside TCP 3389): they are probed and explained,
	// but do not decide the verdict.
	Optional []Endpoint `json:"optional,omitempty"`
	// Confirm lists endpoints where an open port is not enough: the
	// service must answer in its own protocol (a "rule ... | confirm"
	// line: PPTP's control connection).
	Confirm []Endpoint `json:"confirm,omitempty"`
	// DataPath lists endpoints that carry a session's data and have a
	// listener only during a session (a "rule ... | data-path" line:
	// PPTP's GRE, the DHCP client's UDP 68): "closed" from the target
	// there proves the path.
	DataPath []Endpoint `json:"data_path,omitempty"`
	Note     string     `json:"note,omitempty"`
	// Sources are the slugs of the documents (Catalog.Sources) the
	// function's ports come from.
	Sources []string `json:"sources,omitempty"`
}

// Source is a document a catalog cites.
type Source struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	URL   string `json:"url,omitempty"`
}

// Catalog is the whole table.
type Catalog struct {
	// Name is how --catalog named it: "q150543", "modern", a file name,
	// or several joined by commas.
	Name string `json:"name"`
	// Title says where the table comes from.
	Title     string     `json:"title"`
	Sources   []Source   `json:"sources,omitempty"`
	Groups    []Group    `json:"groups"`
	Functions []Function `json:"functions"`
}

// Default returns the catalog embedded in the binary. It panics only if the
// embedded file is malformed, which the package tests rule out.
func Default() *Catalog {
	c, _ := Embedded(Q150543)
	return c
}

// Embedded returns the embedded catalog of that name. It panics only if
// the embedded file is malformed, which the package tests rule out.
func Embedded(name string) (*Catalog, bool) {
	for _, e := range embedded {
		if e.name == name {
			c, err := Parse(e.data)
			if err != nil {
				panic("catalog: embedded " + name + ": " + err.Error())
			}
			c.Name, c.Title = e.name, e.title
			return c, true
		}
	}
	return nil, false
}

// EmbeddedNames lists the embedded catalogs.
func EmbeddedNames() []string {
	out := make([]string, len(embedded))
	for i, e := range embedded {
		out[i] = e.name
	}
	return out
}

// Load resolves a --catalog value: one or more embedded names or files,
// separated by commas; "" is the default. Several catalogs are joined into
// one, and a group or function slug may appear in only one of them. A
// file's errors name it and the line: "my.txt:12: what is wrong".
func Load(spec string, readFile func(string) ([]byte, error)) (*Catalog, error) {
	if strings.TrimSpace(spec) == "" {
		return Default(), nil
	}
	var parts []*Catalog
	for _, name := range strings.Split(spec, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			return nil, fmt.Errorf("catalog list %q has an empty name", spec)
		}
		if c, ok := Embedded(strings.ToLower(name)); ok {
			parts = append(parts, c)
			continue
		}
		data, err := readFile(name)
		if err != nil {
			return nil, fmt.Errorf("catalog %q is neither %s nor a readable file: %w", name, strings.Join(EmbeddedNames(), " nor "), err)
		}
		c, err := Parse(string(data))
		if err != nil {
			var se *SyntaxError
			if errors.As(err, &se) {
				return nil, fmt.Errorf("%s:%d: %s", name, se.Line, se.Msg)
			}
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if len(c.Functions) == 0 {
			return nil, fmt.Errorf("%s: no functions", name)
		}
		c.Name, c.Title = name, "user catalog "+name
		parts = append(parts, c)
	}
	return join(parts)
}

// join makes one catalog of several.
func join(parts []*Catalog) (*Catalog, error) {
	if len(parts) == 1 {
		return parts[0], nil
	}
	out := &Catalog{}
	owner := map[string]string{}
	// A name two catalogs share ("Kerberos" is in q150543 and modern) gets
	// its catalog's name added in both, so the joined table tells them
	// apart.
	nameCount := map[string]int{}
	for _, c := range parts {
		for _, f := range c.Functions {
			nameCount[normalize(f.Name)]++
		}
	}
	var names, titles []string
	for _, c := range parts {
		names, titles = append(names, c.Name), append(titles, c.Title)
		for _, g := range c.Groups {
			if o, dup := owner["group:"+g.ID]; dup {
				return nil, fmt.Errorf("group %q is in both catalog %s and catalog %s", g.ID, o, c.Name)
			}
			owner["group:"+g.ID] = c.Name
		}
		for _, f := range c.Functions {
			if o, dup := owner[f.ID]; dup {
				return nil, fmt.Errorf("function %q is in both catalog %s and catalog %s", f.ID, o, c.Name)
			}
			owner[f.ID] = c.Name
		}
		for _, s := range c.Sources {
			if o, dup := owner["source:"+s.ID]; dup && !slices.Contains(out.Sources, s) {
				return nil, fmt.Errorf("source %q differs between catalog %s and catalog %s", s.ID, o, c.Name)
			} else if !dup {
				owner["source:"+s.ID] = c.Name
				out.Sources = append(out.Sources, s)
			}
		}
		out.Groups = append(out.Groups, c.Groups...)
		for _, f := range c.Functions {
			if nameCount[normalize(f.Name)] > 1 {
				f.Name += " (" + c.Name + ")"
			}
			out.Functions = append(out.Functions, f)
		}
	}
	out.Name, out.Title = strings.Join(names, ","), strings.Join(titles, "; ")
	return out, nil
}

// SyntaxError is a line of catalog text that Parse cannot read.
type SyntaxError struct {
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// Parse reads the catalog format documented at the top of functions.txt
// and modern.txt.
func Parse(data string) (*Catalog, error) {
	c := &Catalog{}
	seen := map[string]bool{}
	names := map[string]string{} // normalized function name -> slug
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
			return &SyntaxError{Line: i + 1, Msg: fmt.Sprintf(format, a...)}
		}
		if rest, ok := strings.CutPrefix(fields[0], "source "); ok {
			if len(fields) < 2 || len(fields) > 3 || fields[1] == "" {
				return nil, errf("source wants \"source slug | title [| url]\"")
			}
			s := Source{ID: strings.TrimSpace(rest), Title: fields[1]}
			if len(fields) == 3 {
				s.URL = fields[2]
			}
			if !validSlug(s.ID) {
				return nil, errf("source slug %q: want lower-case letters, digits and dashes", s.ID)
			}
			if seen["source:"+s.ID] {
				return nil, errf("source %q repeated", s.ID)
			}
			seen["source:"+s.ID] = true
			c.Sources = append(c.Sources, s)
			continue
		}
		if rest, ok := strings.CutPrefix(fields[0], "rule "); ok {
			if err := parseRule(c, strings.TrimSpace(rest), fields[1:]); err != "" {
				return nil, errf("%s", err)
			}
			continue
		}
		if rest, ok := strings.CutPrefix(fields[0], "group "); ok {
			if len(fields) != 2 {
				return nil, errf("group wants \"group slug | name\"")
			}
			group = strings.TrimSpace(rest)
			if !validSlug(group) {
				return nil, errf("group slug %q: want lower-case letters, digits and dashes", group)
			}
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
		if len(fields) < 3 || len(fields) > 5 {
			return nil, errf("want \"slug | name | endpoints [| note [| sources]]\"")
		}
		f := Function{ID: fields[0], Name: fields[1], Group: group}
		if !validSlug(f.ID) {
			return nil, errf("slug %q: want lower-case letters, digits and dashes", f.ID)
		}
		if f.Name == "" {
			return nil, errf("function %q has no name", f.ID)
		}
		if len(fields) >= 4 {
			f.Note = fields[3]
		}
		if len(fields) == 5 {
			f.Sources = strings.Fields(fields[4])
			for _, s := range f.Sources {
				if !seen["source:"+s] {
					return nil, errf("function %q cites source %q, which no source line above declares", f.ID, s)
				}
			}
		}
		eps := fields[2]
		if rest, ok := strings.CutPrefix(eps, "any:"); ok {
			f.AnyOf, eps = true, rest
		}
		for _, tok := range strings.FieldsFunc(eps, func(r rune) bool { return r == ',' || r == ' ' }) {
			opt := strings.HasSuffix(tok, "?")
			e, err := ParseEndpoint(strings.TrimSuffix(tok, "?"))
			if err != nil {
				return nil, errf("%v", err)
			}
			if slices.Contains(f.Endpoints, e) || slices.Contains(f.Optional, e) {
				return nil, errf("function %q lists %s twice", f.ID, e)
			}
			if opt {
				f.Optional = append(f.Optional, e)
			} else {
				f.Endpoints = append(f.Endpoints, e)
			}
		}
		if len(f.Endpoints) == 0 {
			return nil, errf("function %q has no endpoints (an optional one needs a required one beside it)", f.ID)
		}
		if f.AnyOf && len(f.Optional) > 0 {
			return nil, errf("function %q: optional endpoints (\"?\") make no sense in an any: list", f.ID)
		}
		if seen[f.ID] {
			return nil, errf("function %q repeated", f.ID)
		}
		// Tables, diffs and -f show and find a function by its name, so
		// two functions of one catalog must not share it.
		if other, dup := names[normalize(f.Name)]; dup {
			return nil, errf("function %q has the name %q, which function %q already has: names must tell functions apart", f.ID, f.Name, other)
		}
		seen[f.ID] = true
		names[normalize(f.Name)] = f.ID
		c.Functions = append(c.Functions, f)
	}
	return c, nil
}

// parseRule reads "rule <function> | <endpoint> | confirm|data-path [|
// why]" into the function above it; the why is for the reader. It
// returns what is wrong, "" when nothing is.
func parseRule(c *Catalog, id string, fields []string) string {
	if len(fields) < 2 || len(fields) > 3 {
		return "rule wants \"rule function | endpoint | confirm or data-path [| why]\""
	}
	i := slices.IndexFunc(c.Functions, func(f Function) bool { return f.ID == id })
	if i < 0 {
		return fmt.Sprintf("rule for function %q, which no line above defines", id)
	}
	f := &c.Functions[i]
	e, err := ParseEndpoint(fields[0])
	if err != nil {
		return err.Error()
	}
	if !slices.Contains(f.Endpoints, e) && !slices.Contains(f.Optional, e) {
		return fmt.Sprintf("rule for %s, which function %q does not list", e, id)
	}
	if slices.Contains(f.Confirm, e) || slices.Contains(f.DataPath, e) {
		return fmt.Sprintf("a second rule for %s of function %q", e, id)
	}
	switch fields[1] {
	case "confirm":
		f.Confirm = append(f.Confirm, e)
	case "data-path":
		f.DataPath = append(f.DataPath, e)
	default:
		return fmt.Sprintf("rule %q: want confirm or data-path", fields[1])
	}
	return ""
}

// Source returns the source with this slug.
func (c *Catalog) Source(id string) (Source, bool) {
	for _, s := range c.Sources {
		if s.ID == id {
			return s, true
		}
	}
	return Source{}, false
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
		for _, e := range f.Optional {
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

package catalog

import (
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// kbRow is one row of the KB table as the article writes it.
type kbRow struct {
	group, name string
	endpoints   []Endpoint
	anyOf       bool
}

var (
	kbSplit  = regexp.MustCompile(`^\s*(.+?)\s{2,}((?:TCP|UDP|IP Protocol).*?)\s*$`)
	kbTokens = regexp.MustCompile(`(TCP,UDP|TCP|UDP|IP Protocol)\s*:?\s*([\d,\s]+)|\(Pre Beta2:(\d+)\)`)
)

// readKB parses the KB's own notation ("UDP:137,138 TCP:139",
// "TCP:3389 (Pre Beta2:1503)", "TCP,UDP: 445", "IP Protocol 50"),
// independently of the catalog's format.
func readKB(t *testing.T) []kbRow {
	t.Helper()
	data, err := os.ReadFile("testdata/q150543-rows.txt")
	if err != nil {
		t.Fatal(err)
	}
	var rows []kbRow
	group := ""
	for _, line := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if g, ok := strings.CutPrefix(line, "== "); ok {
			group = g
			continue
		}
		m := kbSplit.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("KB row %q: no name/ports split", line)
		}
		row := kbRow{group: group, name: strings.Join(strings.Fields(m[1]), " ")}
		for _, tok := range kbTokens.FindAllStringSubmatch(m[2], -1) {
			if tok[3] != "" { // "(Pre Beta2:1503)": an alternative port
				n, _ := strconv.Atoi(tok[3])
				row.endpoints = append(row.endpoints, Endpoint{TCP, uint16(n)})
				row.anyOf = true
				continue
			}
			var transports []Transport
			switch tok[1] {
			case "TCP":
				transports = []Transport{TCP}
			case "UDP":
				transports = []Transport{UDP}
			case "TCP,UDP":
				transports = []Transport{TCP, UDP}
			case "IP Protocol":
				transports = []Transport{IP}
			}
			for _, ns := range strings.FieldsFunc(tok[2], func(r rune) bool { return r == ',' || r == ' ' }) {
				n, err := strconv.Atoi(ns)
				if err != nil {
					t.Fatalf("KB row %q: %v", line, err)
				}
				for _, tr := range transports {
					row.endpoints = append(row.endpoints, Endpoint{tr, uint16(n)})
				}
			}
		}
		if len(row.endpoints) == 0 {
			t.Fatalf("KB row %q: no endpoints", line)
		}
		rows = append(rows, row)
	}
	return rows
}

func sorted(e []Endpoint) []Endpoint {
	e = slices.Clone(e)
	slices.SortFunc(e, func(a, b Endpoint) int {
		if a.Less(b) {
			return -1
		}
		if b.Less(a) {
			return 1
		}
		return 0
	})
	return e
}

func TestCatalogMatchesKB(t *testing.T) {
	c := Default()
	kb := readKB(t)
	if len(kb) != 47 {
		t.Fatalf("KB fixture has %d rows, want 47", len(kb))
	}
	if len(c.Functions) != len(kb) {
		t.Errorf("catalog has %d functions, KB has %d", len(c.Functions), len(kb))
	}
	for _, row := range kb {
		i := slices.IndexFunc(c.Functions, func(f Function) bool { return normalize(f.Name) == normalize(row.name) })
		if i < 0 {
			t.Errorf("KB function %q not in the catalog", row.name)
			continue
		}
		f := c.Functions[i]
		if f.Name != row.name {
			t.Errorf("%s: catalog name %q, KB name %q", f.ID, f.Name, row.name)
		}
		if f.Group != row.group {
			t.Errorf("%s: group %q, KB section %q", f.ID, f.Group, row.group)
		}
		if !slices.Equal(sorted(f.Endpoints), sorted(row.endpoints)) {
			t.Errorf("%s: endpoints %v, KB says %v", f.ID, f.Endpoints, row.endpoints)
		}
		if f.AnyOf != row.anyOf {
			t.Errorf("%s: any_of %v, KB says %v", f.ID, f.AnyOf, row.anyOf)
		}
	}
}

func TestCatalogGroups(t *testing.T) {
	c := Default()
	want := map[string]int{"nt4": 23, "wlbs": 2, "exchange": 13, "terminal-server": 3, "win2000": 6}
	if len(c.Groups) != len(want) {
		t.Fatalf("%d groups, want %d", len(c.Groups), len(want))
	}
	for id, n := range want {
		if got := len(c.InGroup(id)); got != n {
			t.Errorf("group %s: %d functions, want %d", id, got, n)
		}
	}
}

func TestCatalogEndpoints(t *testing.T) {
	got := Endpoints(Default().Functions)
	var s []string
	for _, e := range got {
		s = append(s, e.String())
	}
	want := "tcp/25 tcp/42 tcp/80 tcp/88 tcp/102 tcp/110 tcp/119 tcp/135 tcp/137 tcp/139 tcp/143 tcp/389 tcp/445 tcp/563 tcp/636 tcp/993 tcp/995 tcp/1494 tcp/1503 tcp/1723 tcp/3389 " +
		"udp/53 udp/67 udp/68 udp/88 udp/137 udp/138 udp/445 udp/500 udp/1717 udp/2504 ip/46 ip/47 ip/50 ip/51"
	if strings.Join(s, " ") != want {
		t.Errorf("endpoints:\n got %s\nwant %s", strings.Join(s, " "), want)
	}
}

func TestLookup(t *testing.T) {
	c := Default()
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"logon-sequence", []string{"logon-sequence"}},
		{"Logon Sequence", []string{"logon-sequence"}},
		{"LOGON_SEQUENCE", []string{"logon-sequence"}},
		{"imap (ssl)", []string{"imap-ssl"}},
		{"wlbs", []string{"convoy", "wlbs"}}, // a group wins over the function of the same name
		{"terminal-server", []string{"rdp-client", "activex-client", "ica-client"}},
	} {
		fns, ok := c.Lookup(tc.in)
		var ids []string
		for _, f := range fns {
			ids = append(ids, f.ID)
		}
		if !ok || !slices.Equal(ids, tc.want) {
			t.Errorf("Lookup(%q) = %v, %v; want %v", tc.in, ids, ok, tc.want)
		}
	}
	if _, ok := c.Lookup("logon-sequense"); ok {
		t.Error("a misspelt name matched")
	}
	if s := c.Suggest("logon-sequense"); len(s) == 0 || s[0] != "logon-sequence" {
		t.Errorf("Suggest(logon-sequense) = %v", s)
	}
	if s := c.Suggest("kerberoz"); len(s) == 0 || s[0] != "kerberos" {
		t.Errorf("Suggest(kerberoz) = %v", s)
	}
}

func TestParseEndpointErrors(t *testing.T) {
	for _, in := range []string{"tcp", "sctp/5", "tcp/0", "tcp/65536", "ip/256", "udp/x"} {
		if _, err := ParseEndpoint(in); err == nil {
			t.Errorf("ParseEndpoint(%q) accepted", in)
		}
	}
	e, err := ParseEndpoint(" IP/47 ")
	if err != nil || e != (Endpoint{IP, 47}) || e.Label() != "GRE (IP 47)" {
		t.Errorf("ParseEndpoint(IP/47) = %v %v", e, err)
	}
}

func TestParseRejectsBadData(t *testing.T) {
	for _, data := range []string{
		"browsing | Browsing | udp/137",                                                    // no group
		"group g | G\nx | X | tcp/1\nx | Y | tcp/2",                                        // repeated slug
		"group g | G\nBad Slug | X | tcp/1",                                                // bad slug
		"group g | G\nx | X | tcp/1 | note | extra",                                        // too many fields
		"group g | G\nx | X | smtp/25",                                                     // bad endpoint
		"group g | G\nx | X | ",                                                            // no endpoints
		"group g | G\ngroup g | G",                                                         // repeated group
		"group g | G\nx | Kerberos | tcp/88\ny | kerberos | udp/88",                        // repeated name
		"group g | G\nrule x | tcp/1 | confirm\nx | X | tcp/1",                             // rule before its function
		"group g | G\nx | X | tcp/1\nrule x | tcp/2 | confirm",                             // endpoint the function lacks
		"group g | G\nx | X | tcp/1\nrule x | tcp/1 | required",                            // unknown rule
		"group g | G\nx | X | tcp/1\nrule x | tcp/1 | confirm\nrule x | tcp/1 | data-path", // two rules
		"group g | G\nx | X | tcp/1\nrule x | tcp/1",                                       // no rule kind
	} {
		if _, err := Parse(data); err == nil {
			t.Errorf("Parse accepted %q", data)
		}
	}
}

// TestRules: the rules the KB's table does not state are data, in rule
// lines: PPTP's control connection must answer as PPTP, GRE and the DHCP
// client's port are data paths that "closed" from the target proves.
func TestRules(t *testing.T) {
	modern, _ := Embedded(Modern)
	for _, tc := range []struct {
		c        *Catalog
		id       string
		confirm  []string
		dataPath []string
	}{
		{Default(), "pptp", []string{"tcp/1723"}, []string{"ip/47"}},
		{Default(), "smb-direct-host", nil, []string{"udp/445"}},
		{Default(), "dhcp-lease", nil, []string{"udp/68"}},
		{Default(), "logon-sequence", nil, nil},
		{modern, "dhcp", nil, []string{"udp/68"}},
	} {
		f, ok := tc.c.Function(tc.id)
		if !ok {
			t.Fatalf("no %s", tc.id)
		}
		str := func(eps []Endpoint) []string {
			var out []string
			for _, e := range eps {
				out = append(out, e.String())
			}
			return out
		}
		if !slices.Equal(str(f.Confirm), tc.confirm) || !slices.Equal(str(f.DataPath), tc.dataPath) {
			t.Errorf("%s: confirm %v data-path %v, want %v %v", tc.id, f.Confirm, f.DataPath, tc.confirm, tc.dataPath)
		}
	}
	c, err := Parse("group g | G\nvpn | VPN | tcp/1723 ip/47\nrule vpn | ip/47 | data-path | why, for the reader\n")
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := c.Function("vpn"); len(f.DataPath) != 1 || f.DataPath[0].String() != "ip/47" {
		t.Errorf("user rule: %+v", f)
	}
	if _, err := Parse("group g | G\nx | X | tcp/1\n\nrule x | tcp/2 | confirm\n"); err == nil || !strings.Contains(err.Error(), "line 4") {
		t.Errorf("bad rule line: %v", err)
	}
}

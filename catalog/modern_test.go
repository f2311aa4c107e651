package catalog

import (
	"errors"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// The documents the issue asks the modern catalog to cite, by slug.
var modernDocuments = []string{"kb832017", "kb179442", "kb154596", "exchange-ports", "smb-over-quic"}

func TestModernCatalogValid(t *testing.T) {
	c, ok := Embedded(Modern)
	if !ok {
		t.Fatal("no modern catalog")
	}
	q := Default()
	cited := map[string]bool{}
	for _, f := range c.Functions {
		if len(f.Sources) == 0 {
			t.Errorf("%s cites no source document", f.ID)
		}
		for _, s := range f.Sources {
			src, ok := c.Source(s)
			if !ok || src.Title == "" || !strings.HasPrefix(src.URL, "https://learn.microsoft.com/") {
				t.Errorf("%s cites %q: %+v", f.ID, s, src)
			}
			cited[s] = true
		}
		for _, e := range append(slices.Clone(f.Endpoints), f.Optional...) {
			if back, err := ParseEndpoint(e.String()); err != nil || back != e {
				t.Errorf("%s: endpoint %v does not read back (%v)", f.ID, e, err)
			}
		}
		if _, dup := q.Function(f.ID); dup {
			t.Errorf("%s is also a q150543 slug: --catalog q150543,modern would fail", f.ID)
		}
	}
	for _, g := range c.Groups {
		if _, dup := q.Group(g.ID); dup {
			t.Errorf("group %s is also a q150543 group", g.ID)
		}
		if len(c.InGroup(g.ID)) == 0 {
			t.Errorf("group %s is empty", g.ID)
		}
	}
	for _, d := range modernDocuments {
		if !cited[d] {
			t.Errorf("no function cites %s", d)
		}
	}
	if _, err := Load(Q150543+","+Modern, nil); err != nil {
		t.Errorf("both catalogs together: %v", err)
	}
}

// TestModernCatalogContents holds the catalog to the functions the issue
// lists (issue 12, item 1).
func TestModernCatalogContents(t *testing.T) {
	c, _ := Embedded(Modern)
	want := map[string]string{
		"dc-locator":     "udp/389 udp/53 tcp/53",
		"ad-ldap":        "tcp/389",
		"ad-ldaps":       "tcp/636",
		"global-catalog": "tcp/3268", "global-catalog-tls": "tcp/3269",
		"ad-kerberos": "tcp/88 udp/88",
		"kpasswd":     "tcp/464 udp/464",
		"ad-rpc":      "tcp/135",
		"ad-smb":      "tcp/445",
		"w32time":     "udp/123",
		"adws":        "tcp/9389",
		"dfsr":        "tcp/135",
		"smb":         "tcp/445", "smb-over-quic": "udp/443", "netbios-legacy": "udp/137 udp/138 tcp/139",
		"rdp":        "tcp/3389 udp/3389?",
		"rd-gateway": "tcp/443 udp/3391?",
		"winrm-http": "tcp/5985", "winrm-https": "tcp/5986",
		"exchange-smtp": "tcp/25", "exchange-submission": "tcp/587", "exchange-https": "tcp/443",
		"exchange-imap": "tcp/143", "exchange-imaps": "tcp/993", "exchange-pop3": "tcp/110", "exchange-pop3s": "tcp/995",
		"sql-tds": "tcp/1433", "sql-browser": "udp/1434",
		"cluster": "tcp/3343 udp/3343",
		"dhcp":    "udp/67 udp/68", "dhcp-failover": "tcp/647",
		"ike": "udp/500", "ipsec-nat-t": "udp/4500", "ipsec-esp": "ip/50",
	}
	for id, eps := range want {
		f, ok := c.Function(id)
		if !ok {
			t.Errorf("modern catalog lacks %s", id)
			continue
		}
		var got []string
		for _, e := range f.Endpoints {
			got = append(got, e.String())
		}
		for _, e := range f.Optional {
			got = append(got, e.String()+"?")
		}
		if strings.Join(got, " ") != eps {
			t.Errorf("%s: endpoints %q, want %q", id, strings.Join(got, " "), eps)
		}
	}
	// PortQryUI's "Domains and Trusts" set, as one group.
	trusts := Endpoints(c.InGroup("trusts"))
	for _, e := range []string{"tcp/135", "tcp/389", "udp/389", "tcp/636", "tcp/3268", "tcp/3269", "tcp/88", "udp/88", "tcp/53", "udp/53", "tcp/445", "udp/137", "udp/138", "tcp/139"} {
		ep, _ := ParseEndpoint(e)
		if !slices.Contains(trusts, ep) {
			t.Errorf("trusts group lacks %s", e)
		}
	}
}

func TestLoad(t *testing.T) {
	files := fstest.MapFS{
		"mine.txt":    {Data: []byte("# my function\nsource doc | My runbook\ngroup app | Our application\napp-api | App API | tcp/8443 | | doc\n")},
		"bad.txt":     {Data: []byte("group app | Our application\n\n# comment\napp-api | App API | tcp/84430\n")},
		"dup.txt":     {Data: []byte("group mine | Mine\nkerberos | Kerberos again | tcp/88\n")},
		"dupname.txt": {Data: []byte("group mine | Mine\na | Our API | tcp/8443\nb | our  API | tcp/8444\n")},
	}
	read := func(name string) ([]byte, error) { return fs.ReadFile(files, name) }

	c, err := Load("", read)
	if err != nil || c.Name != Q150543 || len(c.Functions) != 47 {
		t.Fatalf("default: %v %v", c, err)
	}
	c, err = Load("modern,mine.txt", read)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "modern,mine.txt" {
		t.Errorf("name %q", c.Name)
	}
	if f, ok := c.Function("app-api"); !ok || f.Group != "app" || f.Sources[0] != "doc" {
		t.Errorf("user function: %+v %v", f, ok)
	}
	if _, ok := c.Function("winrm-http"); !ok {
		t.Error("modern functions missing from the joined catalog")
	}

	_, err = Load("bad.txt", read)
	if err == nil || !strings.HasPrefix(err.Error(), "bad.txt:4: ") || !strings.Contains(err.Error(), "84430") {
		t.Errorf("bad line: %v", err)
	}
	_, err = Load("q150543,dup.txt", read)
	if err == nil || !strings.Contains(err.Error(), `function "kerberos" is in both`) {
		t.Errorf("duplicate slug: %v", err)
	}
	_, err = Load("dupname.txt", read)
	if err == nil || !strings.HasPrefix(err.Error(), "dupname.txt:3: ") || !strings.Contains(err.Error(), `function "a" already has`) {
		t.Errorf("repeated name: %v", err)
	}
	// Both embedded catalogs have a "Kerberos": the joined one names the
	// catalog in each, so a table of both tells them apart.
	c, err = Load("q150543,modern", read)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for _, f := range c.Functions {
		if other, dup := names[f.Name]; dup {
			t.Errorf("joined catalog: %s and %s are both %q", other, f.ID, f.Name)
		}
		names[f.Name] = f.ID
	}
	if f, _ := c.Function("ad-kerberos"); f.Name != "Kerberos (modern)" {
		t.Errorf("ad-kerberos in the joined catalog is %q", f.Name)
	}
	if f, _ := c.Function("winrm-http"); f.Name != "WinRM over HTTP (WS-Management)" {
		t.Errorf("a name only one catalog has changed: %q", f.Name)
	}
	_, err = Load("nonesuch.txt", read)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if _, err = Load("modern,", read); err == nil {
		t.Error("empty name accepted")
	}
}

func TestParseOptionalEndpoints(t *testing.T) {
	for _, data := range []string{
		"group g | G\nx | X | udp/1?",              // only optional
		"group g | G\nx | X | any: tcp/1 udp/1?",   // optional in any:
		"group g | G\nx | X | tcp/1 tcp/1?",        // twice
		"group g | G\nx | X | tcp/1 | | nosuchdoc", // undeclared source
		"source s | \ngroup g | G\nx | X | tcp/1",  // source without title
	} {
		if _, err := Parse(data); err == nil {
			t.Errorf("Parse accepted %q", data)
		}
	}
}

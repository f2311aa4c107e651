package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/netip"
	"strings"
	"testing"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/scanner"
	"github.com/winreach/winreach/scanner/policy"
)

// The streamed JSON is byte for byte what encoding/json writes for the
// whole Document, lists never null.
func TestJSONStreamMatchesMarshal(t *testing.T) {
	for _, d := range []*Document{fixedDocument(), withPolicy(fixedDocument()), {Scanner: "winreach", Summary: Summarize(nil)}} {
		var got bytes.Buffer
		if err := WriteJSON(&got, d); err != nil {
			t.Fatal(err)
		}
		whole := *d
		whole.Hosts = nonNil(whole.Hosts)
		whole.Targets = nonNil(whole.Targets)
		whole.Options.Functions, whole.Options.Endpoints = nonNil(whole.Options.Functions), nonNil(whole.Options.Endpoints)
		for i := range whole.Hosts {
			whole.Hosts[i].Endpoints = nonNil(whole.Hosts[i].Endpoints)
			whole.Hosts[i].Functions = nonNil(whole.Hosts[i].Functions)
		}
		want, err := json.MarshalIndent(&whole, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if got.String() != string(want)+"\n" {
			t.Errorf("streamed JSON\n%s\nwant\n%s", got.String(), want)
		}
		if bytes.Contains(got.Bytes(), []byte("null")) {
			t.Errorf("a list is null:\n%s", got.String())
		}
	}
}

// Every format reads back (JSON, JSON Lines) to the same hosts, and a
// JSON Lines stream cut in its last record still gives what came before.
func TestReadScanRoundTrip(t *testing.T) {
	d := withPolicy(fixedDocument())
	for _, format := range []string{"json", "jsonl"} {
		var b bytes.Buffer
		wr, _ := New(format, &b)
		if err := WriteDocument(wr, d); err != nil {
			t.Fatal(err)
		}
		var hosts []scanner.HostResult
		saved, err := ReadScan(bytes.NewReader(b.Bytes()), func(_ *Saved, h scanner.HostResult) error {
			hosts = append(hosts, h)
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if saved.Lines != (format == "jsonl") || !saved.Ended || saved.Truncated || saved.Scanner != "winreach" ||
			len(saved.Violations) != 2 || saved.Summary.Probes != 4 || len(saved.Targets) != 2 {
			t.Errorf("%s: saved %+v", format, saved)
		}
		gotJSON, _ := json.Marshal(hosts)
		wantJSON, _ := json.Marshal(d.Hosts)
		if !bytes.Equal(bytes.ReplaceAll(gotJSON, []byte(`"endpoints":[],"functions":[]`), []byte(`"endpoints":null,"functions":null`)), wantJSON) {
			t.Errorf("%s: hosts read back\n%s\nwant\n%s", format, gotJSON, wantJSON)
		}
		// Cut in the middle of the last host's record: the earlier host
		// is read, the cut one is lost or partial, no error.
		cut := b.Bytes()[:bytes.LastIndex(b.Bytes(), []byte(`"functions"`))]
		hosts = nil
		saved, err = ReadScan(bytes.NewReader(cut), func(_ *Saved, h scanner.HostResult) error {
			hosts = append(hosts, h)
			return nil
		})
		if err != nil || !saved.Truncated || saved.Ended || len(hosts) == 0 || hosts[0].Status != scanner.StatusUnresolved {
			t.Errorf("%s cut: err %v, saved %+v, hosts %+v", format, err, saved, hosts)
		}
	}
	for _, bad := range []string{"", "[]", `{"hello":"world"}`, `{"type":"end"}`, "not json"} {
		if _, err := ReadScan(strings.NewReader(bad), func(*Saved, scanner.HostResult) error { return nil }); err == nil {
			t.Errorf("%q read as a scan", bad)
		}
	}
}

// JSON Lines endpoint records carry the notes host assembly adds (the
// NetBIOS relation), as the JSON does.
func TestStreamEndpointsCarryAssemblyNotes(t *testing.T) {
	ep := func(s string) catalog.Endpoint { e, _ := catalog.ParseEndpoint(s); return e }
	sel := scanner.Select(catalog.Default(), nil, []catalog.Endpoint{ep("udp/137"), ep("udp/138")})
	h := scanner.AssembleHost(netip.MustParseAddr("198.18.1.10"), "", scanner.StatusComplete, []scanner.EndpointResult{
		{Endpoint: ep("udp/137"), Result: probes.Result{State: probes.Confirmed, Reason: probes.ReasonReply}},
		{Endpoint: ep("udp/138"), Result: probes.Result{State: probes.OpenFiltered, Reason: probes.ReasonNoResponse}},
	}, sel)
	var b bytes.Buffer
	s := NewStream(&b)
	s.Host(Host{HostResult: h})
	s.End(&Document{})
	if !strings.Contains(b.String(), `"endpoint":"udp/138"`) || !strings.Contains(b.String(), "NetBIOS stacks bind 138 with 137") {
		t.Errorf("stream lacks the relation note:\n%s", b.String())
	}
	// Assembling again (merge, resume) does not repeat the note.
	again := scanner.AssembleHost(h.Address, "", "", h.Endpoints, sel)
	if n := strings.Count(again.Results()[ep("udp/138")].Note, "NetBIOS stacks bind"); n != 1 {
		t.Errorf("note said %d times after a second assembly", n)
	}
}

// Server text that a spreadsheet would evaluate is neutralised.
func TestCSVNeutralisesFormulas(t *testing.T) {
	d := fixedDocument()
	d.Hosts[1].Functions[0].Explanation = "+OK POP3 ready"
	d.Hosts[1].Name = "=HYPERLINK(\"http://x\")"
	d.Hosts[1].Endpoints[0].Service.Summary = "@SUM(1)"
	d.Hosts[1].Functions[1].Explanation = "-2+3"
	var b bytes.Buffer
	if err := WriteCSV(&b, d); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		for _, cell := range r {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("cell %q would be evaluated", cell)
			}
		}
	}
	if rows[2][10] != "'+OK POP3 ready" || rows[2][1] != `'=HYPERLINK("http://x")` || rows[2][9] != "'@SUM(1)" {
		t.Errorf("rows %q", rows[2])
	}
	for in, want := range map[string]string{"\tx": "'\tx", "\rx": "'\rx", "a=b": "a=b", "": ""} {
		if got := csvCell(in); got != want {
			t.Errorf("csvCell(%q) = %q, want %q", in, got, want)
		}
	}
}

// recorder keeps the order of the hosts a writer is given.
type recorder struct{ hosts []string }

func (r *recorder) Begin(*Document) error { return nil }
func (r *recorder) Host(h Host) error {
	r.hosts = append(r.hosts, h.Address.String())
	return nil
}
func (r *recorder) End(*Document) error { return nil }

// Sorted writes hosts in address order within its window, and holds no
// more than the window.
func TestSortedWindow(t *testing.T) {
	in := []string{"198.18.0.5", "198.18.0.1", "198.18.0.3", "198.18.0.2", "198.18.0.9", "198.18.0.4"}
	rec := &recorder{}
	w := Sorted(rec, 2)
	w.Begin(&Document{})
	for i, a := range in {
		w.Host(Host{HostResult: scanner.HostResult{Address: netip.MustParseAddr(a)}})
		if held := i + 1 - len(rec.hosts); held > 2 {
			t.Fatalf("holds %d hosts", held)
		}
	}
	w.End(&Document{})
	want := "198.18.0.1 198.18.0.2 198.18.0.3 198.18.0.4 198.18.0.5 198.18.0.9"
	if got := strings.Join(rec.hosts, " "); got != want {
		t.Errorf("order %s, want %s", got, want)
	}
	// A host that finishes after the window moved past its place is
	// written late, not held forever.
	rec = &recorder{}
	w = Sorted(rec, 2)
	for _, a := range []string{"198.18.0.5", "198.18.0.6", "198.18.0.7", "198.18.0.1"} {
		w.Host(Host{HostResult: scanner.HostResult{Address: netip.MustParseAddr(a)}})
	}
	w.End(&Document{})
	if got := strings.Join(rec.hosts, " "); got != "198.18.0.5 198.18.0.1 198.18.0.6 198.18.0.7" {
		t.Errorf("late host: %s", got)
	}
	rec = &recorder{}
	WriteDocument(Sorted(rec, SortWindow), &Document{Hosts: []scanner.HostResult{
		{Address: netip.MustParseAddr(in[0])}, {Address: netip.MustParseAddr(in[1])}, {Address: netip.MustParseAddr(in[2])}}})
	if got := strings.Join(rec.hosts, " "); got != "198.18.0.1 198.18.0.3 198.18.0.5" {
		t.Errorf("within the window: %s", got)
	}
}

// A table for a terminal wraps the evidence at word boundaries under its
// column; without a width it keeps one line.
func TestTableFitsWidth(t *testing.T) {
	d := fixedDocument()
	var b bytes.Buffer
	if err := WriteDocument(NewTable(&b, 100), d); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	for _, l := range lines {
		if len([]rune(l)) > 100 && !strings.Contains(l, "host(s)") {
			t.Errorf("line of %d columns: %q", len([]rune(l)), l)
		}
	}
	if !strings.Contains(b.String(), "(admin-prohibited from\n") && !strings.Contains(b.String(), "filtered\n") {
		t.Errorf("evidence not wrapped at a word:\n%s", b.String())
	}
	b.Reset()
	WriteTable(&b, d)
	if !strings.Contains(b.String(), "GRE (IP 47) not-tested (needs-privilege): blocked on the path\n") {
		t.Errorf("unlimited table wrapped:\n%s", b.String())
	}
	for in, want := range map[string][]string{
		"a bb ccc dddd":           {"a bb", "ccc", "dddd"},
		"short":                   {"short"},
		"averyveryverylongword x": {"averyveryverylongword", "x"},
	} {
		if got := wrapWords(in, 4); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("wrapWords(%q, 4) = %q, want %q", in, got, want)
		}
	}
}

// Render writes a saved scan through any writer with its policy marks,
// the same bytes as writing the document directly.
func TestRenderSavedEqualsDirect(t *testing.T) {
	d := withPolicy(fixedDocument())
	var saved bytes.Buffer
	WriteJSON(&saved, d)
	for _, format := range Formats {
		var direct, rendered bytes.Buffer
		wr, _ := New(format, &direct)
		if err := WriteDocument(wr, d); err != nil {
			t.Fatal(err)
		}
		wr, _ = New(format, &rendered)
		if _, err := Render(bytes.NewReader(saved.Bytes()), wr); err != nil {
			t.Fatal(err)
		}
		if format == "json" || format == "jsonl" {
			// Lists read back as [] where the fixture had nil.
			continue
		}
		if direct.String() != rendered.String() {
			t.Errorf("%s: rendered\n%s\nwant\n%s", format, rendered.String(), direct.String())
		}
	}
	var b bytes.Buffer
	if _, err := Render(strings.NewReader("nope"), NewJSON(&b)); err == nil {
		t.Error("rendered garbage")
	}
	_ = io.Discard
	_ = policy.Violation{}
}

package report

// The encoding/xml writer the hand-written refNmapXML replaced, kept as the
// reference its output is compared with byte for byte
// (TestNmapXMLMatchesEncodingXML, FuzzNmapXML).

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/xml"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/scanner"
)

// refNmapXML is NmapXML as it was: encoding/xml with Indent("", "  ").
type refNmapXML struct {
	w     io.Writer
	enc   *xml.Encoder
	start time.Time
	up    int
	err   error
}

// newRefNmapXML writes nmap XML to w.
func newRefNmapXML(w io.Writer) *refNmapXML {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := xml.NewEncoder(bw)
	enc.Indent("", "  ")
	return &refNmapXML{w: bw, enc: enc}
}

var refNmaprunName = xml.Name{Local: "nmaprun"}

// Begin writes the XML declaration, the nmaprun start tag, scaninfo,
// verbose and debugging.
func (x *refNmapXML) Begin(d *Document) error {
	x.start = d.StartTime
	if _, err := io.WriteString(x.w, xml.Header+"<!DOCTYPE nmaprun>\n"); err != nil {
		return err
	}
	attr := func(k, v string) xml.Attr { return xml.Attr{Name: xml.Name{Local: k}, Value: v} }
	start := xml.StartElement{Name: refNmaprunName, Attr: []xml.Attr{
		attr("scanner", "nmap"),
		attr("args", nmapArgs(d)),
		attr("start", strconv.FormatInt(d.StartTime.Unix(), 10)),
		attr("startstr", ctime(d.StartTime)),
		attr("version", d.Version),
		attr("profile_name", "winreach"),
		attr("xmloutputversion", NmapXMLOutputVersion),
	}}
	x.token(start)
	for _, si := range scanInfo(d.Options.Endpoints) {
		x.element(refScanInfo(si), "scaninfo")
	}
	x.element(refLevel{Level: 0}, "verbose")
	x.element(refLevel{Level: 0}, "debugging")
	return x.err
}

func (x *refNmapXML) token(t xml.Token) {
	if x.err == nil {
		x.err = x.enc.EncodeToken(t)
	}
}

func (x *refNmapXML) element(v any, name string) {
	if x.err == nil {
		x.err = x.enc.EncodeElement(v, xml.StartElement{Name: xml.Name{Local: name}})
	}
}

// Host writes one host element (or, for a name that did not resolve, a
// skipped target).
func (x *refNmapXML) Host(hr Host) error {
	h := hr.HostResult
	if !h.Address.IsValid() {
		x.element(refTarget{Specification: h.Name, Status: "skipped", Reason: "invalid"}, "target")
		return x.err
	}
	x.up++
	x.element(refHostOf(h), "host")
	return x.err
}

// End writes runstats and closes nmaprun.
func (x *refNmapXML) End(d *Document) error {
	end := d.EndTime
	var rs refRunStats
	rs.Finished = refFinished{
		Time:    end.Unix(),
		TimeStr: ctime(end),
		Elapsed: fmt.Sprintf("%.2f", end.Sub(x.start).Seconds()),
		Summary: fmt.Sprintf("winreach done at %s; %d IP address(es) (%d host(s) up) scanned in %.2f seconds",
			ctime(end), x.up, x.up, end.Sub(x.start).Seconds()),
		Exit: "success",
	}
	if d.Interrupted {
		rs.Finished.Exit, rs.Finished.ErrorMsg = "error", "interrupted: partial results"
	}
	rs.Hosts = refHosts{Up: x.up, Down: 0, Total: x.up}
	x.element(rs, "runstats")
	x.token(xml.EndElement{Name: refNmaprunName})
	if x.err == nil {
		x.err = x.enc.Flush()
	}
	if x.err != nil {
		return x.err
	}
	if _, err := io.WriteString(x.w, "\n"); err != nil {
		return err
	}
	return x.w.(*bufio.Writer).Flush()
}

type refRunStats struct {
	Finished refFinished `xml:"finished"`
	Hosts    refHosts    `xml:"hosts"`
}

type refScanInfo struct {
	Type        string `xml:"type,attr"`
	Protocol    string `xml:"protocol,attr"`
	NumServices int    `xml:"numservices,attr"`
	Services    string `xml:"services,attr"`
}

type refLevel struct {
	Level int `xml:"level,attr"`
}

type refTarget struct {
	Specification string `xml:"specification,attr"`
	Status        string `xml:"status,attr"`
	Reason        string `xml:"reason,attr"`
}

type refHost struct {
	Comment    string         `xml:"comment,attr,omitempty"`
	Status     refStatus      `xml:"status"`
	Address    refAddress     `xml:"address"`
	Hostnames  refHostnames   `xml:"hostnames"`
	Ports      refPorts       `xml:"ports"`
	HostScript *refHostScript `xml:"hostscript"`
}

// refHostScript is the host's function verdicts, as an NSE host script's
// structured output (nmap.dtd: script holds table and elem).
type refHostScript struct {
	Script refScript `xml:"script"`
}

type refScript struct {
	ID     string     `xml:"id,attr"`
	Output string     `xml:"output,attr"`
	Tables []refTable `xml:"table"`
}

type refTable struct {
	Key    string     `xml:"key,attr,omitempty"`
	Elems  []refElem  `xml:"elem"`
	Tables []refTable `xml:"table"`
}

type refElem struct {
	Key   string `xml:"key,attr,omitempty"`
	Value string `xml:",chardata"`
}

// refHostScriptOf is the hostscript of a host's function verdicts; nil when
// no function was judged.
func refHostScriptOf(h scanner.HostResult) *refHostScript {
	if len(h.Functions) == 0 {
		return nil
	}
	sc := refScript{ID: NmapScriptID}
	var out strings.Builder
	for _, f := range h.Functions {
		decided := refTable{Key: "decided_by"}
		for _, e := range f.DecidedBy {
			decided.Elems = append(decided.Elems, refElem{Value: e.String()})
		}
		sc.Tables = append(sc.Tables, refTable{
			Key: f.ID,
			Elems: []refElem{
				{Key: "name", Value: f.Name},
				{Key: "group", Value: f.Group},
				{Key: "verdict", Value: f.Verdict.String()},
				{Key: "explanation", Value: f.Explanation},
			},
			Tables: []refTable{decided},
		})
		fmt.Fprintf(&out, "\n  %s: %s", f.ID, f.Verdict)
		if words := endpointWords(f.DecidedBy); words != "" {
			fmt.Fprintf(&out, " (%s)", words)
		}
	}
	sc.Output = out.String()
	return &refHostScript{Script: sc}
}

type refStatus struct {
	State     string `xml:"state,attr"`
	Reason    string `xml:"reason,attr"`
	ReasonTTL string `xml:"reason_ttl,attr"`
}

type refAddress struct {
	Addr     string `xml:"addr,attr"`
	AddrType string `xml:"addrtype,attr"`
}

type refHostnames struct {
	Hostname []refHostname `xml:"hostname"`
}

type refHostname struct {
	Name string `xml:"name,attr"`
	Type string `xml:"type,attr"`
}

type refPorts struct {
	Port []refPort `xml:"port"`
}

type refPort struct {
	Protocol string      `xml:"protocol,attr"`
	PortID   uint16      `xml:"portid,attr"`
	State    refState    `xml:"state"`
	Service  *refService `xml:"service"`
}

type refState struct {
	State     string `xml:"state,attr"`
	Reason    string `xml:"reason,attr"`
	ReasonTTL string `xml:"reason_ttl,attr"`
	ReasonIP  string `xml:"reason_ip,attr,omitempty"`
}

type refService struct {
	Name      string `xml:"name,attr"`
	Product   string `xml:"product,attr,omitempty"`
	ExtraInfo string `xml:"extrainfo,attr,omitempty"`
	Method    string `xml:"method,attr"`
	Conf      int    `xml:"conf,attr"`
}

type refFinished struct {
	Time     int64  `xml:"time,attr"`
	TimeStr  string `xml:"timestr,attr"`
	Elapsed  string `xml:"elapsed,attr"`
	Summary  string `xml:"summary,attr"`
	Exit     string `xml:"exit,attr"`
	ErrorMsg string `xml:"errormsg,attr,omitempty"`
}

type refHosts struct {
	Up    int `xml:"up,attr"`
	Down  int `xml:"down,attr"`
	Total int `xml:"total,attr"`
}

func refHostOf(h scanner.HostResult) refHost {
	x := refHost{
		Status:  refStatus{State: "up", Reason: "user-set", ReasonTTL: "0"},
		Address: refAddress{Addr: h.Address.Unmap().String(), AddrType: "ipv4"},
	}
	if h.Address.Unmap().Is6() {
		x.Address.AddrType = "ipv6"
	}
	if h.Name != "" {
		x.Hostnames.Hostname = []refHostname{{Name: h.Name, Type: "user"}}
	}
	if h.Status == scanner.StatusPartial {
		x.Comment = "partial: the scan was interrupted"
	}
	eps := slices.Clone(h.Endpoints)
	slices.SortFunc(eps, func(a, b scanner.EndpointResult) int {
		return cmp.Or(cmp.Compare(a.Endpoint.Transport, b.Endpoint.Transport), cmp.Compare(a.Endpoint.Port, b.Endpoint.Port))
	})
	for _, er := range eps {
		if er.State == probes.NotTested {
			continue
		}
		x.Ports.Port = append(x.Ports.Port, refPortOf(er))
	}
	x.HostScript = refHostScriptOf(h)
	return x
}

func refPortOf(er scanner.EndpointResult) refPort {
	p := refPort{
		Protocol: er.Endpoint.Transport.String(),
		PortID:   er.Endpoint.Port,
		State:    refState{State: nmapState(er.State), Reason: nmapReason(er.Endpoint.Transport, er.Reason), ReasonTTL: "0"},
	}
	if er.ICMP != nil && er.ICMP.From.IsValid() {
		p.State.ReasonIP = er.ICMP.From.String()
	}
	name := nmapServiceName(er.Endpoint)
	svc := &refService{Name: name, Method: "table", Conf: 3}
	if er.Service != nil {
		svc.Method, svc.Conf = "probed", 10
		svc.Product = er.Service.Summary
		svc.ExtraInfo = "winreach protocol " + er.Service.Protocol
		if name == "unknown" {
			svc.Name = er.Service.Protocol
		}
	}
	p.Service = svc
	return p
}

// writeBoth writes d through NmapXML and through the encoding/xml
// reference.
func writeBoth(t testing.TB, d *Document) (got, want []byte) {
	t.Helper()
	var g, w bytes.Buffer
	if err := WriteNmapXML(&g, d); err != nil {
		t.Fatal(err)
	}
	if err := WriteDocument(newRefNmapXML(&w), d); err != nil {
		t.Fatal(err)
	}
	return g.Bytes(), w.Bytes()
}

// hostileDocument is a document whose every free-text field holds s:
// names, banners, protocols, explanations, targets, the version.
func hostileDocument(s string) *Document {
	c := catalog.Default()
	start := time.Date(2026, 12, 6, 20, 30, 0, 0, time.UTC)
	f, _ := c.Function("smtp")
	judged := scanner.Judge(f, map[catalog.Endpoint]probes.Result{endpointOf("tcp/25"): {State: probes.Confirmed, Reason: probes.ReasonReply}})
	judged.Name, judged.Explanation = s, s+" & "+s
	odd := scanner.FunctionVerdict{ID: s, Name: s, Group: s, Verdict: scanner.Verdict(200), Explanation: s}
	bare := scanner.FunctionVerdict{Name: "no id, no deciding endpoint"}
	svc := &probes.Service{Protocol: s, Summary: s}
	host := scanner.HostResult{
		Address: netip.MustParseAddr("::ffff:198.18.1.30"), Name: s, Status: scanner.StatusPartial,
		Endpoints: []scanner.EndpointResult{
			{Endpoint: endpointOf("udp/138"), Result: probes.Result{State: probes.Confirmed, Reason: probes.ReasonReply, Service: svc}},
			{Endpoint: endpointOf("tcp/25"), Result: probes.Result{State: probes.Confirmed, Reason: probes.ReasonReply, Service: svc}},
			{Endpoint: endpointOf("tcp/4711"), Result: probes.Result{State: probes.Open, Reason: probes.ReasonSynAck, Service: &probes.Service{Protocol: s}}},
			{Endpoint: endpointOf("ip/47"), Result: probes.Result{State: probes.Filtered, Reason: probes.Reason(s),
				ICMP: &probes.ICMP{Type: 3, Code: 13, From: netip.MustParseAddr("fe80::1").WithZone("wr-<&\">")}}},
			{Endpoint: endpointOf("ip/99"), Result: probes.Result{State: probes.Closed, Reason: probes.ReasonProtoUnreachable}},
			{Endpoint: endpointOf("udp/137"), Result: probes.Result{State: probes.NotTested, Reason: probes.ReasonNeedsPrivilege}},
			{Endpoint: endpointOf("tcp/139"), Result: probes.Result{State: probes.State(77), Reason: ""}},
		},
		Functions: []scanner.FunctionVerdict{judged, odd, bare},
	}
	hosts := []scanner.HostResult{
		host,
		{Address: netip.MustParseAddr("198.18.1.31"), Status: scanner.StatusComplete},
		{Address: netip.MustParseAddr("198.18.1.32"), Status: scanner.StatusComplete,
			Endpoints: []scanner.EndpointResult{{Endpoint: endpointOf("tcp/25"), Result: probes.Result{State: probes.NotTested}}}},
		{Name: s, Status: scanner.StatusUnresolved, Error: s},
	}
	return &Document{
		Scanner: "winreach", Version: s, StartTime: start, EndTime: start.Add(1234567 * time.Microsecond), Interrupted: true,
		Options: Options{Functions: []string{s}, Endpoints: []string{"tcp/25", "udp/138", "ip/47", s}},
		Targets: []string{s, "198.18.1.30"},
		Hosts:   hosts, Summary: Summarize(hosts),
	}
}

// hostileBanner is what a server banner can carry: markup, quotes, line
// breaks, C0 controls, DEL, the noncharacters U+FFFE and U+FFFF, a real
// U+FFFD, encoded surrogates, truncated and stray UTF-8 bytes.
const hostileBanner = "220 <mail&co> \"quoted\" 'apos' ]]> \t tab\r\nCRLF\x00nul\x01\x1b[31m\x7fdel " +
	"\uFFFE\uFFFF \uFFFD real \xed\xa0\x80 surrogate \xc3 truncated \xff\xfe stray é 日本 \U0001F600"

// TestNmapXMLMatchesEncodingXML compares the hand-written writer with
// the encoding/xml one it replaced, byte for byte, on the documents of
// the other tests and on hostile text in every free-text field.
func TestNmapXMLMatchesEncodingXML(t *testing.T) {
	confirmed := probes.Result{State: probes.Confirmed, Reason: probes.ReasonReply, Service: &probes.Service{Protocol: "smtp", Summary: "Postfix ESMTP"}}
	whole := &Document{Scanner: "winreach", Version: "0.1.0", Targets: []string{"198.18.1.70"}, Hosts: []scanner.HostResult{closedHost()}}
	for _, e := range scanner.Select(catalog.Default(), nil, nil).Endpoints {
		whole.Options.Endpoints = append(whole.Options.Endpoints, e.String())
	}
	for name, d := range map[string]*Document{
		"confirmed": xmlTestDocument(t, confirmed),
		"dropped":   xmlTestDocument(t, probes.Result{State: probes.Filtered, Reason: probes.ReasonTimeout}),
		"catalog":   whole,
		"empty":     {},
		"hostile":   hostileDocument(hostileBanner),
		"plain":     hostileDocument("plain"),
	} {
		got, want := writeBoth(t, d)
		if !bytes.Equal(got, want) {
			t.Errorf("%s: differs from encoding/xml\n got %s\nwant %s", name, got, want)
		}
	}
	checkParses(t, hostileBanner)
}

// checkParses writes hostileDocument(s) and reads it back with
// encoding/xml: it must parse, and the host name, banner, explanation
// and target must come back as s with what XML 1.0 cannot carry
// replaced by U+FFFD.
func checkParses(t testing.TB, s string) {
	t.Helper()
	out, want := writeBoth(t, hostileDocument(s))
	if !bytes.Equal(out, want) {
		t.Fatalf("%q: differs from encoding/xml\n got %s\nwant %s", s, out, want)
	}
	var run struct {
		Target []struct {
			Spec string `xml:"specification,attr"`
		} `xml:"target"`
		Host []struct {
			Names []struct {
				Name string `xml:"name,attr"`
			} `xml:"hostnames>hostname"`
			Port []struct {
				Product string `xml:"product,attr"`
			} `xml:"ports>port>service"`
			Elems []struct {
				Key   string `xml:"key,attr"`
				Value string `xml:",chardata"`
			} `xml:"hostscript>script>table>elem"`
		} `xml:"host"`
	}
	if err := xml.Unmarshal(out, &run); err != nil {
		t.Fatalf("%q: output does not parse: %v\n%s", s, err, out)
	}
	safe := xmlSafe(s)
	if len(run.Host) != 3 || len(run.Target) != 1 || len(run.Host[0].Port) == 0 || len(run.Host[0].Elems) < 4 {
		t.Fatalf("%q: read back %+v", s, run)
	}
	h := run.Host[0]
	if s == "" { // no hostname element
		h.Names = append(h.Names, struct {
			Name string `xml:"name,attr"`
		}{})
	}
	if len(h.Names) != 1 || h.Names[0].Name != safe || h.Port[0].Product != safe || run.Target[0].Spec != safe ||
		h.Elems[0].Value != safe || h.Elems[3].Value != safe+" & "+safe {
		t.Errorf("%q: read back name %q product %q target %q elems %+v, want %q", s, h.Names[0].Name, h.Port[0].Product, run.Target[0].Spec, h.Elems, safe)
	}
}

// xmlSafe is s with every rune XML 1.0 does not allow, and every byte
// of invalid UTF-8, replaced by U+FFFD.
func xmlSafe(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || r < 0x20 && r != '\t' && r != '\n' && r != '\r' ||
			r >= 0xD800 && r <= 0xDFFF || r == 0xFFFE || r == 0xFFFF {
			r = utf8.RuneError
		}
		b.WriteRune(r)
		i += n
	}
	return b.String()
}

// FuzzNmapXML feeds arbitrary text into every free-text field: the
// output must equal encoding/xml's and parse back.
func FuzzNmapXML(f *testing.F) {
	for _, s := range []string{"", "Postfix ESMTP", hostileBanner, "\x00", "\xff", "\uFFFE", "]]>", "a\r\nb", "&#x0;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkParses(t, s) })
}

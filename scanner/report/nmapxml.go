package report

import (
	"bufio"
	"cmp"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/scanner"
)

// NmapXMLOutputVersion is the nmap XML format version WriteNmapXML
// writes (nmap 7.x; nmap.dtd of the nmap package).
const NmapXMLOutputVersion = "1.05"

// NmapXML writes the scan as nmap XML (-oX), valid against nmap.dtd
// and readable by ndiff and other importers of nmap results, streamed as
// nmap writes it: the nmaprun start tag and scaninfo at Begin, one host
// element per finished host, runstats at End.
//
//   - nmaprun's scanner attribute must be "nmap" (the DTD allows no other
//     value); profile_name="winreach", args and version say who wrote it.
//   - One scaninfo per transport: TCP as type connect, UDP as udp, IP
//     protocols as ipproto (protocol "ip", portid the protocol number).
//   - States map one to one except confirmed, which is open with a
//     service of method "probed" and conf 10; not-tested endpoints are
//     left out (nmap has no such state). Reasons are the words nmap 7.93
//     writes for a connect, UDP and IP protocol scan (conn-refused,
//     syn-ack, port-unreach, no-response, ...).
//   - Every host is "up" with reason "user-set", as with nmap -Pn:
//     winreach probes the endpoints whatever a ping says. A host name
//     that did not resolve is a target element with status "skipped".
//   - Per host, a hostscript holds a script "winreach-functions": its
//     output attribute lists "function: verdict" lines, and one table per
//     function (key: the function id) holds elems name, group, verdict,
//     explanation and a table decided_by of the deciding endpoints.
type NmapXML struct {
	w     io.Writer
	enc   *xml.Encoder
	start time.Time
	up    int
	err   error
}

// NewNmapXML writes nmap XML to w.
func NewNmapXML(w io.Writer) *NmapXML {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := xml.NewEncoder(bw)
	enc.Indent("", "  ")
	return &NmapXML{w: bw, enc: enc}
}

// WriteNmapXML writes a whole document as nmap XML.
func WriteNmapXML(w io.Writer, d *Document) error { return WriteDocument(NewNmapXML(w), d) }

var nmaprunName = xml.Name{Local: "nmaprun"}

// Begin writes the XML declaration, the nmaprun start tag, scaninfo,
// verbose and debugging.
func (x *NmapXML) Begin(d *Document) error {
	x.start = d.StartTime
	if _, err := io.WriteString(x.w, xml.Header+"<!DOCTYPE nmaprun>\n"); err != nil {
		return err
	}
	attr := func(k, v string) xml.Attr { return xml.Attr{Name: xml.Name{Local: k}, Value: v} }
	start := xml.StartElement{Name: nmaprunName, Attr: []xml.Attr{
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
		x.element(si, "scaninfo")
	}
	x.element(xmlLevel{Level: 0}, "verbose")
	x.element(xmlLevel{Level: 0}, "debugging")
	return x.err
}

func (x *NmapXML) token(t xml.Token) {
	if x.err == nil {
		x.err = x.enc.EncodeToken(t)
	}
}

func (x *NmapXML) element(v any, name string) {
	if x.err == nil {
		x.err = x.enc.EncodeElement(v, xml.StartElement{Name: xml.Name{Local: name}})
	}
}

// Host writes one host element (or, for a name that did not resolve, a
// skipped target).
func (x *NmapXML) Host(hr Host) error {
	h := hr.HostResult
	if !h.Address.IsValid() {
		x.element(xmlTarget{Specification: h.Name, Status: "skipped", Reason: "invalid"}, "target")
		return x.err
	}
	x.up++
	x.element(xmlHostOf(h), "host")
	return x.err
}

// End writes runstats and closes nmaprun.
func (x *NmapXML) End(d *Document) error {
	end := d.EndTime
	var rs xmlRunStats
	rs.Finished = xmlFinished{
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
	rs.Hosts = xmlHosts{Up: x.up, Down: 0, Total: x.up}
	x.element(rs, "runstats")
	x.token(xml.EndElement{Name: nmaprunName})
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

// ctime is nmap's startstr format (C ctime without the newline).
func ctime(t time.Time) string { return t.Local().Format("Mon Jan _2 15:04:05 2006") }

func nmapArgs(d *Document) string {
	args := []string{"winreach", "scan"}
	// The whole catalog is the default selection: no -f to list.
	if n := len(d.Options.Functions); n > 0 && n != len(catalog.Default().Functions) {
		args = append(args, "-f", strings.Join(d.Options.Functions, ","))
	}
	return strings.Join(append(args, d.Targets...), " ")
}

type xmlRunStats struct {
	Finished xmlFinished `xml:"finished"`
	Hosts    xmlHosts    `xml:"hosts"`
}

type xmlScanInfo struct {
	Type        string `xml:"type,attr"`
	Protocol    string `xml:"protocol,attr"`
	NumServices int    `xml:"numservices,attr"`
	Services    string `xml:"services,attr"`
}

type xmlLevel struct {
	Level int `xml:"level,attr"`
}

type xmlTarget struct {
	Specification string `xml:"specification,attr"`
	Status        string `xml:"status,attr"`
	Reason        string `xml:"reason,attr"`
}

type xmlHost struct {
	Comment    string         `xml:"comment,attr,omitempty"`
	Status     xmlStatus      `xml:"status"`
	Address    xmlAddress     `xml:"address"`
	Hostnames  xmlHostnames   `xml:"hostnames"`
	Ports      xmlPorts       `xml:"ports"`
	HostScript *xmlHostScript `xml:"hostscript"`
}

// xmlHostScript is the host's function verdicts, as an NSE host script's
// structured output (nmap.dtd: script holds table and elem).
type xmlHostScript struct {
	Script xmlScript `xml:"script"`
}

type xmlScript struct {
	ID     string     `xml:"id,attr"`
	Output string     `xml:"output,attr"`
	Tables []xmlTable `xml:"table"`
}

type xmlTable struct {
	Key    string     `xml:"key,attr,omitempty"`
	Elems  []xmlElem  `xml:"elem"`
	Tables []xmlTable `xml:"table"`
}

type xmlElem struct {
	Key   string `xml:"key,attr,omitempty"`
	Value string `xml:",chardata"`
}

// NmapScriptID is the id of the host script that carries the verdicts.
const NmapScriptID = "winreach-functions"

// hostScript is the hostscript of a host's function verdicts; nil when
// no function was judged.
func hostScript(h scanner.HostResult) *xmlHostScript {
	if len(h.Functions) == 0 {
		return nil
	}
	sc := xmlScript{ID: NmapScriptID}
	var out strings.Builder
	for _, f := range h.Functions {
		decided := xmlTable{Key: "decided_by"}
		for _, e := range f.DecidedBy {
			decided.Elems = append(decided.Elems, xmlElem{Value: e.String()})
		}
		sc.Tables = append(sc.Tables, xmlTable{
			Key: f.ID,
			Elems: []xmlElem{
				{Key: "name", Value: f.Name},
				{Key: "group", Value: f.Group},
				{Key: "verdict", Value: f.Verdict.String()},
				{Key: "explanation", Value: f.Explanation},
			},
			Tables: []xmlTable{decided},
		})
		fmt.Fprintf(&out, "\n  %s: %s", f.ID, f.Verdict)
		if words := endpointWords(f.DecidedBy); words != "" {
			fmt.Fprintf(&out, " (%s)", words)
		}
	}
	sc.Output = out.String()
	return &xmlHostScript{Script: sc}
}

type xmlStatus struct {
	State     string `xml:"state,attr"`
	Reason    string `xml:"reason,attr"`
	ReasonTTL string `xml:"reason_ttl,attr"`
}

type xmlAddress struct {
	Addr     string `xml:"addr,attr"`
	AddrType string `xml:"addrtype,attr"`
}

type xmlHostnames struct {
	Hostname []xmlHostname `xml:"hostname"`
}

type xmlHostname struct {
	Name string `xml:"name,attr"`
	Type string `xml:"type,attr"`
}

type xmlPorts struct {
	Port []xmlPort `xml:"port"`
}

type xmlPort struct {
	Protocol string      `xml:"protocol,attr"`
	PortID   uint16      `xml:"portid,attr"`
	State    xmlState    `xml:"state"`
	Service  *xmlService `xml:"service"`
}

type xmlState struct {
	State     string `xml:"state,attr"`
	Reason    string `xml:"reason,attr"`
	ReasonTTL string `xml:"reason_ttl,attr"`
	ReasonIP  string `xml:"reason_ip,attr,omitempty"`
}

type xmlService struct {
	Name      string `xml:"name,attr"`
	Product   string `xml:"product,attr,omitempty"`
	ExtraInfo string `xml:"extrainfo,attr,omitempty"`
	Method    string `xml:"method,attr"`
	Conf      int    `xml:"conf,attr"`
}

type xmlFinished struct {
	Time     int64  `xml:"time,attr"`
	TimeStr  string `xml:"timestr,attr"`
	Elapsed  string `xml:"elapsed,attr"`
	Summary  string `xml:"summary,attr"`
	Exit     string `xml:"exit,attr"`
	ErrorMsg string `xml:"errormsg,attr,omitempty"`
}

type xmlHosts struct {
	Up    int `xml:"up,attr"`
	Down  int `xml:"down,attr"`
	Total int `xml:"total,attr"`
}

// scanInfo lists the scanned endpoints per transport, in nmap's order
// (tcp, udp, ip).
func scanInfo(endpoints []string) []xmlScanInfo {
	byTransport := map[catalog.Transport][]uint16{}
	for _, s := range endpoints {
		e, err := catalog.ParseEndpoint(s)
		if err != nil {
			continue
		}
		byTransport[e.Transport] = append(byTransport[e.Transport], e.Port)
	}
	var out []xmlScanInfo
	for _, t := range []catalog.Transport{catalog.TCP, catalog.UDP, catalog.IP} {
		ports := byTransport[t]
		if len(ports) == 0 {
			continue
		}
		slices.Sort(ports)
		ports = slices.Compact(ports)
		s := make([]string, len(ports))
		for i, p := range ports {
			s[i] = strconv.Itoa(int(p))
		}
		out = append(out, xmlScanInfo{Type: scanType(t), Protocol: t.String(), NumServices: len(ports), Services: strings.Join(s, ",")})
	}
	return out
}

func scanType(t catalog.Transport) string {
	switch t {
	case catalog.UDP:
		return "udp"
	case catalog.IP:
		return "ipproto"
	}
	return "connect"
}

func xmlHostOf(h scanner.HostResult) xmlHost {
	x := xmlHost{
		Status:  xmlStatus{State: "up", Reason: "user-set", ReasonTTL: "0"},
		Address: xmlAddress{Addr: h.Address.Unmap().String(), AddrType: "ipv4"},
	}
	if h.Address.Unmap().Is6() {
		x.Address.AddrType = "ipv6"
	}
	if h.Name != "" {
		x.Hostnames.Hostname = []xmlHostname{{Name: h.Name, Type: "user"}}
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
		x.Ports.Port = append(x.Ports.Port, xmlPortOf(er))
	}
	x.HostScript = hostScript(h)
	return x
}

func xmlPortOf(er scanner.EndpointResult) xmlPort {
	p := xmlPort{
		Protocol: er.Endpoint.Transport.String(),
		PortID:   er.Endpoint.Port,
		State:    xmlState{State: nmapState(er.State), Reason: nmapReason(er.Endpoint.Transport, er.Reason), ReasonTTL: "0"},
	}
	if er.ICMP != nil && er.ICMP.From.IsValid() {
		p.State.ReasonIP = er.ICMP.From.String()
	}
	name := nmapServiceName(er.Endpoint)
	svc := &xmlService{Name: name, Method: "table", Conf: 3}
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

// nmapState maps a state to nmap's port states.
func nmapState(s probes.State) string {
	switch s {
	case probes.Open, probes.Confirmed:
		return "open"
	case probes.Closed:
		return "closed"
	case probes.Filtered:
		return "filtered"
	case probes.OpenFiltered:
		return "open|filtered"
	}
	return "unknown"
}

// nmapReason maps a reason to the words nmap 7.93 writes with --reason
// (reason.cc) for the scan type of the transport: a connect scan (TCP)
// says syn-ack and conn-refused, a UDP scan udp-response, port-unreach
// and no-response, an IP protocol scan proto-response and proto-unreach.
// The kernel folds an ICMP port unreachable into the refusal a UDP or
// raw socket reports as reset.
func nmapReason(t catalog.Transport, r probes.Reason) string {
	switch r {
	case probes.ReasonSynAck, probes.ReasonClosedEarly:
		return "syn-ack"
	case probes.ReasonReply, probes.ReasonUnexpectedReply:
		switch t {
		case catalog.UDP:
			return "udp-response"
		case catalog.IP:
			return "proto-response"
		}
		return "syn-ack"
	case probes.ReasonReset:
		switch t {
		case catalog.UDP:
			return "port-unreach"
		case catalog.IP:
			return "proto-unreach"
		}
		return "conn-refused"
	case probes.ReasonTimeout, probes.ReasonNoResponse:
		return "no-response"
	case probes.ReasonPortUnreachable:
		return "port-unreach"
	case probes.ReasonProtoUnreachable:
		return "proto-unreach"
	case probes.ReasonHostUnreachable:
		return "host-unreach"
	case probes.ReasonNetUnreachable:
		return "net-unreach"
	case probes.ReasonAdminProhibited:
		return "admin-prohibited"
	case probes.ReasonTimeExceeded:
		return "time-exceeded"
	case "":
		return "unknown"
	}
	return string(r)
}

// nmapServiceName is the name nmap-services (nmap-protocols for IP)
// gives the catalog's endpoints.
func nmapServiceName(e catalog.Endpoint) string {
	if e.Transport == catalog.IP {
		if n := catalog.ProtocolName(e.Port); n != "" {
			return strings.ToLower(n)
		}
		return "unknown"
	}
	if n, ok := nmapServices[e]; ok {
		return n
	}
	return "unknown"
}

var nmapServices = map[catalog.Endpoint]string{
	{Transport: catalog.TCP, Port: 25}:   "smtp",
	{Transport: catalog.TCP, Port: 42}:   "nameserver",
	{Transport: catalog.TCP, Port: 53}:   "domain",
	{Transport: catalog.TCP, Port: 80}:   "http",
	{Transport: catalog.TCP, Port: 88}:   "kerberos-sec",
	{Transport: catalog.TCP, Port: 102}:  "iso-tsap",
	{Transport: catalog.TCP, Port: 110}:  "pop3",
	{Transport: catalog.TCP, Port: 119}:  "nntp",
	{Transport: catalog.TCP, Port: 135}:  "msrpc",
	{Transport: catalog.TCP, Port: 137}:  "netbios-ns",
	{Transport: catalog.TCP, Port: 139}:  "netbios-ssn",
	{Transport: catalog.TCP, Port: 143}:  "imap",
	{Transport: catalog.TCP, Port: 389}:  "ldap",
	{Transport: catalog.TCP, Port: 445}:  "microsoft-ds",
	{Transport: catalog.TCP, Port: 563}:  "snews",
	{Transport: catalog.TCP, Port: 636}:  "ldapssl",
	{Transport: catalog.TCP, Port: 993}:  "imaps",
	{Transport: catalog.TCP, Port: 995}:  "pop3s",
	{Transport: catalog.TCP, Port: 1494}: "citrix-ica",
	{Transport: catalog.TCP, Port: 1503}: "imtc-mcs",
	{Transport: catalog.TCP, Port: 1723}: "pptp",
	{Transport: catalog.TCP, Port: 3268}: "globalcatLDAP",
	{Transport: catalog.TCP, Port: 3389}: "ms-wbt-server",
	{Transport: catalog.UDP, Port: 53}:   "domain",
	{Transport: catalog.UDP, Port: 67}:   "dhcps",
	{Transport: catalog.UDP, Port: 68}:   "dhcpc",
	{Transport: catalog.UDP, Port: 88}:   "kerberos-sec",
	{Transport: catalog.UDP, Port: 137}:  "netbios-ns",
	{Transport: catalog.UDP, Port: 138}:  "netbios-dgm",
	{Transport: catalog.UDP, Port: 389}:  "ldap",
	{Transport: catalog.UDP, Port: 445}:  "microsoft-ds",
	{Transport: catalog.UDP, Port: 500}:  "isakmp",
	{Transport: catalog.UDP, Port: 1717}: "fj-hdnet",
	{Transport: catalog.UDP, Port: 2504}: "wlbs",
}

package report

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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
//
// The elements are appended by hand into one reused buffer, in the
// layout encoding/xml writes with Indent("", "  ") (start tags on their
// own indented line, no self-closing tags, an element's text inline) and
// with its escaping (appendXMLEscaped), so a host costs no reflection
// and next to no allocation.
type NmapXML struct {
	w     *bufio.Writer
	buf   []byte                   // one element, reused
	eps   []scanner.EndpointResult // a host's endpoints in port order, reused
	start time.Time
	up    int
	err   error
}

// NewNmapXML writes nmap XML to w.
func NewNmapXML(w io.Writer) *NmapXML {
	return &NmapXML{w: bufio.NewWriterSize(w, 64<<10)}
}

// WriteNmapXML writes a whole document as nmap XML.
func WriteNmapXML(w io.Writer, d *Document) error { return WriteDocument(NewNmapXML(w), d) }

// xmlDeclaration is encoding/xml's Header and the doctype nmap writes.
const xmlDeclaration = `<?xml version="1.0" encoding="UTF-8"?>` + "\n<!DOCTYPE nmaprun>\n"

// Begin writes the XML declaration, the nmaprun start tag, scaninfo,
// verbose and debugging.
func (x *NmapXML) Begin(d *Document) error {
	x.start = d.StartTime
	b := append(x.buf[:0], xmlDeclaration...)
	b = append(b, "<nmaprun"...)
	b = appendXMLAttr(b, "scanner", "nmap")
	b = appendXMLAttr(b, "args", nmapArgs(d))
	b = appendXMLIntAttr(b, "start", d.StartTime.Unix())
	b = appendXMLAttr(b, "startstr", ctime(d.StartTime))
	b = appendXMLAttr(b, "version", d.Version)
	b = appendXMLAttr(b, "profile_name", "winreach")
	b = appendXMLAttr(b, "xmloutputversion", NmapXMLOutputVersion)
	b = append(b, '>')
	for _, si := range scanInfo(d.Options.Endpoints) {
		b = append(b, "\n  <scaninfo"...)
		b = appendXMLAttr(b, "type", si.Type)
		b = appendXMLAttr(b, "protocol", si.Protocol)
		b = appendXMLIntAttr(b, "numservices", int64(si.NumServices))
		b = appendXMLAttr(b, "services", si.Services)
		b = append(b, "></scaninfo>"...)
	}
	b = append(b, "\n  <verbose level=\"0\"></verbose>\n  <debugging level=\"0\"></debugging>"...)
	x.write(b)
	return x.err
}

// write hands b, the buffer's new contents, to the output and keeps it
// for the next element.
func (x *NmapXML) write(b []byte) {
	x.buf = b[:0]
	if x.err == nil {
		_, x.err = x.w.Write(b)
	}
}

// Host writes one host element (or, for a name that did not resolve, a
// skipped target).
func (x *NmapXML) Host(hr Host) error {
	if x.err != nil {
		return x.err
	}
	h := hr.HostResult
	if !h.Address.IsValid() {
		b := append(x.buf[:0], "\n  <target"...)
		b = appendXMLAttr(b, "specification", h.Name)
		b = append(b, ` status="skipped" reason="invalid"></target>`...)
		x.write(b)
		return x.err
	}
	x.up++
	x.write(x.appendHost(x.buf[:0], h))
	return x.err
}

// appendHost appends h's host element, at depth 1.
func (x *NmapXML) appendHost(b []byte, h scanner.HostResult) []byte {
	b = append(b, "\n  <host"...)
	if h.Status == scanner.StatusPartial {
		b = appendXMLAttr(b, "comment", "partial: the scan was interrupted")
	}
	b = append(b, ">\n    <status state=\"up\" reason=\"user-set\" reason_ttl=\"0\"></status>\n    <address addr=\""...)
	addr := h.Address.Unmap()
	b = appendXMLAddr(b, addr)
	if addr.Is6() {
		b = append(b, `" addrtype="ipv6"></address>`...)
	} else {
		b = append(b, `" addrtype="ipv4"></address>`...)
	}
	b = append(b, "\n    <hostnames>"...)
	if h.Name != "" {
		b = append(b, "\n      <hostname"...)
		b = appendXMLAttr(b, "name", h.Name)
		b = append(b, " type=\"user\"></hostname>\n    "...)
	}
	b = append(b, "</hostnames>\n    <ports>"...)
	x.eps = append(x.eps[:0], h.Endpoints...)
	slices.SortFunc(x.eps, func(a, b scanner.EndpointResult) int {
		return cmp.Or(cmp.Compare(a.Endpoint.Transport, b.Endpoint.Transport), cmp.Compare(a.Endpoint.Port, b.Endpoint.Port))
	})
	ports := false
	for _, er := range x.eps {
		if er.State == probes.NotTested {
			continue
		}
		ports = true
		b = appendXMLPort(b, er)
	}
	clear(x.eps) // drop the references to the host's results
	if ports {
		b = append(b, "\n    "...)
	}
	b = append(b, "</ports>"...)
	if len(h.Functions) > 0 {
		b = appendHostScript(b, h.Functions)
	}
	return append(b, "\n  </host>"...)
}

// appendXMLPort appends er's port element, at depth 3.
func appendXMLPort(b []byte, er scanner.EndpointResult) []byte {
	b = append(b, "\n      <port"...)
	b = appendXMLAttr(b, "protocol", er.Endpoint.Transport.String())
	b = appendXMLIntAttr(b, "portid", int64(er.Endpoint.Port))
	b = append(b, ">\n        <state"...)
	b = appendXMLAttr(b, "state", nmapState(er.State))
	b = appendXMLAttr(b, "reason", nmapReason(er.Endpoint.Transport, er.Reason))
	b = append(b, ` reason_ttl="0"`...)
	if er.ICMP != nil && er.ICMP.From.IsValid() {
		b = append(b, ` reason_ip="`...)
		b = appendXMLAddr(b, er.ICMP.From)
		b = append(b, '"')
	}
	b = append(b, "></state>\n        <service"...)
	name := nmapServiceName(er.Endpoint)
	if er.Service == nil {
		b = appendXMLAttr(b, "name", name)
		b = append(b, ` method="table" conf="3"`...)
	} else {
		if name == "unknown" {
			name = er.Service.Protocol
		}
		b = appendXMLAttr(b, "name", name)
		if er.Service.Summary != "" {
			b = appendXMLAttr(b, "product", er.Service.Summary)
		}
		// The literal prefix is plain ASCII: escaping the protocol
		// alone escapes the whole value.
		b = append(b, ` extrainfo="winreach protocol `...)
		b = appendXMLEscaped(b, er.Service.Protocol)
		b = append(b, `" method="probed" conf="10"`...)
	}
	return append(b, "></service>\n      </port>"...)
}

// NmapScriptID is the id of the host script that carries the verdicts.
const NmapScriptID = "winreach-functions"

// appendHostScript appends the hostscript of a host's function
// verdicts (an NSE host script's structured output: nmap.dtd's script
// holds table and elem), at depth 2.
func appendHostScript(b []byte, fs []scanner.FunctionVerdict) []byte {
	b = append(b, "\n    <hostscript>\n      <script"...)
	b = appendXMLAttr(b, "id", NmapScriptID)
	// output: per function "\n  id: verdict (decided by)". Escaping is
	// per piece; a piece's invalid bytes stay invalid beside the ASCII
	// separators, so this is the escaping of the whole string.
	b = append(b, ` output="`...)
	for _, f := range fs {
		b = append(b, "&#xA;  "...)
		b = appendXMLEscaped(b, f.ID)
		b = append(b, ": "...)
		b = appendXMLEscaped(b, f.Verdict.String())
		if len(f.DecidedBy) > 0 {
			b = append(b, " ("...)
			for i, e := range f.DecidedBy {
				if i > 0 {
					b = append(b, ' ')
				}
				b = appendXMLEndpoint(b, e)
			}
			b = append(b, ')')
		}
	}
	b = append(b, "\">"...)
	for _, f := range fs {
		b = append(b, "\n        <table"...)
		if f.ID != "" {
			b = appendXMLAttr(b, "key", f.ID)
		}
		b = append(b, '>')
		b = appendXMLElem(b, "name", f.Name)
		b = appendXMLElem(b, "group", f.Group)
		b = appendXMLElem(b, "verdict", f.Verdict.String())
		b = appendXMLElem(b, "explanation", f.Explanation)
		b = append(b, "\n          <table key=\"decided_by\">"...)
		for _, e := range f.DecidedBy {
			b = append(b, "\n            <elem>"...)
			b = appendXMLEndpoint(b, e)
			b = append(b, "</elem>"...)
		}
		if len(f.DecidedBy) > 0 {
			b = append(b, "\n          "...)
		}
		b = append(b, "</table>\n        </table>"...)
	}
	return append(b, "\n      </script>\n    </hostscript>"...)
}

// appendXMLElem appends an elem of a function's table, at depth 5.
func appendXMLElem(b []byte, key, value string) []byte {
	b = append(b, "\n          <elem"...)
	b = appendXMLAttr(b, "key", key)
	b = append(b, '>')
	b = appendXMLEscaped(b, value)
	return append(b, "</elem>"...)
}

// appendXMLEndpoint appends e as Endpoint.String writes it, escaped.
func appendXMLEndpoint(b []byte, e catalog.Endpoint) []byte {
	b = appendXMLEscaped(b, e.Transport.String())
	b = append(b, '/')
	return strconv.AppendUint(b, uint64(e.Port), 10)
}

// appendXMLAddr appends a's text form, escaped (an IPv6 zone is free
// text).
func appendXMLAddr(b []byte, a netip.Addr) []byte {
	if a.Zone() != "" {
		return appendXMLEscaped(b, a.String())
	}
	return a.AppendTo(b)
}

// End writes runstats and closes nmaprun.
func (x *NmapXML) End(d *Document) error {
	end := d.EndTime
	elapsed := end.Sub(x.start).Seconds()
	b := append(x.buf[:0], "\n  <runstats>\n    <finished"...)
	b = appendXMLIntAttr(b, "time", end.Unix())
	b = appendXMLAttr(b, "timestr", ctime(end))
	b = appendXMLAttr(b, "elapsed", strconv.FormatFloat(elapsed, 'f', 2, 64))
	b = appendXMLAttr(b, "summary", fmt.Sprintf("winreach done at %s; %d IP address(es) (%d host(s) up) scanned in %.2f seconds",
		ctime(end), x.up, x.up, elapsed))
	if d.Interrupted {
		b = append(b, ` exit="error" errormsg="interrupted: partial results"`...)
	} else {
		b = append(b, ` exit="success"`...)
	}
	b = append(b, "></finished>\n    <hosts"...)
	b = appendXMLIntAttr(b, "up", int64(x.up))
	b = append(b, ` down="0"`...)
	b = appendXMLIntAttr(b, "total", int64(x.up))
	b = append(b, "></hosts>\n  </runstats>\n</nmaprun>\n"...)
	x.write(b)
	if x.err != nil {
		return x.err
	}
	return x.w.Flush()
}

// appendXMLAttr appends ` name="value"`, value escaped.
func appendXMLAttr(b []byte, name, value string) []byte {
	b = append(b, ' ')
	b = append(b, name...)
	b = append(b, `="`...)
	b = appendXMLEscaped(b, value)
	return append(b, '"')
}

// appendXMLIntAttr appends ` name="n"`.
func appendXMLIntAttr(b []byte, name string, n int64) []byte {
	b = append(b, ' ')
	b = append(b, name...)
	b = append(b, `="`...)
	b = strconv.AppendInt(b, n, 10)
	return append(b, '"')
}

// appendXMLEscaped appends s escaped for an XML 1.0 attribute value or
// text, exactly as encoding/xml's EscapeText: &, <, >, " and ' as
// references, tab, LF and CR as character references (so an attribute
// keeps them through attribute-value normalisation), and what XML 1.0
// does not allow (the C0 controls but those three, U+FFFE, U+FFFF and
// each byte of invalid UTF-8) as U+FFFD.
func appendXMLEscaped(b []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		var esc string
		width := 1
		if c < utf8.RuneSelf {
			switch c {
			case '"':
				esc = "&#34;"
			case '\'':
				esc = "&#39;"
			case '&':
				esc = "&amp;"
			case '<':
				esc = "&lt;"
			case '>':
				esc = "&gt;"
			case '\t':
				esc = "&#x9;"
			case '\n':
				esc = "&#xA;"
			case '\r':
				esc = "&#xD;"
			default:
				if c >= 0x20 {
					i++
					continue
				}
				esc = "\uFFFD"
			}
		} else {
			var r rune
			r, width = utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError && isXMLChar(r) || r == utf8.RuneError && width == 3 {
				i += width
				continue
			}
			esc = "\uFFFD"
		}
		b = append(b, s[last:i]...)
		b = append(b, esc...)
		i += width
		last = i
	}
	return append(b, s[last:]...)
}

// isXMLChar reports whether XML 1.0 allows r (the Char production,
// section 2.2) for r at or above U+0080.
func isXMLChar(r rune) bool {
	return r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
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

// nmapScanInfo is one scaninfo element: the scanned ports of a
// transport.
type nmapScanInfo struct {
	Type        string
	Protocol    string
	NumServices int
	Services    string
}

// scanInfo lists the scanned endpoints per transport, in nmap's order
// (tcp, udp, ip).
func scanInfo(endpoints []string) []nmapScanInfo {
	byTransport := map[catalog.Transport][]uint16{}
	for _, s := range endpoints {
		e, err := catalog.ParseEndpoint(s)
		if err != nil {
			continue
		}
		byTransport[e.Transport] = append(byTransport[e.Transport], e.Port)
	}
	var out []nmapScanInfo
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
		out = append(out, nmapScanInfo{Type: scanType(t), Protocol: t.String(), NumServices: len(ports), Services: strings.Join(s, ",")})
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

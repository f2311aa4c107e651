package report

import (
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

// WriteNmapXML writes the scan as nmap XML (-oX), valid against nmap.dtd
// and readable by ndiff and other importers of nmap results:
//
//   - nmaprun's scanner attribute must be "nmap" (the DTD allows no other
//     value); profile_name="winreach", args and version say who wrote it.
//   - One scaninfo per transport: TCP as type connect, UDP as udp, IP
//     protocols as ipproto (protocol "ip", portid the protocol number).
//   - States map one to one except confirmed, which is open with a
//     service of method "probed" and conf 10; not-tested endpoints are
//     left out (nmap has no such state). Reasons use nmap's --reason
//     names (syn-ack, reset, port-unreach, no-response, ...).
//   - Every host is "up" with reason "user-set", as with nmap -Pn:
//     winreach probes the endpoints whatever a ping says. A host name
//     that did not resolve is a target element with status "skipped".
func WriteNmapXML(w io.Writer, d *Document) error {
	run := xmlRun{
		Scanner:          "nmap",
		Args:             nmapArgs(d),
		Start:            d.StartTime.Unix(),
		StartStr:         ctime(d.StartTime),
		Version:          d.Version,
		ProfileName:      "winreach",
		XMLOutputVersion: NmapXMLOutputVersion,
		ScanInfo:         scanInfo(d.Options.Endpoints),
		Verbose:          xmlLevel{Level: 0},
		Debugging:        xmlLevel{Level: 0},
	}
	up := 0
	for _, h := range d.Hosts {
		if !h.Address.IsValid() {
			run.Targets = append(run.Targets, xmlTarget{Specification: h.Name, Status: "skipped", Reason: "invalid"})
			continue
		}
		up++
		run.Hosts = append(run.Hosts, xmlHostOf(h))
	}
	end := d.EndTime
	run.RunStats.Finished = xmlFinished{
		Time:    end.Unix(),
		TimeStr: ctime(end),
		Elapsed: fmt.Sprintf("%.2f", end.Sub(d.StartTime).Seconds()),
		Summary: fmt.Sprintf("winreach done at %s; %d IP address(es) (%d host(s) up) scanned in %.2f seconds",
			ctime(end), len(run.Hosts), up, end.Sub(d.StartTime).Seconds()),
		Exit: "success",
	}
	if d.Interrupted {
		run.RunStats.Finished.Exit, run.RunStats.Finished.ErrorMsg = "error", "interrupted: partial results"
	}
	run.RunStats.Hosts = xmlHosts{Up: up, Down: 0, Total: up}

	if _, err := io.WriteString(w, xml.Header+"<!DOCTYPE nmaprun>\n"); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(run); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
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

type xmlRun struct {
	XMLName          xml.Name      `xml:"nmaprun"`
	Scanner          string        `xml:"scanner,attr"`
	Args             string        `xml:"args,attr"`
	Start            int64         `xml:"start,attr"`
	StartStr         string        `xml:"startstr,attr"`
	Version          string        `xml:"version,attr"`
	ProfileName      string        `xml:"profile_name,attr"`
	XMLOutputVersion string        `xml:"xmloutputversion,attr"`
	ScanInfo         []xmlScanInfo `xml:"scaninfo"`
	Verbose          xmlLevel      `xml:"verbose"`
	Debugging        xmlLevel      `xml:"debugging"`
	Targets          []xmlTarget   `xml:"target"`
	Hosts            []xmlHost     `xml:"host"`
	RunStats         struct {
		Finished xmlFinished `xml:"finished"`
		Hosts    xmlHosts    `xml:"hosts"`
	} `xml:"runstats"`
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
	Comment   string       `xml:"comment,attr,omitempty"`
	Status    xmlStatus    `xml:"status"`
	Address   xmlAddress   `xml:"address"`
	Hostnames xmlHostnames `xml:"hostnames"`
	Ports     xmlPorts     `xml:"ports"`
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

// nmapReason maps a reason to nmap's --reason vocabulary (nmap's
// reason.cc): an answer in the protocol is syn-ack over TCP, udp-response
// over UDP and proto-response for IP protocols.
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
		return "reset"
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

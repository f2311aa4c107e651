package report

import (
	"bytes"
	"encoding/xml"
	"errors"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/scanner"
)

// nmapDTD is where Debian's nmap package puts the DTD of its XML output.
const nmapDTD = "/usr/share/nmap/nmap.dtd"

func xmlTestDocument(t *testing.T, smtp probes.Result) *Document {
	t.Helper()
	c := catalog.Default()
	start := time.Date(2026, 11, 25, 21, 40, 0, 0, time.UTC)
	ep := func(s string, r probes.Result) scanner.EndpointResult {
		e, err := catalog.ParseEndpoint(s)
		if err != nil {
			t.Fatal(err)
		}
		return scanner.EndpointResult{Endpoint: e, Result: r}
	}
	host := func(addr, name string, eps ...scanner.EndpointResult) scanner.HostResult {
		h := scanner.HostResult{Address: netip.MustParseAddr(addr), Name: name, Status: scanner.StatusComplete, Endpoints: eps}
		for _, id := range []string{"smtp", "netlogon", "pptp"} {
			f, _ := c.Function(id)
			h.Functions = append(h.Functions, scanner.Judge(f, h.Results()))
		}
		return h
	}
	router := netip.MustParseAddr("198.18.1.1")
	hosts := []scanner.HostResult{
		host("198.18.1.20", "mail.lab.test",
			ep("tcp/25", smtp),
			ep("udp/138", probes.Result{State: probes.OpenFiltered, Reason: probes.ReasonNoResponse}),
			ep("tcp/1723", probes.Result{State: probes.Filtered, Reason: probes.ReasonAdminProhibited,
				ICMP: &probes.ICMP{Type: 3, Code: 13, From: router}}),
			ep("ip/47", probes.Result{State: probes.Closed, Reason: probes.ReasonProtoUnreachable}),
			ep("udp/137", probes.Result{State: probes.NotTested, Reason: probes.ReasonNeedsPrivilege})),
		host("fd77:7272:1::70", "",
			ep("tcp/25", probes.Result{State: probes.Closed, Reason: probes.ReasonReset}),
			ep("udp/138", probes.Result{State: probes.Confirmed, Reason: probes.ReasonReply,
				Service: &probes.Service{Protocol: "winreach-listen", Summary: `winreach listen echoed the "UDP" token & more`}})),
		{Name: "nosuch.lab.test", Status: scanner.StatusUnresolved, Error: "no such host"},
	}
	return &Document{
		Scanner: "winreach", Version: "0.1.0-test", StartTime: start, EndTime: start.Add(12 * time.Second),
		Options: Options{Functions: []string{"smtp", "netlogon", "pptp"}, Endpoints: []string{"tcp/25", "tcp/1723", "udp/138", "ip/47"}},
		Targets: []string{"198.18.1.20", "fd77:7272:1::70", "nosuch.lab.test"},
		Hosts:   hosts, Summary: Summarize(hosts),
	}
}

func writeXML(t *testing.T, d *Document) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteNmapXML(&b, d); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestNmapXMLContent(t *testing.T) {
	confirmed := probes.Result{State: probes.Confirmed, Reason: probes.ReasonReply,
		Service: &probes.Service{Protocol: "smtp", Summary: "Postfix ESMTP"}}
	out := writeXML(t, xmlTestDocument(t, confirmed))
	// Read it back with the element names nmap's DTD defines.
	var run struct {
		Scanner  string `xml:"scanner,attr"`
		Version  string `xml:"xmloutputversion,attr"`
		ScanInfo []struct {
			Type     string `xml:"type,attr"`
			Protocol string `xml:"protocol,attr"`
			Services string `xml:"services,attr"`
		} `xml:"scaninfo"`
		Target []struct {
			Spec   string `xml:"specification,attr"`
			Status string `xml:"status,attr"`
		} `xml:"target"`
		Host []struct {
			Address struct {
				Addr string `xml:"addr,attr"`
				Type string `xml:"addrtype,attr"`
			} `xml:"address"`
			Port []struct {
				Protocol string `xml:"protocol,attr"`
				ID       string `xml:"portid,attr"`
				State    struct {
					State    string `xml:"state,attr"`
					Reason   string `xml:"reason,attr"`
					ReasonIP string `xml:"reason_ip,attr"`
				} `xml:"state"`
				Service struct {
					Name    string `xml:"name,attr"`
					Product string `xml:"product,attr"`
					Method  string `xml:"method,attr"`
					Conf    string `xml:"conf,attr"`
				} `xml:"service"`
			} `xml:"ports>port"`
			Script []struct {
				ID     string `xml:"id,attr"`
				Output string `xml:"output,attr"`
				Table  []struct {
					Key   string `xml:"key,attr"`
					Elems []struct {
						Key   string `xml:"key,attr"`
						Value string `xml:",chardata"`
					} `xml:"elem"`
					Decided []string `xml:"table>elem"`
				} `xml:"table"`
			} `xml:"hostscript>script"`
		} `xml:"host"`
	}
	if err := xml.Unmarshal(out, &run); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if run.Scanner != "nmap" || run.Version != "1.05" || len(run.ScanInfo) != 3 ||
		run.ScanInfo[0].Type != "connect" || run.ScanInfo[0].Services != "25,1723" ||
		run.ScanInfo[1].Type != "udp" || run.ScanInfo[2].Type != "ipproto" || run.ScanInfo[2].Protocol != "ip" {
		t.Errorf("nmaprun/scaninfo: %+v", run)
	}
	if len(run.Target) != 1 || run.Target[0].Spec != "nosuch.lab.test" || run.Target[0].Status != "skipped" {
		t.Errorf("targets %+v", run.Target)
	}
	if len(run.Host) != 2 || run.Host[1].Address.Type != "ipv6" || run.Host[0].Address.Addr != "198.18.1.20" {
		t.Fatalf("hosts %+v", run.Host)
	}
	// Each host's function verdicts, as a host script's tables.
	for i, h := range run.Host {
		if len(h.Script) != 1 || h.Script[0].ID != "winreach-functions" || len(h.Script[0].Table) != 3 {
			t.Fatalf("host %d hostscript %+v", i, h.Script)
		}
		hr := xmlTestDocument(t, confirmed).Hosts[i]
		for j, tb := range h.Script[0].Table {
			f := hr.Functions[j]
			elems := map[string]string{}
			for _, e := range tb.Elems {
				elems[e.Key] = e.Value
			}
			if tb.Key != f.ID || elems["verdict"] != f.Verdict.String() || elems["explanation"] != f.Explanation ||
				strings.Join(tb.Decided, " ") != endpointWords(f.DecidedBy) {
				t.Errorf("host %d table %d: %+v, want %s %s decided by %v", i, j, tb, f.ID, f.Verdict, f.DecidedBy)
			}
			if !strings.Contains(h.Script[0].Output, f.ID+": "+f.Verdict.String()) {
				t.Errorf("host %d script output %q lacks %s", i, h.Script[0].Output, f.ID)
			}
		}
	}
	type row struct{ proto, id, state, reason, reasonIP, name, product, method, conf string }
	var got []row
	for _, h := range run.Host {
		for _, p := range h.Port {
			got = append(got, row{p.Protocol, p.ID, p.State.State, p.State.Reason, p.State.ReasonIP, p.Service.Name, p.Service.Product, p.Service.Method, p.Service.Conf})
		}
	}
	want := []row{
		{"tcp", "25", "open", "syn-ack", "", "smtp", "Postfix ESMTP", "probed", "10"},
		{"tcp", "1723", "filtered", "admin-prohibited", "198.18.1.1", "pptp", "", "table", "3"},
		{"udp", "138", "open|filtered", "no-response", "", "netbios-dgm", "", "table", "3"},
		// udp/137 was not tested: left out.
		{"ip", "47", "closed", "proto-unreach", "", "gre", "", "table", "3"},
		{"tcp", "25", "closed", "conn-refused", "", "smtp", "", "table", "3"},
		{"udp", "138", "open", "udp-response", "", "netbios-dgm", `winreach listen echoed the "UDP" token & more`, "probed", "10"},
	}
	if len(got) != len(want) {
		t.Fatalf("ports\n got %+v\nwant %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("port %d\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

// TestNmapXMLValidates checks the output against nmap's own DTD with
// xmllint, and that ndiff reads two documents and names the change.
// Both tools come from the lab's packages (nmap, libxml2-utils, ndiff).
func TestNmapXMLValidates(t *testing.T) {
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Skip("!!! SKIPPED: xmllint not installed (apt-get install libxml2-utils): nmap XML not validated against the DTD")
	}
	if _, err := os.Stat(nmapDTD); err != nil {
		t.Skipf("!!! SKIPPED: %s missing (apt-get install nmap): nmap XML not validated", nmapDTD)
	}
	dir := t.TempDir()
	before := filepath.Join(dir, "before.xml")
	after := filepath.Join(dir, "after.xml")
	confirmed := probes.Result{State: probes.Confirmed, Reason: probes.ReasonReply, Service: &probes.Service{Protocol: "smtp", Summary: "Postfix ESMTP"}}
	dropped := probes.Result{State: probes.Filtered, Reason: probes.ReasonTimeout}
	os.WriteFile(before, writeXML(t, xmlTestDocument(t, confirmed)), 0o644)
	os.WriteFile(after, writeXML(t, xmlTestDocument(t, dropped)), 0o644)
	for _, f := range []string{before, after} {
		out, err := exec.Command(xmllint, "--noout", "--dtdvalid", nmapDTD, f).CombinedOutput()
		if err != nil {
			b, _ := os.ReadFile(f)
			t.Fatalf("xmllint %s: %v\n%s\n%s", filepath.Base(f), err, out, b)
		}
	}
	ndiff, err := exec.LookPath("ndiff")
	if err != nil {
		t.Skip("!!! SKIPPED: ndiff not installed (apt-get install ndiff): nmap XML validated, not compared")
	}
	out, err := exec.Command(ndiff, before, after).CombinedOutput()
	// ndiff exits 1 when the scans differ, 2 on error.
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("ndiff: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "-25/tcp") || !strings.Contains(string(out), "+25/tcp") || !strings.Contains(string(out), "filtered") {
		t.Errorf("ndiff does not show tcp/25 open -> filtered:\n%s", out)
	}
	// The host script carries the function verdicts: ndiff shows smtp's.
	if !strings.Contains(string(out), "-|    smtp: reachable (tcp/25)") || !strings.Contains(string(out), "+|    smtp: blocked (tcp/25)") {
		t.Errorf("ndiff does not show smtp reachable -> blocked in the host script:\n%s", out)
	}
}

package sqlbrowser

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/probetest"
)

// Fixtures written here after the SVR_RESP grammar of [MC-SQLR] 2.2.5
// and the shape of the answers in its section 4: SVR_RESP 0x05, RESP_SIZE
// little-endian, then RESP_DATA (given as text for reading).

// twoInstances: a default instance on tcp/1433 with its pipe, and a named
// instance on a dynamic port (RESP_SIZE 0x00cb = 203).
const twoInstancesHead = "05 cb 00"
const twoInstancesData = `ServerName;WRSQL1;InstanceName;MSSQLSERVER;IsClustered;No;Version;15.0.2000.5;tcp;1433;np;\\WRSQL1\pipe\sql\query;;` +
	`ServerName;WRSQL1;InstanceName;SQLEXPRESS;IsClustered;No;Version;16.0.1000.6;tcp;49733;;`

// clusteredNoTCP: one clustered SQL Server 2005 instance without TCP, with
// named pipes, VIA and RPC entries (RESP_SIZE 0x008d = 141).
const clusteredNoTCPHead = "05 8d 00"
const clusteredNoTCPData = `ServerName;WRSQL2;InstanceName;PROD;IsClustered;Yes;Version;9.00.1399.06;np;\\WRSQL2\pipe\MSSQL$PROD\sql\query;via;WRSQL2,0:1433;rpc;WRSQL2;;`

func fixture(t testing.TB, head, data string) []byte {
	return append(probetest.Hex(t, head), data...)
}

func TestRequest(t *testing.T) {
	// [MC-SQLR] 2.2.2: CLNT_UCAST_EX is the single octet 0x03.
	if got := (Query{}).Request(probes.Target{}, 0); !bytes.Equal(got, []byte{0x03}) {
		t.Fatalf("request %x", got)
	}
}

func TestParseTwoInstances(t *testing.T) {
	svc, err := Query{}.Parse(nil, fixture(t, twoInstancesHead, twoInstancesData))
	if err != nil {
		t.Fatal(err)
	}
	d := svc.Details.(*Details)
	if len(d.Instances) != 2 {
		t.Fatalf("instances %+v", d.Instances)
	}
	a, b := d.Instances[0], d.Instances[1]
	if a.ServerName != "WRSQL1" || a.InstanceName != "MSSQLSERVER" || a.IsClustered || a.Version != "15.0.2000.5" || a.TCPPort != 1433 || a.Pipe != `\\WRSQL1\pipe\sql\query` {
		t.Fatalf("first %+v", a)
	}
	if b.InstanceName != "SQLEXPRESS" || b.TCPPort != 49733 || b.Pipe != "" || b.Version != "16.0.1000.6" {
		t.Fatalf("second %+v", b)
	}
	if svc.Summary != "SQL Server Browser: 2 instances (MSSQLSERVER tcp/1433 15.0.2000.5, SQLEXPRESS tcp/49733 16.0.1000.6)" {
		t.Fatalf("summary %q", svc.Summary)
	}
	ports := TCPPorts(svc)
	if len(ports) != 2 || ports[0] != (InstancePort{1433, "MSSQLSERVER", "15.0.2000.5"}) || ports[1].Port != 49733 {
		t.Fatalf("ports %+v", ports)
	}
	// The encoder the stand-in uses writes the same octets.
	if got := AppendResponse(nil, d.Instances); !bytes.Equal(got, fixture(t, twoInstancesHead, twoInstancesData)) {
		t.Fatalf("AppendResponse\n got %q\nwant %q", got, fixture(t, twoInstancesHead, twoInstancesData))
	}
}

func TestParseClusteredWithoutTCP(t *testing.T) {
	in, err := ParseResponse(fixture(t, clusteredNoTCPHead, clusteredNoTCPData))
	if err != nil {
		t.Fatal(err)
	}
	if len(in) != 1 || !in[0].IsClustered || in[0].TCPPort != 0 || in[0].Other["via"] != "WRSQL2,0:1433" || in[0].Other["rpc"] != "WRSQL2" || in[0].Pipe != `\\WRSQL2\pipe\MSSQL$PROD\sql\query` {
		t.Fatalf("%+v", in)
	}
	if ports := (&Details{Instances: in}).TCPPorts(); len(ports) != 0 {
		t.Fatalf("ports %+v", ports)
	}
}

func TestParseIgnoresTrailingOctets(t *testing.T) {
	in, err := ParseResponse(append(fixture(t, twoInstancesHead, twoInstancesData), 0, 0))
	if err != nil || len(in) != 2 {
		t.Fatalf("%+v %v", in, err)
	}
}

func TestParseBV(t *testing.T) {
	data := "ServerName;S;InstanceName;I;IsClustered;No;Version;8.00.194;bv;item;group;item2;group2;org;tcp;1433;;"
	b := append([]byte{0x05, byte(len(data)), 0}, data...)
	in, err := ParseResponse(b)
	if err != nil {
		t.Fatal(err)
	}
	if in[0].Other["bv"] != "item;group;item2;group2;org" || in[0].TCPPort != 1433 {
		t.Fatalf("%+v", in[0])
	}
}

func TestParseRejects(t *testing.T) {
	good := fixture(t, twoInstancesHead, twoInstancesData)
	for name, b := range map[string][]byte{
		"request echo":  {0x03},
		"short":         good[:2],
		"size beyond":   good[:len(good)-1],
		"type":          append([]byte{0x04}, good[1:]...),
		"no terminator": fixture(t, "05 0b 00", "ServerName;"),
		"bad port":      fixture(t, "05 4f 00", "ServerName;S;InstanceName;I;IsClustered;No;Version;1.0;tcp;99999;;"),
		"bad clustered": fixture(t, "05 4e 00", "ServerName;S;InstanceName;I;IsClustered;Maybe;Version;1.0;;"),
		"missing value": fixture(t, "05 45 00", "ServerName;S;InstanceName;I;IsClustered;No;Version;1.0;tcp;;"),
		"order":         fixture(t, "05 4a 00", "InstanceName;I;ServerName;S;IsClustered;No;Version;1.0;;"),
	} {
		if in, err := ParseResponse(b); err == nil {
			t.Errorf("%s: accepted %+v", name, in)
		}
	}
}

func TestQueryLoopback(t *testing.T) {
	answer := fixture(t, twoInstancesHead, twoInstancesData)
	for _, tc := range []struct {
		name  string
		reply func([]byte) []byte
		state probes.State
	}{
		{"browser", func(req []byte) []byte {
			if bytes.Equal(req, []byte{ClntUcastEx}) {
				return answer
			}
			return nil
		}, probes.Confirmed},
		{"echo", func(b []byte) []byte { return b }, probes.Open},
		{"garbage", func([]byte) []byte { return probetest.GarbageBytes(100) }, probes.Open},
		{"silent", nil, probes.OpenFiltered},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := probetest.ProbeUDP(t, Query{}, probetest.UDPServe(t, tc.reply), 300*time.Millisecond, 1)
			if r.State != tc.state {
				t.Fatalf("state %v (%v %q)", r.State, r, r.Note)
			}
			if r.State == probes.Confirmed && !strings.Contains(r.Service.Summary, "SQLEXPRESS tcp/49733") {
				t.Fatalf("summary %q", r.Service.Summary)
			}
		})
	}
	closed := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), probetest.FreeUDPPort(t))
	if r := probetest.ProbeUDP(t, Query{}, closed, 300*time.Millisecond, 0); r.State != probes.Closed {
		t.Fatalf("closed: %v", r)
	}
}

func FuzzParseResponse(f *testing.F) {
	f.Add(fixture(f, twoInstancesHead, twoInstancesData))
	f.Add(fixture(f, clusteredNoTCPHead, clusteredNoTCPData))
	f.Add([]byte{0x05, 0x02, 0x00, ';', ';'})
	f.Fuzz(func(t *testing.T, b []byte) {
		in, err := ParseResponse(b)
		if err != nil {
			return
		}
		for _, i := range in {
			if i.Version == "" {
				t.Fatalf("instance without version: %+v", i)
			}
		}
		_ = ServiceOf(in)
		_ = (&Details{Instances: in}).TCPPorts()
	})
}

package main

import (
	"encoding/json"
	"net"
	"strconv"
	"strings"
	"testing"
)

func TestListenUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"listen"}, "--addr is required"},
		{[]string{"listen", "--addr", "0.0.0.0"}, "wildcard"},
		{[]string{"listen", "--addr", "::"}, "wildcard"},
		{[]string{"listen", "--addr", "224.0.0.1"}, "multicast"},
		{[]string{"listen", "--addr", "not-an-ip"}, "not an IP address"},
		{[]string{"listen", "--addr", "127.0.0.1", "198.18.1.70"}, "unexpected argument"},
		{[]string{"listen", "--addr", "127.0.0.1", "-f", "logon-sequense"}, "did you mean logon-sequence"},
		{[]string{"listen", "--addr", "127.0.0.1", "--duration", "-1s"}, "--duration"},
		{[]string{"listen", "--addr", "127.0.0.1", "--format", "xml"}, "--format"},
	} {
		r := runBin(t, "", tc.args...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.says) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args[1:], r.code, r.stderr, tc.says)
		}
	}
}

// TestListenLoopback runs listen for a second on loopback ports: it says
// it is ready, reports a held port as in use, and exits 0 with a report.
func TestListenLoopback(t *testing.T) {
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	free, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	udpPort := strconv.Itoa(free.LocalAddr().(*net.UDPAddr).Port)
	free.Close()
	tcpPort := strconv.Itoa(held.Addr().(*net.TCPAddr).Port)
	r := runBin(t, "", "listen", "--addr", "127.0.0.1", "-p", "tcp/"+tcpPort+",udp/"+udpPort, "--duration", "1s", "--format", "json")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "tcp/"+tcpPort+" on 127.0.0.1 in use by another program: not stolen") ||
		!strings.Contains(r.stderr, "ready: 1 endpoint(s) on 127.0.0.1") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	var rep struct {
		Bindings []struct {
			Endpoint string `json:"endpoint"`
			Status   string `json:"status"`
		} `json:"bindings"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if len(rep.Bindings) != 2 || rep.Bindings[0].Status != "in-use" || rep.Bindings[1].Status != "listening" {
		t.Errorf("report %+v", rep)
	}
}

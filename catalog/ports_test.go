package catalog

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParsePorts(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // endpoints joined by spaces, ranges abbreviated as first..last (count)
	}{
		{"80", "tcp/80"},
		{" 80 ", "tcp/80"},
		{"tcp/3268", "tcp/3268"},
		{"TCP/3268", "tcp/3268"},
		{"udp/389", "udp/389"},
		{"ip/47", "ip/47"},
		{"ip/46-47,ip/50", "ip/46 ip/47 ip/50"},
		{"udp/53,137-139", "udp/53 udp/137 udp/138 udp/139"},
		{"T:80,U:53", "tcp/80 udp/53"},
		{"T:80-82,U:53", "tcp/80 tcp/81 tcp/82 udp/53"},
		{"U:53,161,T:25", "udp/53 udp/161 tcp/25"},
		{"t:80,u:53", "tcp/80 udp/53"},
		{"80,80,tcp/80", "tcp/80"},
		{"tcp/1-3,udp/1-2", "tcp/1 tcp/2 tcp/3 udp/1 udp/2"},
		{"65535", "tcp/65535"},
		{"ip/0", "ip/0"},
		{"135,udp/137,139", "tcp/135 udp/137 udp/139"}, // a transport carries on, as nmap's U: does
	} {
		eps, err := ParsePorts(tc.in)
		if err != nil {
			t.Errorf("ParsePorts(%q): %v", tc.in, err)
			continue
		}
		var got []string
		for _, e := range eps {
			got = append(got, e.String())
		}
		if g := strings.Join(got, " "); g != tc.want {
			t.Errorf("ParsePorts(%q) = %s, want %s", tc.in, g, tc.want)
		}
	}
	if eps, err := ParsePorts("1-1024"); err != nil || len(eps) != 1024 || eps[0].String() != "tcp/1" || eps[1023].String() != "tcp/1024" {
		t.Errorf("ParsePorts(1-1024) = %d endpoints, %v", len(eps), err)
	}
	if eps, err := ParsePorts("tcp/1-65535,udp/1-65535,ip/0-255"); err != nil || len(eps) != 2*65535+256 {
		t.Errorf("every endpoint: %d, %v", len(eps), err)
	}
}

func TestParsePortsErrors(t *testing.T) {
	for _, tc := range []struct{ in, says string }{
		{"", "empty"},
		{"80,,81", "empty item"},
		{"0", "port 0"},
		{"65536", "65535"},
		{"ip/256", "255"},
		{"ip/47-300", "255"},
		{"sctp/5", "unknown transport"},
		{"S:5", "SCTP"},
		{"X:5", "unknown prefix"},
		{"90-80", "backwards"},
		{"80-", "missing number"},
		{"-80", "missing number"},
		{"http", "not a number"},
		{"tcp/", "missing number"},
		{"1-2-3", "not a number"},
		{"99999999999999999999", "not a number"},
	} {
		_, err := ParsePorts(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("ParsePorts(%q) = %v, want an error saying %q", tc.in, err, tc.says)
		}
	}
}

func TestQuoteBoundsEcho(t *testing.T) {
	if got := Quote("tcp/x"); got != `"tcp/x"` {
		t.Errorf("short input: %s", got)
	}
	long := strings.Repeat("é", 50_000)
	got := Quote(long)
	if len(got) > 80 || !strings.Contains(got, "(100000 bytes)") || !utf8.ValidString(got) || strings.Contains(got, `\x`) {
		t.Errorf("Quote of 100000 bytes = %q", got)
	}
	if _, err := ParsePorts(strings.Repeat("9", 100_000)); err == nil || len(err.Error()) > 200 {
		t.Errorf("a 100 KB -p gives %d bytes of error", len(err.Error()))
	}
}

func FuzzParsePorts(f *testing.F) {
	for _, s := range []string{"80", "1-1024", "tcp/1-1024", "udp/53,137-139", "T:80,U:53", "T:80-90,U:53", "ip/47", "U:53,161,T:25", "ip/0-255", ",", "S:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		eps, err := ParsePorts(s)
		if err != nil {
			if len(err.Error()) > 300 {
				t.Fatalf("error of %d bytes for %d bytes of input", len(err.Error()), len(s))
			}
			return
		}
		if len(eps) == 0 || len(eps) > 2*65535+256 {
			t.Fatalf("%q: %d endpoints", s, len(eps))
		}
		seen := map[Endpoint]bool{}
		for _, e := range eps {
			switch {
			case seen[e]:
				t.Fatalf("%q: %s twice", s, e)
			case e.Transport == IP && e.Port > 255, e.Transport != IP && e.Port == 0:
				t.Fatalf("%q: %s out of range", s, e)
			}
			seen[e] = true
			// Every endpoint reads back in winreach's own form.
			if again, err := ParsePorts(e.String()); err != nil || len(again) != 1 || again[0] != e {
				t.Fatalf("%s does not read back: %v %v", e, again, err)
			}
		}
	})
}

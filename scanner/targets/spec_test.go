package targets

import (
	"math"
	"net/netip"
	"slices"
	"testing"
)

// collect expands l without exclusions, at most limit hosts.
func collect(t testing.TB, l List, excl *ExcludeSet, limit int) []Host {
	t.Helper()
	var hosts []Host
	for h := range l.All(excl) {
		if len(hosts) == limit {
			break
		}
		hosts = append(hosts, h)
	}
	return hosts
}

func addrStrings(hosts []Host) []string {
	var out []string
	for _, h := range hosts {
		out = append(out, h.Addr.String())
	}
	return out
}

func TestParseForms(t *testing.T) {
	tests := []struct {
		spec  string
		size  uint64
		first []string // the first addresses expanded, in order
		last  string   // the last address, when it is not among first
	}{
		{spec: "198.18.1.10", size: 1, first: []string{"198.18.1.10"}},
		{spec: "  198.18.1.10\t", size: 1, first: []string{"198.18.1.10"}},
		{spec: "fd77:7272::10", size: 1, first: []string{"fd77:7272::10"}},
		{spec: "fe80::1%eth0", size: 1, first: []string{"fe80::1%eth0"}},
		{spec: "::ffff:198.18.1.10", size: 1, first: []string{"198.18.1.10"}},
		{spec: "198.18.1.0/24", size: 256, first: []string{"198.18.1.0", "198.18.1.1"}, last: "198.18.1.255"},
		{spec: "198.18.1.77/24", size: 256, first: []string{"198.18.1.0"}, last: "198.18.1.255"},
		{spec: "198.18.1.6/31", size: 2, first: []string{"198.18.1.6", "198.18.1.7"}},
		{spec: "198.18.1.6/32", size: 1, first: []string{"198.18.1.6"}},
		{spec: "198.18.0.0/15", size: 1 << 17, first: []string{"198.18.0.0"}, last: "198.19.255.255"},
		{spec: "10.0.0.0/8", size: 1 << 24, first: []string{"10.0.0.0"}, last: "10.255.255.255"},
		{spec: "fd00::/120", size: 256, first: []string{"fd00::", "fd00::1"}, last: "fd00::ff"},
		{spec: "fd00::5/128", size: 1, first: []string{"fd00::5"}},
		{spec: "fd77::/104", size: 1 << 24, first: []string{"fd77::"}, last: "fd77::ff:ffff"},
		{spec: "::ffff:198.18.1.0/120", size: 256, first: []string{"198.18.1.0"}, last: "198.18.1.255"},
		{spec: "198.18.1.1-20", size: 20, first: []string{"198.18.1.1", "198.18.1.2"}, last: "198.18.1.20"},
		{spec: "198.18.1.7-7", size: 1, first: []string{"198.18.1.7"}},
		{spec: "198.18.1.250-198.18.2.5", size: 12, first: []string{"198.18.1.250", "198.18.1.251"}, last: "198.18.2.5"},
		{spec: "fd00::1-fd00::ff", size: 255, first: []string{"fd00::1"}, last: "fd00::ff"},
		{spec: "198.18.1-2.1-3", size: 6, first: []string{"198.18.1.1", "198.18.1.2", "198.18.1.3", "198.18.2.1", "198.18.2.2", "198.18.2.3"}},
		{spec: "198.18.*.1", size: 256, first: []string{"198.18.0.1", "198.18.1.1"}, last: "198.18.255.1"},
		{spec: "198.18.1.*", size: 256, first: []string{"198.18.1.0"}, last: "198.18.1.255"},
		{spec: "198.18-19.*.*", size: 1 << 17, first: []string{"198.18.0.0"}, last: "198.19.255.255"},
	}
	for _, tt := range tests {
		s, err := Parse(tt.spec)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.spec, err)
			continue
		}
		if n, exact := s.Size(); n != tt.size || !exact {
			t.Errorf("Parse(%q).Size() = %d, %v; want %d", tt.spec, n, exact, tt.size)
		}
		got := addrStrings(collect(t, List{s}, nil, len(tt.first)))
		if !slices.Equal(got, tt.first) {
			t.Errorf("Parse(%q) expands to %v...; want %v", tt.spec, got, tt.first)
		}
		if tt.last != "" {
			last := netip.MustParseAddr(tt.last)
			if !s.Contains(last) || s.Contains(last.Next()) {
				t.Errorf("Parse(%q) does not end at %s", tt.spec, tt.last)
			}
		}
		if s.Name() != "" {
			t.Errorf("Parse(%q).Name() = %q", tt.spec, s.Name())
		}
	}
}

func TestParseNames(t *testing.T) {
	for _, name := range []string{"dc1", "dc1.lab.test", "dc1.lab.test.", "my-host", "win_2k", "xn--bcher-kva.example", "1host", "host.123"} {
		s, err := Parse(name)
		if err != nil {
			t.Errorf("Parse(%q): %v", name, err)
			continue
		}
		if s.Name() != name {
			t.Errorf("Parse(%q).Name() = %q", name, s.Name())
		}
		if n, _ := s.Size(); n != 0 {
			t.Errorf("Parse(%q).Size() before Resolve = %d; want 0", name, n)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ spec, want string }{
		{"", "empty target"},
		{"   ", "empty target"},
		{"300.1.1.1", `target "300.1.1.1": not an IP address, network or range`},
		{"1.2.3", `target "1.2.3": not an IP address, network or range`},
		{"198.18.1.1.1", `target "198.18.1.1.1": not an IP address, network or range`},
		{"2130706433", `target "2130706433": not an IP address, network or range`},
		{"0x7f.1", `target "0x7f.1": not an IP address, network or range`},
		{"fd00:::1", `target "fd00:::1": not an IP address, network or range`},
		{"a b", `target "a b": not an IP address, network, range or host name`},
		{"-host", `target "-host": not an IP address, network, range or host name`},
		{"host..lab", `target "host..lab": not an IP address, network, range or host name`},
		{"198.18.1.0/33", `target "198.18.1.0/33": bad prefix length 33 (IPv4 allows 0 to 32)`},
		{"fd00::/129", `target "fd00::/129": bad prefix length 129 (IPv6 allows 0 to 128)`},
		{"198.18.1.0/", `target "198.18.1.0/": bad prefix length ""`},
		{"198.18.1.0/-1", `target "198.18.1.0/-1": bad prefix length "-1"`},
		{"198.18.1.0/2x", `target "198.18.1.0/2x": bad prefix length "2x"`},
		{"host/24", `target "host/24": not an IP address, network or range`},
		{"fe80::%eth0/64", `target "fe80::%eth0/64": zone not allowed in a network or range`},
		{"198.18.1.9-3", `target "198.18.1.9-3": range end before start`},
		{"198.18.2.1-198.18.1.1", `target "198.18.2.1-198.18.1.1": range end before start`},
		{"fd00::ff-fd00::1", `target "fd00::ff-fd00::1": range end before start`},
		{"198.18.5-1.1", `target "198.18.5-1.1": range end before start`},
		{"198.18.1.1-300", `target "198.18.1.1-300": octet 300 is above 255`},
		{"198.18.1.010", `target "198.18.1.010": not an IP address, network or range`},
		{"198.18.1.1-010", `target "198.18.1.1-010": octet "010" has a leading zero`},
		{"198.18.1.1-fd00::1", `target "198.18.1.1-fd00::1": range mixes IPv4 and IPv6`},
		{"198.18.1.1-", `target "198.18.1.1-": not an IP address, network or range`},
		{"198.18.1.1-2-3", `target "198.18.1.1-2-3": not an IP address, network or range`},
		{"fe80::1%eth0-fe80::2%eth0", `target "fe80::1%eth0-fe80::2%eth0": zone not allowed in a network or range`},
		{"198.18.0.0/7", `target "198.18.0.0/7": 33554432 addresses is more than 16777216; use --allow-large to scan it`},
		{"fd77::/64", `target "fd77::/64": 18446744073709551616 addresses is more than 16777216; use --allow-large to scan it`},
		{"::/0", `target "::/0": 340282366920938463463374607431768211455 addresses is more than 16777216; use --allow-large to scan it`},
		{"*.*.*.1-2", `target "*.*.*.1-2": 33554432 addresses is more than 16777216; use --allow-large to scan it`},
	}
	for _, tt := range tests {
		_, err := Parse(tt.spec)
		if err == nil {
			t.Errorf("Parse(%q) succeeded; want %s", tt.spec, tt.want)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("Parse(%q) error\n got: %s\nwant: %s", tt.spec, err, tt.want)
		}
	}
}

func TestAllowLarge(t *testing.T) {
	large := Options{AllowLarge: true}
	for _, tt := range []struct {
		spec  string
		size  uint64
		exact bool
	}{
		{"198.18.0.0/7", 1 << 25, true},
		{"fd77::/65", 1 << 63, true},
		{"fd77::/64", math.MaxUint64, false},
		{"::/0", math.MaxUint64, false},
		{"*.*.*.*", 1 << 32, true},
	} {
		s, err := large.Parse(tt.spec)
		if err != nil {
			t.Errorf("Parse(%q) with AllowLarge: %v", tt.spec, err)
			continue
		}
		if n, exact := s.Size(); n != tt.size || exact != tt.exact {
			t.Errorf("Parse(%q).Size() = %d, %v; want %d, %v", tt.spec, n, exact, tt.size, tt.exact)
		}
	}
}

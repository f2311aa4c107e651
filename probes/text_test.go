package probes

import "testing"

func TestPrintable(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want string
	}{
		{"220 mail ESMTP Postfix", 80, "220 mail ESMTP Postfix"},
		{"evil\x1b[2J\r\nline", 80, "evil?[2J??line"},
		{"bad \xff utf8", 80, "bad ? utf8"},
		{"abcdef", 3, "abc…"},
		{"", 5, ""},
	} {
		if got := Printable([]byte(tc.in), tc.max); got != tc.want {
			t.Errorf("Printable(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}

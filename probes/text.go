package probes

// Printable makes text a server sent safe for a one-line report: control
// bytes and invalid UTF-8 become '?', and it is cut to max runes (with an
// ellipsis), so a hostile banner cannot reshape a terminal or a table.
func Printable(b []byte, max int) string {
	var out []rune
	for _, r := range string(b) {
		if len(out) == max {
			out = append(out, '…')
			break
		}
		if r < 0x20 || r == 0x7f || r == 0xfffd {
			r = '?'
		}
		out = append(out, r)
	}
	return string(out)
}

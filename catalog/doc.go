// Package catalog is the table winreach is built on: the functions of
// Microsoft KB article Q150543 ("WinNT, Terminal Server, & Exchange Services
// Use TCP/IP Ports") and the endpoints each needs: TCP and UDP ports and the
// raw IP protocols GRE (47, RFC 2784/RFC 2637), ESP (50, RFC 4303), AH (51,
// RFC 4302) and RSVP (46, RFC 2205).
//
// The table is embedded as functions.txt, a small readable file; its format
// is described at its top. The package tests hold it against the KB's own
// rows (testdata/q150543-rows.txt).
package catalog

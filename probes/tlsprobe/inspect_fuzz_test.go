package tlsprobe

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"os"
	"testing"
	"time"
)

// FuzzInspect: whatever certificate a server presents, if crypto/x509
// parses it, Inspect reports on it without a panic.
func FuzzInspect(f *testing.F) {
	for _, path := range []string{"testdata/samba-ldaps-chain.pem", "testdata/samba-ca.pem"} {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		for {
			var blk *pem.Block
			blk, b = pem.Decode(b)
			if blk == nil {
				break
			}
			f.Add(blk.Bytes, "dc1.lab.test")
		}
	}
	f.Fuzz(func(t *testing.T, der []byte, name string) {
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return
		}
		cs := tls.ConnectionState{Version: tls.VersionTLS12, PeerCertificates: []*x509.Certificate{cert, cert}}
		d := Inspect(cs, name, x509.NewCertPool(), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
		_ = d.Summary()
	})
}

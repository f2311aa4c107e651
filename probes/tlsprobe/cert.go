package tlsprobe

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"strings"
	"time"
)

// Certificate is what the server's leaf certificate says and how it
// checks out (RFC 5280).
type Certificate struct {
	Subject    string `json:"subject"`
	CommonName string `json:"common_name,omitempty"`
	// SANs are the subjectAltName DNS names and IP addresses (RFC 5280
	// 4.2.1.6).
	SANs        []string  `json:"sans,omitempty"`
	Issuer      string    `json:"issuer"`
	NotBefore   time.Time `json:"not_before"`
	NotAfter    time.Time `json:"not_after"`
	Expired     bool      `json:"expired,omitempty"`
	NotYetValid bool      `json:"not_yet_valid,omitempty"`
	// SelfSigned: issuer equals subject and the certificate's own key
	// verifies its signature.
	SelfSigned bool `json:"self_signed,omitempty"`
	// NameMatches: the certificate is valid for the target's name or
	// address (RFC 6125 6, as x509.VerifyHostname checks it).
	NameMatches bool `json:"name_matches"`
	// NameInCommonNameOnly: no SAN matches, but the subject CN equals the
	// name. RFC 6125 6.4.4 and Go ignore the CN when SANs exist, and Go
	// ignores it always; old Windows clients still accept it.
	NameInCommonNameOnly bool `json:"name_in_common_name_only,omitempty"`
	// ChainVerified: the presented chain leads to a trusted root.
	ChainVerified bool   `json:"chain_verified"`
	VerifyError   string `json:"verify_error,omitempty"`
	// SHA256 is the fingerprint of the DER certificate.
	SHA256      string `json:"sha256"`
	ChainLength int    `json:"chain_length"`
}

// Inspect reads the negotiated parameters and checks the leaf
// certificate of a completed handshake against name, roots (nil: the
// system roots) and now.
func Inspect(cs tls.ConnectionState, name string, roots *x509.CertPool, now time.Time) Details {
	d := Details{
		Version:     tls.VersionName(cs.Version),
		CipherSuite: tls.CipherSuiteName(cs.CipherSuite),
		ServerName:  name,
	}
	if len(cs.PeerCertificates) == 0 {
		return d
	}
	d.Certificate = checkCertificate(cs.PeerCertificates, name, roots, now)
	return d
}

func checkCertificate(chain []*x509.Certificate, name string, roots *x509.CertPool, now time.Time) *Certificate {
	leaf := chain[0]
	sum := sha256.Sum256(leaf.Raw)
	c := &Certificate{
		Subject:     leaf.Subject.String(),
		CommonName:  leaf.Subject.CommonName,
		Issuer:      leaf.Issuer.String(),
		NotBefore:   leaf.NotBefore.UTC(),
		NotAfter:    leaf.NotAfter.UTC(),
		Expired:     now.After(leaf.NotAfter),
		NotYetValid: now.Before(leaf.NotBefore),
		SHA256:      hex.EncodeToString(sum[:]),
		ChainLength: len(chain),
	}
	c.SANs = append(c.SANs, leaf.DNSNames...)
	for _, ip := range leaf.IPAddresses {
		c.SANs = append(c.SANs, ip.String())
	}
	c.SelfSigned = string(leaf.RawIssuer) == string(leaf.RawSubject) &&
		leaf.CheckSignature(leaf.SignatureAlgorithm, leaf.RawTBSCertificate, leaf.Signature) == nil
	c.NameMatches = leaf.VerifyHostname(name) == nil
	c.NameInCommonNameOnly = !c.NameMatches && len(c.SANs) == 0 &&
		strings.EqualFold(strings.TrimSuffix(leaf.Subject.CommonName, "."), strings.TrimSuffix(name, "."))
	intermediates := x509.NewCertPool()
	for _, ic := range chain[1:] {
		intermediates.AddCert(ic)
	}
	_, err := leaf.Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: intermediates,
		CurrentTime:   now,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	c.ChainVerified = err == nil
	if err != nil {
		c.VerifyError = err.Error()
	}
	return c
}

// summary is "CN=mail.lab.test (self-signed, expires 2027-11-25)".
func (c *Certificate) summary() string {
	who := c.CommonName
	if who == "" && len(c.SANs) > 0 {
		who = c.SANs[0]
	}
	s := "CN=" + who
	var notes []string
	switch {
	case c.SelfSigned:
		notes = append(notes, "self-signed")
	case !c.ChainVerified:
		notes = append(notes, "untrusted")
	}
	switch {
	case c.NameInCommonNameOnly:
		notes = append(notes, "name in CN only")
	case !c.NameMatches:
		notes = append(notes, "name mismatch")
	}
	switch {
	case c.Expired:
		notes = append(notes, "expired "+c.NotAfter.Format(time.DateOnly))
	case c.NotYetValid:
		notes = append(notes, "not valid before "+c.NotBefore.Format(time.DateOnly))
	default:
		notes = append(notes, "expires "+c.NotAfter.Format(time.DateOnly))
	}
	return s + " (" + strings.Join(notes, ", ") + ")"
}

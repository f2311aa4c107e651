package ldap

import (
	"github.com/winreach/winreach/probes"

	"strconv"
	"strings"
)

// rootDSEAttributes are the root DSE attributes asked for: RFC 4512 5.1
// (namingContexts, supportedLDAPVersion, supportedSASLMechanisms), RFC 3045
// (vendorName, vendorVersion) and [MS-ADTS] 3.1.1.3.2 (the rest). The
// objectClass of OpenLDAP's root DSE (OpenLDAProotDSE) names the product.
func rootDSEAttributes() []string {
	return []string{
		"defaultNamingContext", "rootDomainNamingContext", "namingContexts",
		"dnsHostName", "ldapServiceName", "supportedLDAPVersion", "serverName",
		"vendorName", "vendorVersion", "supportedSASLMechanisms",
		"isGlobalCatalogReady", "domainFunctionality", "objectClass",
	}
}

// AppendRootDSERequest appends the anonymous root DSE search: base "",
// scope baseObject, filter (objectClass=*) (RFC 4512 5.1).
func AppendRootDSERequest(b []byte, id int32) []byte {
	return AppendSearchRequest(b, id, "", Present("objectClass"), rootDSEAttributes())
}

// RootDSEInfo is what a server's root DSE says about it.
type RootDSEInfo struct {
	DefaultNamingContext    string   `json:"default_naming_context,omitempty"`
	RootDomainNamingContext string   `json:"root_domain_naming_context,omitempty"`
	NamingContexts          []string `json:"naming_contexts,omitempty"`
	DNSHostName             string   `json:"dns_host_name,omitempty"`
	// LDAPServiceName is an AD DC's "<dns domain>:<host>$@<REALM>"
	// ([MS-ADTS] 3.1.1.3.2.21).
	LDAPServiceName         string   `json:"ldap_service_name,omitempty"`
	SupportedLDAPVersion    []int    `json:"supported_ldap_version,omitempty"`
	ServerName              string   `json:"server_name,omitempty"`
	VendorName              string   `json:"vendor_name,omitempty"`
	VendorVersion           string   `json:"vendor_version,omitempty"`
	SupportedSASLMechanisms []string `json:"supported_sasl_mechanisms,omitempty"`
	IsGlobalCatalogReady    bool     `json:"is_global_catalog_ready,omitempty"`
	// DomainFunctionality is the domain functional level ([MS-ADTS]
	// 6.1.4.4): 0 Windows 2000 ... 7 Windows Server 2016; -1 if absent.
	DomainFunctionality int      `json:"domain_functionality"`
	ObjectClass         []string `json:"object_class,omitempty"`

	// Derived fields.
	ActiveDirectory bool   `json:"active_directory,omitempty"`
	Realm           string `json:"realm,omitempty"`
	Product         string `json:"product,omitempty"`
}

// maxListed bounds the values kept of a multi-valued attribute.
const maxListed = 32

// RootDSEFromEntry reads a root DSE out of a SearchResultEntry.
func RootDSEFromEntry(e *Entry) RootDSEInfo {
	one := func(name string) string {
		if v := e.Get(name); len(v) > 0 {
			return probes.Printable(v[0], 256)
		}
		return ""
	}
	all := func(name string) []string {
		var out []string
		for _, v := range e.Get(name) {
			if len(out) == maxListed {
				break
			}
			out = append(out, probes.Printable(v, 256))
		}
		return out
	}
	d := RootDSEInfo{
		DefaultNamingContext:    one("defaultNamingContext"),
		RootDomainNamingContext: one("rootDomainNamingContext"),
		NamingContexts:          all("namingContexts"),
		DNSHostName:             one("dnsHostName"),
		LDAPServiceName:         one("ldapServiceName"),
		ServerName:              one("serverName"),
		VendorName:              one("vendorName"),
		VendorVersion:           one("vendorVersion"),
		SupportedSASLMechanisms: all("supportedSASLMechanisms"),
		IsGlobalCatalogReady:    strings.EqualFold(one("isGlobalCatalogReady"), "TRUE"),
		DomainFunctionality:     -1,
		ObjectClass:             all("objectClass"),
	}
	for _, v := range all("supportedLDAPVersion") {
		if n, err := strconv.Atoi(v); err == nil {
			d.SupportedLDAPVersion = append(d.SupportedLDAPVersion, n)
		}
	}
	if n, err := strconv.Atoi(one("domainFunctionality")); err == nil {
		d.DomainFunctionality = n
	}
	// ldapServiceName and domainFunctionality exist only on AD DCs
	// (Windows and Samba); [MS-ADTS] 3.1.1.3.2.
	d.ActiveDirectory = d.LDAPServiceName != "" || d.DomainFunctionality >= 0
	if _, realm, ok := strings.Cut(d.LDAPServiceName, "@"); ok {
		d.Realm = realm
	}
	switch {
	case d.VendorName != "":
		d.Product = strings.TrimSpace(d.VendorName + " " + d.VendorVersion)
	case containsFold(d.ObjectClass, "OpenLDAProotDSE"):
		d.Product = "OpenLDAP"
	case d.ActiveDirectory:
		d.Product = "Active Directory"
	}
	return d
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// Summary is a table line: "AD DC dc1.lab.test, LAB.TEST, LDAPv3" or
// "OpenLDAP, LDAPv3, dc=lab,dc=test".
func (d RootDSEInfo) Summary() string {
	var parts []string
	if d.ActiveDirectory {
		s := "AD DC"
		if d.DNSHostName != "" {
			s += " " + d.DNSHostName
		}
		parts = append(parts, s)
		if d.Realm != "" {
			parts = append(parts, d.Realm)
		}
	} else if d.Product != "" {
		parts = append(parts, d.Product)
	}
	if v := d.maxVersion(); v > 0 {
		parts = append(parts, "LDAPv"+strconv.Itoa(v))
	}
	if !d.ActiveDirectory {
		nc := d.DefaultNamingContext
		if nc == "" && len(d.NamingContexts) > 0 {
			nc = d.NamingContexts[0]
		}
		if nc != "" {
			parts = append(parts, nc)
		}
	}
	if len(parts) == 0 {
		return "LDAP root DSE (empty)"
	}
	return strings.Join(parts, ", ")
}

func (d RootDSEInfo) maxVersion() int {
	v := 0
	for _, n := range d.SupportedLDAPVersion {
		v = max(v, n)
	}
	return v
}

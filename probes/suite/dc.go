package suite

import (
	"context"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/ldap"
)

// ldapProbe is the LDAP rootDSE probe of TCP 389, followed, on an Active
// Directory domain controller, by the CLDAP netlogon ping on UDP 389
// ([MS-ADTS] 6.3.3): the DC locator's own question, which tells whether
// clients can find the DC (forest, domain, DC and NetBIOS names, site).
// The catalog lists TCP 389 only (Exchange's LDAP); the ping is an extra
// probe that runs only where a DC answered.
type ldapProbe struct {
	TCP  probes.TCP
	Ping probes.UDP
}

// DCDetails is the rootDSE with the DC locator's answer beside it.
type DCDetails struct {
	ldap.RootDSEDetails
	// CLDAP is the netlogon ping on UDP 389: its state, reason and, when
	// the DC answered, what it said.
	CLDAP *probes.Result `json:"cldap,omitempty"`
}

func (p ldapProbe) Probe(ctx context.Context, t probes.Target) probes.Result {
	r := p.TCP.Probe(ctx, t)
	if r.Service == nil {
		return r
	}
	d, ok := r.Service.Details.(ldap.RootDSEDetails)
	if !ok || d.RootDSE == nil || !d.RootDSE.ActiveDirectory {
		return r
	}
	ping := p.Ping.Probe(ctx, t)
	if ping.OutOfDescriptors() {
		return ping
	}
	svc := *r.Service
	svc.Details = DCDetails{RootDSEDetails: d, CLDAP: &ping}
	if ping.Service != nil && ping.Service.Summary != "" {
		svc.Summary += "; DC locator: " + ping.Service.Summary
	} else {
		svc.Summary += "; DC locator (CLDAP, UDP 389): " + ping.String()
	}
	r.Service = &svc
	return r
}

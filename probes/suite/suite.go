// Package suite is winreach's explicit probe list: which probe runs for
// each endpoint of the catalog. It is the one place where protocol probes
// are wired to ports, so reading it tells what winreach does on the wire.
package suite

import (
	"context"
	"net"
	"time"

	"winreach/catalog"
	"winreach/probes"
)

// Config is what every probe of a scan shares.
type Config struct {
	Dialer  probes.Dialer // nil: a net.Dialer
	Timeout time.Duration // per attempt
	Retries int           // extra attempts after silence
}

// Suite returns the probe for an endpoint.
type Suite struct {
	cfg Config
}

// New builds the suite.
func New(cfg Config) *Suite {
	if cfg.Dialer == nil {
		cfg.Dialer = &net.Dialer{}
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 2 * time.Second
	}
	return &Suite{cfg: cfg}
}

// For returns the probe of one endpoint.
func (s *Suite) For(e catalog.Endpoint) probes.Prober {
	switch e.Transport {
	case catalog.TCP:
		return probes.TCP{Dialer: s.cfg.Dialer, Timeout: s.cfg.Timeout, Retries: s.cfg.Retries}
	case catalog.UDP:
		return probes.UDP{Dialer: s.cfg.Dialer, Timeout: s.cfg.Timeout, Retries: max(s.cfg.Retries, 2)}
	}
	return notTested{note: "raw IP protocol probes are not implemented yet"}
}

// notTested is the probe of an endpoint winreach cannot test.
type notTested struct{ note string }

func (n notTested) Probe(_ context.Context, _ probes.Target) probes.Result {
	return probes.Result{State: probes.NotTested, Reason: probes.ReasonUnsupported, Note: n.note}
}

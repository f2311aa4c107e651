package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/dhcp"
	"github.com/winreach/winreach/probes/rawip"
	"github.com/winreach/winreach/probes/suite"
	"github.com/winreach/winreach/scanner"
)

// rawTimeout and rawRetries: a raw probe's silence only means something
// once the target's ICMP rate limit (a burst, then one per second) had
// time to let an answer through, whatever --timeout says for TCP.
const (
	rawMinTimeout = 1500 * time.Millisecond
	rawMinRetries = 3
)

// setupRaw prepares the raw IP-protocol probe when the selection has IP
// endpoints: one ICMP listener per address family for the whole scan. It
// says once on stderr why raw probes cannot run, when they cannot; the
// results then say not-tested with the reason. close releases the
// listeners.
func setupRaw(ctx context.Context, stderr io.Writer, sel scanner.Selection, f *scanFlags, cfg *suite.Config) (close func()) {
	needed, dhcpNeeded := false, false
	for _, e := range sel.Endpoints {
		needed = needed || e.Transport == catalog.IP
		dhcpNeeded = dhcpNeeded || e == catalog.Endpoint{Transport: catalog.UDP, Port: 67}
	}
	// DHCPINFORM needs the other capability: say so in the same one line,
	// so that following the hint makes both work.
	dhcpDenied := dhcpNeeded && errors.Is(dhcp.CheckPrivilege(ctx), os.ErrPermission)
	if !needed {
		if dhcpDenied {
			fmt.Fprintf(stderr, "winreach: DHCP Lease (UDP 67) is not tested: %s\n", dhcp.NeedsPrivilegeNote)
		}
		return func() {}
	}
	if err := rawip.CheckPrivilege(ctx); err != nil {
		cfg.RawReason, cfg.RawNote = probes.ReasonNeedsPrivilege, rawip.NeedsPrivilegeNote
		if errors.Is(err, errors.ErrUnsupported) {
			cfg.RawReason, cfg.RawNote = probes.ReasonUnsupported, err.Error()
			fmt.Fprintf(stderr, "winreach: raw IP-protocol probes (GRE, ESP, AH, RSVP) are not tested: %v\n", err)
		} else if errors.Is(err, os.ErrPermission) {
			also := ""
			if dhcpDenied {
				also = " (and DHCPINFORM, whose replies go to the privileged UDP 68)"
			}
			fmt.Fprintf(stderr, "winreach: raw IP-protocol probes (GRE, ESP, AH, RSVP)%s are not tested: %s\n", also, rawip.NeedsPrivilegeNote)
		} else {
			cfg.RawNote = err.Error()
			fmt.Fprintf(stderr, "winreach: raw IP-protocol probes are not tested: %v\n", err)
		}
		return func() {}
	}
	if dhcpDenied { // CAP_NET_RAW alone, as an older hint said
		fmt.Fprintf(stderr, "winreach: DHCP Lease (UDP 67) is not tested: %s\n", dhcp.NeedsPrivilegeNote)
	}
	icmp4, err4 := rawip.ListenICMP(ctx, false)
	icmp6, err6 := rawip.ListenICMP(ctx, true)
	if err4 != nil && err6 != nil {
		fmt.Fprintf(stderr, "winreach: raw IP-protocol probes are not tested: %v\n", err4)
	}
	cfg.Raw = rawip.Prober{
		Listen:  &net.ListenConfig{},
		ICMP4:   icmp4,
		ICMP6:   icmp6,
		Pacer:   f.scale.rawPacer(),
		Timeout: max(f.timeout, rawMinTimeout),
		Retries: max(f.retries, rawMinRetries),
	}
	return func() {
		if icmp4 != nil {
			icmp4.Close()
		}
		if icmp6 != nil {
			icmp6.Close()
		}
	}
}

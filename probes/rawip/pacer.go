package rawip

import (
	"context"
	"net/netip"
	"sync"
	"time"
)

// DefaultSpacing keeps a scan under Linux's per-destination ICMP error
// rate limit (net.ipv4.icmp_ratelimit = 1000 ms with a burst of 6): one
// probe packet a second to each host never draws more than one error a
// second, so a closed protocol is not mistaken for open|filtered.
const DefaultSpacing = 1100 * time.Millisecond

// Pacer spaces the packets sent to each host. It is shared by all raw
// probes of a scan (and may be by other probes that draw ICMP errors).
type Pacer struct {
	spacing time.Duration

	mu   sync.Mutex
	next map[netip.Addr]time.Time
}

// NewPacer returns a Pacer that lets one packet a spacing to each host.
func NewPacer(spacing time.Duration) *Pacer {
	return &Pacer{spacing: spacing, next: map[netip.Addr]time.Time{}}
}

// Wait reserves the next slot for addr and sleeps until it comes. A nil
// Pacer does not wait.
func (p *Pacer) Wait(ctx context.Context, addr netip.Addr) error {
	if p == nil || p.spacing <= 0 {
		return ctx.Err()
	}
	now := time.Now()
	p.mu.Lock()
	slot := p.next[addr]
	if slot.Before(now) {
		slot = now
	}
	p.next[addr] = slot.Add(p.spacing)
	if len(p.next) > 4096 { // forget hosts whose slots have passed
		for a, t := range p.next {
			if t.Before(now) {
				delete(p.next, a)
			}
		}
	}
	p.mu.Unlock()
	d := slot.Sub(now)
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

package probes

import (
	"context"
	"net"
	"testing"
	"time"
)

// Issue 14.4, in the probes layer: whatever Retries says, a probe makes at
// most 1+MaxRetries attempts, each waiting at most its Timeout.
func TestRetriesAreCappedInTheProbe(t *testing.T) {
	tg := udpServer(t, nil) // reads and stays silent
	p := UDP{Dialer: &net.Dialer{}, Timeout: 10 * time.Millisecond, Retries: 1_000_000}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	r := p.Probe(ctx, tg)
	if ctx.Err() != nil {
		t.Fatal("the probe did not end")
	}
	if r.State != OpenFiltered || r.Attempts != Attempts(1_000_000) || Attempts(1_000_000) != 1+MaxRetries {
		t.Errorf("%v after %d attempts, want open|filtered after %d", r.State, r.Attempts, 1+MaxRetries)
	}
	if Attempts(-3) != 1 || Attempts(2) != 3 {
		t.Errorf("Attempts(-3) = %d, Attempts(2) = %d", Attempts(-3), Attempts(2))
	}
}

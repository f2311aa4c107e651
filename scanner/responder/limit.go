package responder

import (
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Rate limits of a Listener's answers. A scan sends at most a few
// packets per endpoint (1 + retries) and a few dozen endpoints, so a burst
// of 64 and 20 a second per source never slow a real scan, while a
// spoofed flood gets at most that many 24-byte answers.
const (
	perSourceRate  = 20
	perSourceBurst = 64
	globalRate     = 500
	globalBurst    = 1000
	// maxSources bounds the per-source table; sources beyond it are not
	// answered until idle ones are forgotten.
	maxSources = 4096
	// sourceIdle is how long a quiet source's limiter is kept.
	sourceIdle = time.Minute
)

// limiter decides whether the Listener may answer a source now.
type limiter struct {
	mu      sync.Mutex
	global  *rate.Limiter
	sources map[netip.Addr]*sourceLimit
}

type sourceLimit struct {
	lim  *rate.Limiter
	last time.Time
}

func newLimiter() *limiter {
	return &limiter{
		global:  rate.NewLimiter(globalRate, globalBurst),
		sources: map[netip.Addr]*sourceLimit{},
	}
}

// allow reports whether an answer to src fits both limits at now.
func (l *limiter) allow(src netip.Addr, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.sources[src]
	if s == nil {
		if len(l.sources) >= maxSources {
			for a, old := range l.sources {
				if now.Sub(old.last) > sourceIdle {
					delete(l.sources, a)
				}
			}
			if len(l.sources) >= maxSources {
				return false
			}
		}
		s = &sourceLimit{lim: rate.NewLimiter(perSourceRate, perSourceBurst)}
		l.sources[src] = s
	}
	s.last = now
	// Both must allow; the per-source check comes first so one noisy
	// source cannot spend the global budget of the others.
	return s.lim.AllowN(now, 1) && l.global.AllowN(now, 1)
}

package main

import (
	"os"

	"github.com/winreach/winreach/probes/rawip"
	"github.com/winreach/winreach/scanner"
)

// scaleFlags are the scan options for speed and size: pacing, sharding
// over machines, and resuming an interrupted scan.
type scaleFlags struct {
	rate       float64
	maxPerHost int
	shard      string
	resume     string
	fixed      bool // --fixed-timeouts: no adaptive timing

	parsedShard scanner.Shard
	prior       *scanner.Prior
}

const scaleUsage = `  --rate N                    start at most N probes per second, over the whole scan
                              (0.1 to 10000000; default 0: no limit)
  --max-per-host N            at most N probes in flight to one host, 1 to 100000 (default: no limit
                              beyond congestion control, which reacts to loss, not silence)
  --fixed-timeouts            wait the full --timeout on every attempt instead of adapting
                              it to each host's measured round trips
  --shard K/N                 probe only shard K (0 to N-1) of the (host, endpoint) pairs;
                              merge the N outputs with 'winreach merge'
  --resume FILE               continue an interrupted scan from its jsonl (or json) output:
                              finished endpoints are carried over, not probed again
`

// check validates the flags after parsing (the numeric ones are checked
// against their ranges in scanFlagSpecs as they are parsed).
func (s *scaleFlags) check() error {
	s.parsedShard = scanner.Shard{K: 0, N: 1}
	if s.shard != "" {
		sh, err := scanner.ParseShard(s.shard)
		if err != nil {
			return usagef("scan: --%v", err)
		}
		s.parsedShard = sh
	}
	return nil
}

// load reads the --resume file, before the output (which may be the same
// file) is replaced.
func (s *scaleFlags) load() error {
	if s.resume == "" {
		return nil
	}
	f, err := os.Open(s.resume)
	if err != nil {
		return usagef("--resume: %v", err)
	}
	defer f.Close()
	p, err := scanner.ReadPrior(f)
	if err != nil {
		return usagef("--resume %s: %v", s.resume, err)
	}
	s.prior = p
	return nil
}

// apply sets the scanner's pacing, timing, shard and resume hooks.
func (s *scaleFlags) apply(sc *scanner.Scanner) {
	sc.Rate = s.rate
	sc.MaxPerHost = s.maxPerHost
	if !s.fixed {
		sc.Timing = &scanner.Timing{}
	}
	if s.parsedShard.N > 1 {
		sc.Keep = s.parsedShard.Keep
	}
	if s.prior != nil {
		sc.Known = s.prior.Take
	}
}

// shardOption is the shard recorded in the report ("" for a whole scan).
func (s *scaleFlags) shardOption() string {
	if s.parsedShard.N <= 1 {
		return ""
	}
	return s.parsedShard.String()
}

// rawPacer spaces raw IP packets to each host a second apart, under
// Linux's ICMP rate limit, when timeouts are fixed. With adaptive timing
// the host's timing paces retries by its modelled ICMP budget instead,
// shared with UDP: a host that answers nothing is not slowed down, and
// one that answers is not asked faster than it can.
func (s *scaleFlags) rawPacer() *rawip.Pacer {
	if !s.fixed {
		return nil
	}
	return rawip.NewPacer(rawip.DefaultSpacing)
}

package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress is a progress bar on stderr when stderr is a terminal; nothing
// otherwise. Nothing of it reaches stdout. Reports stream as hosts finish,
// so when probing ends only the report's last lines remain to be written:
// there is no separate writing stage to show.
type progress struct {
	bar          *progressbar.ProgressBar
	start, shown time.Time
	done         int64
}

// rateAfter is how long the bar runs before it shows a rate: the first
// probes' rate (a burst of answers from the first hosts) is no rate.
const rateAfter = time.Second

func newProgress(stderr io.Writer, want bool, total uint64) *progress {
	f, ok := stderr.(*os.File)
	if !want || !ok || !term.IsTerminal(int(f.Fd())) || total == 0 {
		return &progress{}
	}
	return &progress{bar: progressbar.NewOptions64(int64(total),
		progressbar.OptionSetWriter(stderr),
		progressbar.OptionSetDescription("probing"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100_000_000),
		progressbar.OptionClearOnFinish(),
	), start: time.Now()}
}

// Add counts n probes done; calls are serialised (the scanner's callbacks).
func (p *progress) Add(n int) {
	if p.bar == nil {
		return
	}
	p.done += int64(n)
	if now := time.Now(); now.Sub(p.start) >= rateAfter && now.Sub(p.shown) >= rateAfter/2 {
		p.shown = now
		p.bar.Describe(fmt.Sprintf("probing, %.0f probes/s", float64(p.done)/now.Sub(p.start).Seconds()))
	}
	_ = p.bar.Add(n)
}

func (p *progress) Finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}

package main

import (
	"testing"
	"time"
)

func TestLinkHoldsDropsAndKeepsOrder(t *testing.T) {
	c := config{delay: 75 * time.Millisecond, jitter: 20 * time.Millisecond, loss: 0.25, seed: 7, queue: 1000}
	run := func() (kept []time.Time, dropped int) {
		l := newLink(c, 1)
		t0 := time.Unix(1_700_000_000, 0)
		for i := range 400 {
			if l.admit(t0.Add(time.Duration(i)*time.Millisecond), []byte{byte(i)}) {
				kept = append(kept, (<-l.queue).release)
			}
		}
		return kept, l.dropped
	}
	kept, dropped := run()
	if dropped < 60 || dropped > 140 {
		t.Errorf("%d of 400 dropped at 25%% loss", dropped)
	}
	for i, r := range kept {
		if i > 0 && r.Before(kept[i-1]) {
			t.Fatalf("packet %d released before the one queued ahead of it", i)
		}
	}
	kept2, dropped2 := run()
	if dropped2 != dropped || len(kept2) != len(kept) || !kept2[len(kept2)-1].Equal(kept[len(kept)-1]) {
		t.Error("the same seed gave another run")
	}
}

func TestLinkDelayAndBoundedQueue(t *testing.T) {
	l := newLink(config{delay: 300 * time.Millisecond, queue: 3}, 1)
	now := time.Unix(1_700_000_000, 0)
	for i := range 5 {
		l.admit(now, []byte{byte(i)})
	}
	if l.passed != 3 || l.dropped != 2 {
		t.Errorf("passed %d dropped %d, want 3 and 2 (queue of 3)", l.passed, l.dropped)
	}
	if h := <-l.queue; !h.release.Equal(now.Add(300*time.Millisecond)) || h.pkt[0] != 0 {
		t.Errorf("first packet %v released at %v, want +300ms", h.pkt, h.release.Sub(now))
	}
}

func TestParseFlags(t *testing.T) {
	if _, err := parseFlags([]string{"--a", "wr-wan/far", "--b", "wr-far/wan0", "--delay", "300ms", "--jitter", "10ms", "--loss", "0.01"}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]string{
		{"--a", "wan/far", "--b", "wr-far/wan0"},
		{"--a", "wr-wan/far", "--b", "wr-../wan0"},
		{"--a", "wr-wan/far", "--b", "wr-far/wan0", "--loss", "NaN"},
		{"--a", "wr-wan/far", "--b", "wr-far/wan0", "--jitter", "1s"},
		{"--a", "wr-wan/far", "--b", "wr-far/wan0", "--queue", "0"},
	} {
		if _, err := parseFlags(bad); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

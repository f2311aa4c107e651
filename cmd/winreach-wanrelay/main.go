// Command winreach-wanrelay is the lab's WAN: it joins two TUN devices,
// each in its own network namespace, and holds every packet for a one-way
// delay (with optional jitter and loss, from a seeded generator, so runs
// repeat) before passing it to the other side. The kernel has neither
// netem nor NFQUEUE here; a TUN device on each side of the link, with
// routing done by the kernels of the two namespaces, is all the WAN needs.
//
//	winreach-wanrelay --a wr-wan/wan0 --b wr-far/wan0 --delay 75ms
//
// The devices must exist (ip tuntap add mode tun) in namespaces named
// wr-*; the relay attaches to them and never changes an address or a
// route. Queues are bounded: a packet that finds its direction's queue
// full is dropped, like a router's tail drop. It stops on SIGTERM, SIGINT
// or after --duration.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"
)

type config struct {
	a, b     endpoint
	delay    time.Duration // one way
	jitter   time.Duration // uniform in [-jitter, +jitter], order kept
	loss     float64       // probability a packet is dropped, per direction
	seed     uint64
	queue    int
	duration time.Duration
}

// endpoint is a TUN device in a namespace: "wr-wan/wan0".
type endpoint struct{ netns, dev string }

func parseEndpoint(s string) (endpoint, error) {
	ns, dev, ok := strings.Cut(s, "/")
	if !ok || !strings.HasPrefix(ns, "wr-") || strings.ContainsAny(ns, "/.") || dev == "" || len(dev) >= 16 {
		return endpoint{}, fmt.Errorf("%q: want wr-NAMESPACE/DEVICE", s)
	}
	return endpoint{ns, dev}, nil
}

func main() {
	log.SetFlags(log.LstdFlags | log.Lmsgprefix)
	log.SetPrefix("winreach-wanrelay: ")
	c, err := parseFlags(os.Args[1:])
	if err != nil {
		log.Print(err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if c.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.duration)
		defer cancel()
	}
	if err := run(ctx, c); err != nil {
		log.Print(err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (config, error) {
	fs := flag.NewFlagSet("winreach-wanrelay", flag.ContinueOnError)
	var c config
	a := fs.String("a", "", "one side: wr-NAMESPACE/TUNDEVICE")
	b := fs.String("b", "", "the other side: wr-NAMESPACE/TUNDEVICE")
	fs.DurationVar(&c.delay, "delay", 75*time.Millisecond, "one-way delay (the round trip is twice this)")
	fs.DurationVar(&c.jitter, "jitter", 0, "uniform jitter added to the delay, +/- this much (packet order is kept)")
	fs.Float64Var(&c.loss, "loss", 0, "probability of dropping a packet, 0 to 1")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the jitter and loss generator")
	fs.IntVar(&c.queue, "queue", 4096, "packets held per direction at most; more are dropped")
	fs.DurationVar(&c.duration, "duration", 0, "stop after this long (0: until SIGTERM)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	var err error
	if c.a, err = parseEndpoint(*a); err != nil {
		return c, fmt.Errorf("--a: %w", err)
	}
	if c.b, err = parseEndpoint(*b); err != nil {
		return c, fmt.Errorf("--b: %w", err)
	}
	switch {
	case c.delay < 0 || c.delay > time.Minute:
		return c, errors.New("--delay must be between 0 and 1m")
	case c.jitter < 0 || c.jitter > c.delay:
		return c, errors.New("--jitter must be between 0 and --delay")
	case !(c.loss >= 0 && c.loss <= 1):
		return c, errors.New("--loss must be between 0 and 1")
	case c.queue < 1 || c.queue > 1<<20:
		return c, errors.New("--queue must be between 1 and 1048576")
	}
	return c, nil
}

func run(ctx context.Context, c config) error {
	fa, err := openTUN(c.a.netns, c.a.dev)
	if err != nil {
		return err
	}
	defer fa.Close()
	fb, err := openTUN(c.b.netns, c.b.dev)
	if err != nil {
		return err
	}
	defer fb.Close()
	log.Printf("relaying %s/%s <-> %s/%s, one-way delay %v +/- %v, loss %g, seed %d",
		c.a.netns, c.a.dev, c.b.netns, c.b.dev, c.delay, c.jitter, c.loss, c.seed)
	var wg sync.WaitGroup
	ab := newLink(c, 1)
	ba := newLink(c, 2)
	wg.Go(func() { ab.run(ctx, fa, fb) })
	wg.Go(func() { ba.run(ctx, fb, fa) })
	<-ctx.Done()
	// Closing the devices ends the blocked reads.
	fa.Close()
	fb.Close()
	wg.Wait()
	log.Printf("stopped: a->b %d passed %d dropped; b->a %d passed %d dropped", ab.passed, ab.dropped, ba.passed, ba.dropped)
	return nil
}

// link is one direction of the WAN.
type link struct {
	delay, jitter time.Duration
	loss          float64
	rng           *rand.Rand
	queue         chan held
	last          time.Time // release time of the last packet queued: order is kept

	mu              sync.Mutex
	passed, dropped int
}

// held is a packet and when it may leave.
type held struct {
	pkt     []byte
	release time.Time
}

func newLink(c config, direction uint64) *link {
	return &link{delay: c.delay, jitter: c.jitter, loss: c.loss,
		rng: rand.New(rand.NewPCG(c.seed, direction)), queue: make(chan held, c.queue)}
}

// run reads packets from src and writes each to dst after its delay.
func (l *link) run(ctx context.Context, src io.Reader, dst io.Writer) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for h := range l.queue {
			if d := time.Until(h.release); d > 0 {
				t := time.NewTimer(d)
				select {
				case <-t.C:
				case <-ctx.Done():
					t.Stop()
					return
				}
			}
			if _, err := dst.Write(h.pkt); err != nil && ctx.Err() != nil {
				return
			}
		}
	}()
	buf := make([]byte, 65536)
	for {
		n, err := src.Read(buf)
		if err != nil {
			break
		}
		if !l.admit(time.Now(), buf[:n]) {
			continue
		}
	}
	close(l.queue)
	<-done
}

// admit decides one packet's fate: dropped (loss, or a full queue) or
// queued with its release time.
func (l *link) admit(now time.Time, pkt []byte) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.loss > 0 && l.rng.Float64() < l.loss {
		l.dropped++
		return false
	}
	d := l.delay
	if l.jitter > 0 {
		d += time.Duration(l.rng.Int64N(int64(2*l.jitter)+1)) - l.jitter
	}
	release := now.Add(d)
	if release.Before(l.last) {
		release = l.last
	}
	select {
	case l.queue <- held{pkt: append([]byte(nil), pkt...), release: release}:
		l.last = release
		l.passed++
		return true
	default:
		l.dropped++
		return false
	}
}

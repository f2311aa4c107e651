package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes/rawip"
	"github.com/winreach/winreach/scanner/responder"
)

const listenUsage = `Usage: winreach listen --addr ADDR[,ADDR] [flags]

Run on the far side of a path before the real servers exist, then run
'winreach scan --responder' against ADDR from the near side: every
selected endpoint answers, so the scan tells what the path lets through.

  TCP ports   are listened on; a connection is accepted and closed.
  UDP ports   answer only datagrams that carry a winreach token, with a
              reply of the same size, rate-limited per source (20/s,
              burst 64): the listener cannot be used as a reflector.
  IP protocols (GRE, ESP, AH, RSVP) answer token-bearing packets through
              raw sockets when the process has CAP_NET_RAW; otherwise they
              are skipped, which is said once.

Ports another program holds are reported ("in use by another program:
not stolen") and left alone. Nothing is bound unless named: --addr is
required and the wildcard addresses 0.0.0.0 and :: are refused.

Flags:
  --addr ADDR[,ADDR]          local addresses to bind (required, repeatable)
  -f, --function NAME[,NAME]  functions by slug or KB name (default: all)
  -g, --group NAME[,NAME]     groups: nt4, wlbs, exchange, terminal-server, win2000
  -p PORTS                    raw endpoints, as nmap writes them: 80, 1-1024, udp/53,137-139,
                              T:80,U:53, ip/47
  --duration D                stop after D (at least 1s, e.g. 10m); default: until Ctrl-C
  --format F                  table (default) or json for the final report

When it stops it prints, per endpoint, what arrived and from where. Exit
0 after a normal stop (--duration or Ctrl-C), 2 on bad usage, 3 when no
endpoint could be opened.

Example (on the new site's server address, for the Exchange functions):
  winreach listen --addr 198.18.1.70 -g exchange --duration 30m
`

type listenFlags struct {
	functions, groups listFlag
	endpoints         portsFlag
	addrs             listFlag
	duration          time.Duration
	format            string
}

func parseListenFlags(args []string) (*listenFlags, []netip.Addr, error) {
	f := &listenFlags{}
	fs := newFlagSet("listen")
	defineFlags(fs, listenFlagSpecs, map[string]any{
		"addr": &f.addrs, "function": &f.functions, "group": &f.groups, "p": &f.endpoints,
		"duration": &f.duration, "format": &f.format,
	})
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, nil, err
		}
		return nil, nil, usagef("listen: %v", err)
	}
	if len(rest) > 0 {
		return nil, nil, usagef("listen: unexpected argument %s (addresses go in --addr)", catalog.Quote(rest[0]))
	}
	if len(f.addrs) == 0 {
		return nil, nil, usagef("listen: --addr is required: name the addresses the servers will have (listen never binds the wildcard)")
	}
	var addrs []netip.Addr
	for _, s := range f.addrs {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, nil, usagef("listen: --addr %s: not an IP address", catalog.Quote(s))
		}
		if a.IsUnspecified() {
			return nil, nil, usagef("listen: --addr %s: the wildcard address is refused; name the addresses the servers will have", s)
		}
		if a.IsMulticast() {
			return nil, nil, usagef("listen: --addr %s: a multicast address cannot be listened on", s)
		}
		addrs = append(addrs, a.Unmap())
	}
	if err := checkValue(listenFlagSpecs, "format", f.format); err != nil {
		return nil, nil, usagef("listen: %v", err)
	}
	return f, addrs, nil
}

func cmdListen(ctx context.Context, e env, args []string) error {
	f, addrs, err := parseListenFlags(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(e.stdout, listenUsage)
		return nil
	}
	if err != nil {
		return err
	}
	sel, err := selection(catalog.Default(), &scanFlags{functions: f.functions, groups: f.groups, endpoints: f.endpoints})
	if err != nil {
		return usageError{strings.Replace(err.Error(), "scan:", "listen:", 1)}
	}
	raw := false
	for _, ep := range sel.Endpoints {
		if ep.Transport == catalog.IP {
			raw = true
		}
	}
	if raw {
		if err := rawip.CheckPrivilege(ctx); err != nil {
			raw = false
			fmt.Fprintf(e.stderr, "winreach listen: IP protocols (GRE, ESP, AH, RSVP) are not served: %s\n", rawPrivilegeNote(err))
		}
	}
	if f.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, f.duration)
		defer cancel()
	}
	start := time.Now()
	l, err := responder.Listen(ctx, responder.Config{Addrs: addrs, Endpoints: sel.Endpoints, Raw: raw})
	if err != nil {
		return usagef("listen: %v", err)
	}
	listening := 0
	for _, b := range l.Bindings() {
		if b.Status == responder.StatusListening {
			listening++
			continue
		}
		if b.Endpoint.Transport == catalog.IP && !raw {
			continue // said once above
		}
		fmt.Fprintf(e.stderr, "winreach listen: %s on %s %s\n", b.Endpoint, b.Addr, b.Note)
	}
	if listening == 0 {
		l.Close()
		return errors.New("listen: no endpoint could be opened")
	}
	until := "Ctrl-C"
	if f.duration > 0 {
		until = "Ctrl-C or " + f.duration.String()
	}
	fmt.Fprintf(e.stderr, "winreach listen: ready: %d endpoint(s) on %s; stop with %s\n", listening, joinAddrs(addrs), until)
	<-ctx.Done()
	binds := l.Close()
	rep := listenReport{Addrs: addrs, StartTime: start.UTC(), EndTime: time.Now().UTC(), Bindings: binds}
	if f.format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return writeListenTable(e.stdout, rep)
}

func rawPrivilegeNote(err error) string {
	if errors.Is(err, errors.ErrUnsupported) {
		return err.Error()
	}
	return rawip.NeedsPrivilegeNote
}

// listenReport is what `winreach listen` prints when it stops.
type listenReport struct {
	Addrs     []netip.Addr        `json:"addrs"`
	StartTime time.Time           `json:"start_time"`
	EndTime   time.Time           `json:"end_time"`
	Bindings  []responder.Binding `json:"bindings"`
}

func joinAddrs(addrs []netip.Addr) string {
	s := make([]string, len(addrs))
	for i, a := range addrs {
		s[i] = a.String()
	}
	return strings.Join(s, ", ")
}

func writeListenTable(w io.Writer, r listenReport) error {
	fmt.Fprintf(w, "winreach listen on %s, %s to %s (%s)\n", joinAddrs(r.Addrs),
		r.StartTime.Format("15:04:05"), r.EndTime.Format("15:04:05"), r.EndTime.Sub(r.StartTime).Round(time.Second))
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "ENDPOINT\tADDRESS\tARRIVED\tANSWERED\tFROM")
	var endpoints, arrived, quiet int
	for _, b := range r.Bindings {
		if b.Status != responder.StatusListening {
			fmt.Fprintf(tw, "%s\t%s\t-\t-\t%s\n", b.Endpoint, b.Addr, b.Note)
			continue
		}
		endpoints++
		arrived += b.Arrived
		if b.Arrived == 0 {
			quiet++
		}
		answered := "-"
		if b.Endpoint.Transport != catalog.TCP {
			answered = strconv.Itoa(b.Answered)
		}
		var from []string
		for _, s := range b.Sources {
			from = append(from, fmt.Sprintf("%s (%d)", s.Addr, s.Count))
		}
		if b.OtherSources > 0 {
			from = append(from, fmt.Sprintf("%d more", b.OtherSources))
		}
		if b.Ignored > 0 {
			from = append(from, fmt.Sprintf("%d without a token, not answered", b.Ignored))
		}
		if b.Limited > 0 {
			from = append(from, fmt.Sprintf("%d over the rate limit, not answered", b.Limited))
		}
		if len(from) == 0 {
			from = []string{"nothing arrived"}
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", b.Endpoint, b.Addr, b.Arrived, answered, strings.Join(from, ", "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%d endpoint(s) listened, %d arrival(s), %d endpoint(s) got nothing\n", endpoints, arrived, quiet)
	return err
}

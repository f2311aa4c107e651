// Command bench runs winreach and nmap side by side on the same targets,
// in the same run, and prints a table of wall time, probes per second,
// peak RSS and the ratio to nmap, with each target of issue 7 met or not.
//
//	go run ./scanner/bench -winreach bin/winreach
//
// Cases: (1) a TCP sweep of 16,384 loopback addresses x the catalog's TCP
// ports; (2) a host that drops everything (the lab's 198.18.1.60), catalog
// TCP and UDP ports; (3) UDP under the targets' default ICMP rate limit:
// the lab's closed host with 20 UDP ports, then every lab host; (4) the
// full catalog on the lab; (5) peak RSS at 1,024 and 65,536 loopback hosts;
// (6) LAN hosts and the far sites behind the lab's WAN (150 ms and 600 ms
// round trips) in one scan, states equal to nmap's; (7) a /24 behind a
// router that forwards nothing, the catalog's TCP ports, against nmap -sS
// and -sT; (8) every output format on 4,096 and 16,384 loopback hosts x
// the catalog's TCP and UDP endpoints, with their functions judged: peak
// RSS and probes/s per format, beside nmap -sT -sU -oX and beside JSON
// Lines (of -baseline, an earlier winreach binary, when given). Cases 2
// to 4, 6 and 7 need the lab (scanner/lab/lab.sh up, as root); without it
// they are skipped with a loud line. Every run is bounded by a timeout and
// its process is killed by PID when it overruns.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

type config struct {
	winreach string
	nmap     string
	lab      string
	cases    map[int]bool
	runs     int
	tmp      string
	stderr   io.Writer
	client   string // the namespace lab scans run in
	baseline string // case 6's reference binary ("" for winreach itself)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := config{stderr: stderr}
	fs.StringVar(&c.winreach, "winreach", "bin/winreach", "the winreach binary")
	fs.StringVar(&c.nmap, "nmap", "nmap", "the nmap binary")
	fs.StringVar(&c.lab, "lab", "scanner/lab/lab.sh", "the lab script")
	caseList := fs.String("cases", "1,2,3,4,5,6,7,8,9", "cases to run")
	fs.StringVar(&c.baseline, "baseline", "", "an earlier winreach binary whose jsonl is case 8's throughput reference")
	fs.IntVar(&c.runs, "runs", 3, "runs per tool in the timed cases (the median is reported)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	c.cases = map[int]bool{}
	for _, s := range strings.Split(*caseList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > 9 {
			fmt.Fprintf(stderr, "bench: bad case %q\n", s)
			return 2
		}
		c.cases[n] = true
	}
	abs, err := filepath.Abs(c.winreach)
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 2
	}
	c.winreach = abs
	if _, err := os.Stat(c.winreach); err != nil {
		fmt.Fprintf(stderr, "bench: %v (build it first: make build)\n", err)
		return 2
	}
	if err := c.ensureNmap(ctx); err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 3
	}
	c.tmp, err = os.MkdirTemp("", "winreach-bench-")
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 3
	}
	defer os.RemoveAll(c.tmp)
	cat, err := c.catalog(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 3
	}

	var rows []row
	add := func(rs ...row) {
		for _, r := range rs {
			rows = append(rows, r)
			fmt.Fprintf(stderr, "bench: %s %s: %s\n", r.name, r.tool, r.brief())
		}
	}
	if c.cases[1] {
		add(c.case1(ctx, cat)...)
	}
	if c.cases[2] || c.cases[3] || c.cases[4] || c.cases[6] || c.cases[7] || c.cases[9] {
		if err := c.labUp(ctx); err != nil {
			msg := fmt.Sprintf("!!! LAB CASES 2-4, 6-8 SKIPPED: %v", err)
			fmt.Fprintln(stderr, msg)
			rows = append(rows, row{name: "2-4, 6-8 lab", tool: "-", note: msg})
		} else {
			c.client = "wr-client"
			if ns, cleanup, err := isolatedClient(ctx); err != nil {
				fmt.Fprintf(stderr, "bench: no client of our own (%v): scanning from wr-client, where other scans of the lab share the targets' ICMP budget\n", err)
			} else {
				defer cleanup()
				c.client = ns
			}
			if c.cases[2] {
				add(c.case2(ctx, cat)...)
			}
			if c.cases[3] {
				add(c.case3(ctx, cat)...)
			}
			if c.cases[4] {
				add(c.case4(ctx, cat)...)
			}
			if c.cases[6] {
				add(c.case6(ctx)...)
			}
			if c.cases[7] {
				add(c.case7(ctx, cat)...)
			}
			if c.cases[9] {
				add(c.case9(ctx)...)
			}
		}
	}
	if c.cases[5] {
		add(c.case5(ctx, cat)...)
	}
	if c.cases[8] {
		add(c.case8(ctx, cat)...)
	}
	printTable(stdout, rows)
	return 0
}

// row is one line of the table.
type row struct {
	name, tool string
	res        result
	probes     int    // (host, endpoint) pairs of the case
	ratio      string // winreach against nmap
	target     string // the target
	met        *bool  // nil: no target on this row
	note       string // states, correctness
}

func (r row) brief() string {
	if r.res.err != nil {
		return r.res.err.Error()
	}
	return fmt.Sprintf("%v, %s, %s %s", r.res.wall.Round(time.Millisecond), rate(r.probes, r.res.wall), rss(r.res.rssKB), r.note)
}

func rate(probes int, wall time.Duration) string {
	if probes == 0 || wall <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f/s", float64(probes)/wall.Seconds())
}

func rss(kb int64) string {
	if kb <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f MB", float64(kb)/1024)
}

func yes(b bool) *bool { return &b }

func printTable(w io.Writer, rows []row) {
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "CASE\tTOOL\tWALL\tPROBES/S\tPEAK RSS\tRATIO\tTARGET\tMET\tNOTE")
	for _, r := range rows {
		wall := "-"
		if r.res.wall > 0 {
			wall = r.res.wall.Round(time.Millisecond).String()
		}
		if r.res.err != nil {
			r.note = strings.TrimSpace(r.note + " ERROR: " + r.res.err.Error())
		}
		met := ""
		if r.met != nil {
			met = "no"
			if *r.met {
				met = "yes"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.name, r.tool, wall, rate(r.probes, r.res.wall), rss(r.res.rssKB), r.ratio, r.target, met, r.note)
	}
	tw.Flush()
}

// ---------------------------------------------------------------- running

// result is one run of a tool.
type result struct {
	wall   time.Duration
	rssKB  int64 // peak resident set of the process (getrusage ru_maxrss)
	out    []byte
	stderr []byte
	exit   int
	err    error
}

// spec is one command to time.
type spec struct {
	netns   string // run inside this namespace (ip netns exec)
	argv    []string
	timeout time.Duration
	keepOut bool // capture stdout (else it goes to /dev/null)
}

// timeRun runs one command and measures it. ip netns exec execs the tool
// in place (no fork), so the rusage of the child is the tool's own.
func timeRun(ctx context.Context, s spec) result {
	argv := s.argv
	if s.netns != "" {
		argv = append([]string{"ip", "netns", "exec", s.netns}, argv...)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Cancel = func() error { return cmd.Process.Kill() } // by PID
	cmd.WaitDelay = 5 * time.Second
	var out, errb bytes.Buffer
	if s.keepOut {
		cmd.Stdout = &out
	}
	cmd.Stderr = &errb
	start := time.Now()
	err := cmd.Run()
	r := result{wall: time.Since(start), out: out.Bytes(), stderr: errb.Bytes()}
	if cmd.ProcessState != nil {
		r.exit = cmd.ProcessState.ExitCode()
		r.rssKB = peakRSS(cmd.ProcessState)
	}
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		r.err = fmt.Errorf("timed out after %v (killed)", s.timeout)
	case err != nil && !errors.As(err, &ee):
		r.err = err
	}
	return r
}

// median runs the spec n times and keeps the run of median wall time; a
// failed run is returned as is.
func median(ctx context.Context, n int, s spec, between func()) result {
	var rs []result
	for i := range n {
		if i > 0 && between != nil {
			between()
		}
		r := timeRun(ctx, s)
		if r.err != nil {
			return r
		}
		rs = append(rs, r)
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].wall < rs[j].wall })
	return rs[len(rs)/2]
}

// interleaved runs a and b alternately n times each (so that load from
// elsewhere hits both alike) and keeps each one's median.
func interleaved(ctx context.Context, n int, a, b spec, between func()) (result, result) {
	var ra, rb []result
	for i := range n {
		for j, s := range []spec{a, b} {
			if (i > 0 || j > 0) && between != nil {
				between()
			}
			r := timeRun(ctx, s)
			if r.err != nil {
				if j == 0 {
					return r, r
				}
				return median(ctx, 1, a, nil), r
			}
			if j == 0 {
				ra = append(ra, r)
			} else {
				rb = append(rb, r)
			}
		}
	}
	pick := func(rs []result) result {
		sort.Slice(rs, func(i, j int) bool { return rs[i].wall < rs[j].wall })
		return rs[len(rs)/2]
	}
	return pick(ra), pick(rb)
}

// ---------------------------------------------------------------- setup

func (c *config) ensureNmap(ctx context.Context) error {
	if p, err := exec.LookPath(c.nmap); err == nil {
		c.nmap = p
		return nil
	}
	if os.Geteuid() != 0 {
		return fmt.Errorf("nmap not found; install it (apt-get install -y nmap) and run again")
	}
	fmt.Fprintln(c.stderr, "bench: nmap not found: apt-get install -y nmap")
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "apt-get", "install", "-y", "nmap")
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	cmd.Stdout, cmd.Stderr = c.stderr, c.stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("apt-get install nmap: %v", err)
	}
	p, err := exec.LookPath(c.nmap)
	c.nmap = p
	return err
}

// labUp makes sure the lab is up: as root it brings it up (idempotent,
// and left up for others); otherwise it only checks.
func (c *config) labUp(ctx context.Context) error {
	status := func() bool {
		return exec.CommandContext(ctx, "ip", "netns", "exec", "wr-client", "true").Run() == nil
	}
	if status() {
		return nil
	}
	if os.Geteuid() != 0 {
		return errors.New("the lab is down and bringing it up needs root (sudo scanner/lab/lab.sh up)")
	}
	fmt.Fprintln(c.stderr, "bench: bringing the lab up:", c.lab, "up")
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.lab, "up")
	cmd.Cancel = func() error { return cmd.Process.Kill() }
	cmd.Stdout, cmd.Stderr = io.Discard, c.stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s up: %v", c.lab, err)
	}
	if !status() {
		return errors.New("the lab is still down after lab.sh up")
	}
	return nil
}

// The bench's own client: a namespace on the lab's bridge with an address
// of its own, so the targets' per-destination ICMP budget toward it is
// not drained by other scans of the lab running at the same time (they
// come from wr-client, 198.18.1.2). Removed when the bench ends.
const (
	benchNS   = "wrdev-bench-client"
	benchPort = "p-wrdevbench"
	benchAddr = "198.18.1.250/24"
)

func isolatedClient(ctx context.Context) (string, func(), error) {
	if os.Geteuid() != 0 {
		return "", nil, errors.New("needs root")
	}
	ip := func(args ...string) error {
		out, err := exec.CommandContext(ctx, "ip", args...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, bytes.TrimSpace(out))
		}
		return nil
	}
	cleanup := func() {
		_ = exec.Command("ip", "-n", "wr-br", "link", "del", benchPort).Run()
		_ = exec.Command("ip", "netns", "del", benchNS).Run()
	}
	cleanup() // a leftover of an interrupted run
	for _, args := range [][]string{
		{"netns", "add", benchNS},
		{"link", "add", benchPort, "netns", "wr-br", "type", "veth", "peer", "name", "eth0", "netns", benchNS},
		{"-n", "wr-br", "link", "set", benchPort, "master", "br0", "up"},
		{"-n", benchNS, "link", "set", "lo", "up"},
		{"-n", benchNS, "link", "set", "eth0", "up"},
		{"-n", benchNS, "addr", "add", benchAddr, "dev", "eth0"},
	} {
		if err := ip(args...); err != nil {
			cleanup()
			return "", nil, err
		}
	}
	return benchNS, cleanup, nil
}

// catalogPorts are the catalog's endpoints by transport.
type catalogPorts struct {
	tcp, udp, ip []int
	// tcpUDPFunctions are the functions with no IP protocol endpoint,
	// uncovered the TCP and UDP endpoints none of them uses.
	tcpUDPFunctions []string
	uncovered       []string
}

func (c *config) catalog(ctx context.Context) (catalogPorts, error) {
	r := timeRun(ctx, spec{argv: []string{c.winreach, "catalog", "--format", "json"}, timeout: 30 * time.Second, keepOut: true})
	if r.err != nil || r.exit != 0 {
		return catalogPorts{}, fmt.Errorf("winreach catalog: %v %s", r.err, r.stderr)
	}
	var doc struct {
		Functions []struct {
			ID        string   `json:"id"`
			Endpoints []string `json:"endpoints"`
		} `json:"functions"`
	}
	if err := json.Unmarshal(r.out, &doc); err != nil {
		return catalogPorts{}, err
	}
	var p catalogPorts
	covered := map[string]bool{}
	for _, f := range doc.Functions {
		if !slices.ContainsFunc(f.Endpoints, func(e string) bool { return strings.HasPrefix(e, "ip/") }) {
			p.tcpUDPFunctions = append(p.tcpUDPFunctions, f.ID)
			for _, e := range f.Endpoints {
				covered[e] = true
			}
		}
	}
	for _, f := range doc.Functions {
		for _, e := range f.Endpoints {
			if !strings.HasPrefix(e, "ip/") && !covered[e] {
				covered[e] = true
				p.uncovered = append(p.uncovered, e)
			}
		}
	}
	for _, f := range doc.Functions {
		for _, e := range f.Endpoints {
			tr, port, _ := strings.Cut(e, "/")
			n, err := strconv.Atoi(port)
			if err != nil {
				return catalogPorts{}, fmt.Errorf("catalog endpoint %q", e)
			}
			switch tr {
			case "tcp":
				p.tcp = appendNew(p.tcp, n)
			case "udp":
				p.udp = appendNew(p.udp, n)
			case "ip":
				p.ip = appendNew(p.ip, n)
			}
		}
	}
	slices.Sort(p.tcp)
	slices.Sort(p.udp)
	slices.Sort(p.ip)
	return p, nil
}

func appendNew(s []int, n int) []int {
	if slices.Contains(s, n) {
		return s
	}
	return append(s, n)
}

// endpoints spells ports as winreach's -p list ("tcp/25,tcp/42").
func endpoints(transport string, ports []int) string {
	var b []string
	for _, p := range ports {
		b = append(b, transport+"/"+strconv.Itoa(p))
	}
	return strings.Join(b, ",")
}

// portList spells ports as nmap's -p list.
func portList(ports []int) string {
	var b []string
	for _, p := range ports {
		b = append(b, strconv.Itoa(p))
	}
	return strings.Join(b, ",")
}

// ---------------------------------------------------------------- states

// states maps "host proto/port" to a state, in nmap's words.
type states map[string]string

// winreachStates reads a winreach JSON Lines output.
func winreachStates(b []byte) states {
	st := states{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var rec struct {
			Type     string `json:"type"`
			Host     string `json:"host"`
			Endpoint string `json:"endpoint"`
			State    string `json:"state"`
		}
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Type == "endpoint" {
			s := rec.State
			if s == "confirmed" {
				s = "open"
			}
			st[rec.Host+" "+rec.Endpoint] = s
		}
	}
	return st
}

// nmapStates reads nmap's grepable output (-oG -): "Host: 198.18.1.70 ()
// Ports: 53/closed/udp//domain///, ...". Ports nmap folds into "Ignored
// State" are not listed, so the caller fills them from ignored.
func nmapStates(b []byte) (st states, ignored map[string]string) {
	st, ignored = states{}, map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "Host: ") {
			continue
		}
		host, _, _ := strings.Cut(strings.TrimPrefix(line, "Host: "), " ")
		for _, field := range strings.Split(line, "\t") {
			switch {
			case strings.HasPrefix(field, "Protocols: "): // -sO: 47/closed/gre/
				for _, p := range strings.Split(strings.TrimPrefix(field, "Protocols: "), ", ") {
					if parts := strings.Split(p, "/"); len(parts) >= 2 {
						st[host+" ip/"+parts[0]] = parts[1]
					}
				}
			case strings.HasPrefix(field, "Ports: "):
				for _, p := range strings.Split(strings.TrimPrefix(field, "Ports: "), ", ") {
					parts := strings.Split(p, "/")
					if len(parts) >= 3 {
						proto := parts[2]
						if proto != "tcp" && proto != "udp" {
							proto = "ip"
						}
						st[host+" "+proto+"/"+parts[0]] = parts[1]
					}
				}
			case strings.HasPrefix(field, "Ignored State: "):
				s, _, _ := strings.Cut(strings.TrimPrefix(field, "Ignored State: "), " ")
				ignored[host] = s
			}
		}
	}
	return st, ignored
}

// tally counts states ("12 closed, 8 open|filtered").
func tally(st states, keys []string) string {
	n := map[string]int{}
	for _, k := range keys {
		n[st[k]]++
	}
	var parts []string
	for _, s := range []string{"open", "closed", "filtered", "open|filtered", "not-tested", ""} {
		if n[s] > 0 {
			name := s
			if s == "" {
				name = "missing"
			}
			parts = append(parts, fmt.Sprintf("%d %s", n[s], name))
		}
	}
	return strings.Join(parts, ", ")
}

func keysFor(hosts []string, transport string, ports []int) []string {
	var ks []string
	for _, h := range hosts {
		for _, p := range ports {
			ks = append(ks, h+" "+transport+"/"+strconv.Itoa(p))
		}
	}
	return ks
}

func fill(st states, ignored map[string]string, keys []string) {
	for _, k := range keys {
		if _, ok := st[k]; !ok {
			host, _, _ := strings.Cut(k, " ")
			if s, ok := ignored[host]; ok {
				st[k] = s
			}
		}
	}
}

// ---------------------------------------------------------------- cases

func (c *config) wr(args ...string) []string {
	return append([]string{c.winreach, "scan", "--no-progress", "--format", "jsonl"}, args...)
}

func (c *config) nm(args ...string) []string {
	return append([]string{c.nmap, "-n", "-Pn", "-T4"}, args...)
}

// Case 1: TCP sweep on loopback, closed ports answer at once.
func (c *config) case1(ctx context.Context, cat catalogPorts) []row {
	const target, hosts = "127.1.0.0/18", 16384
	probes := hosts * len(cat.tcp)
	wr := spec{argv: c.wr("-p", endpoints("tcp", cat.tcp), target), timeout: 5 * time.Minute}
	nm := spec{argv: c.nm("-sT", "--max-retries", "1", "-p", portList(cat.tcp), target), timeout: 5 * time.Minute}
	rw, rn := interleaved(ctx, c.runs, wr, nm, nil)
	name := fmt.Sprintf("1 TCP sweep %s x %d ports", target, len(cat.tcp))
	out := []row{
		{name: name, tool: "nmap -sT -T4", res: rn, probes: probes},
		{name: name, tool: "winreach", res: rw, probes: probes, target: ">= 1.2x nmap probes/s"},
	}
	if rw.err == nil && rn.err == nil {
		ratio := rn.wall.Seconds() / rw.wall.Seconds()
		out[1].ratio = fmt.Sprintf("%.2fx nmap probes/s", ratio)
		out[1].met = yes(ratio >= 1.2)
	}
	return out
}

// Case 2: a host that drops everything; nmap's -sT and -sU in one run.
func (c *config) case2(ctx context.Context, cat catalogPorts) []row {
	const host = "198.18.1.60"
	probes := len(cat.tcp) + len(cat.udp)
	wr := spec{netns: c.client, keepOut: true, timeout: 2 * time.Minute,
		argv: c.wr("-p", endpoints("tcp", cat.tcp)+","+endpoints("udp", cat.udp), host)}
	nm := spec{netns: c.client, keepOut: true, timeout: 5 * time.Minute,
		argv: c.nm("-sT", "-sU", "-oG", "-", "-p", "T:"+portList(cat.tcp)+",U:"+portList(cat.udp), host)}
	rw, rn := interleaved(ctx, c.runs, wr, nm, nil)
	keys := append(keysFor([]string{host}, "tcp", cat.tcp), keysFor([]string{host}, "udp", cat.udp)...)
	ws := winreachStates(rw.out)
	ns, ign := nmapStates(rn.out)
	fill(ns, ign, keys)
	name := fmt.Sprintf("2 filtered %s, %d TCP + %d UDP", host, len(cat.tcp), len(cat.udp))
	out := []row{
		{name: name, tool: "nmap -sT -sU -T4", res: rn, probes: probes, note: tally(ns, keys)},
		{name: name, tool: "winreach", res: rw, probes: probes, note: tally(ws, keys), target: "<= 0.5x nmap wall, states no worse"},
	}
	if rw.err == nil && rn.err == nil {
		ratio := rw.wall.Seconds() / rn.wall.Seconds()
		worse := 0
		for _, k := range keys {
			if ws[k] == "open" || ws[k] == "open|filtered" && ns[k] != "open|filtered" {
				worse++
			}
		}
		out[1].ratio = fmt.Sprintf("%.2fx nmap wall", ratio)
		out[1].met = yes(ratio <= 0.5 && worse == 0)
		if worse > 0 {
			out[1].note += fmt.Sprintf("; %d states worse than nmap's", worse)
		}
	}
	return out
}

// labHosts are the lab's hosts (scanner/lab/README.md); .99 has nothing.
var labHosts = []string{"198.18.1.10", "198.18.1.20", "198.18.1.30", "198.18.1.40", "198.18.1.50", "198.18.1.55",
	"198.18.1.60", "198.18.1.61", "198.18.1.62", "198.18.1.70"}

// extraUDP are ten more ports, closed on the lab's closed host, for the
// issue's measurement of 20 closed UDP ports on one host.
var extraUDP = []int{7, 9, 19, 69, 111, 123, 161, 520, 1900, 5353}

// icmpRefill waits for the targets' ICMP budget toward the client (a burst
// of 6 at one per second) to refill, so no run inherits another's debt.
func icmpRefill() { time.Sleep(7 * time.Second) }

// Case 3: UDP under Linux's default ICMP rate limit.
func (c *config) case3(ctx context.Context, cat catalogPorts) []row {
	var out []row
	// 3a: one host, 20 closed UDP ports: right, within 1.1x the bound.
	const closed = "198.18.1.70"
	ports := append(slices.Clone(cat.udp), extraUDP...)
	slices.Sort(ports)
	bound := time.Duration(len(ports)-6) * time.Second // a burst of 6, then 1/s
	wr := spec{netns: c.client, keepOut: true, timeout: 2 * time.Minute, argv: c.wr("-p", endpoints("udp", ports), closed)}
	nm := spec{netns: c.client, keepOut: true, timeout: 5 * time.Minute, argv: c.nm("-sU", "-oG", "-", "-p", portList(ports), closed)}
	icmpRefill()
	rw, rn := interleaved(ctx, 1, wr, nm, icmpRefill)
	keys := keysFor([]string{closed}, "udp", ports)
	ws := winreachStates(rw.out)
	ns, ign := nmapStates(rn.out)
	fill(ns, ign, keys)
	name := fmt.Sprintf("3a UDP closed host %s, %d ports (bound %v)", closed, len(ports), bound)
	wrRight := count(ws, keys, "closed") == len(keys)
	out = append(out,
		row{name: name, tool: "nmap -sU -T4", res: rn, probes: len(keys), note: tally(ns, keys) + rightNote(count(ns, keys, "closed") == len(keys))},
		row{name: name, tool: "winreach", res: rw, probes: len(keys), note: tally(ws, keys) + rightNote(wrRight),
			target: "all closed, <= 1.1x bound", ratio: fmt.Sprintf("%.2fx bound", rw.wall.Seconds()/bound.Seconds()),
			met: yes(rw.err == nil && wrRight && rw.wall <= bound*11/10)})

	// 3b: every lab host at once, catalog UDP ports.
	wr = spec{netns: c.client, keepOut: true, timeout: 3 * time.Minute, argv: append(c.wr("-p", endpoints("udp", cat.udp)), labHosts...)}
	nm = spec{netns: c.client, keepOut: true, timeout: 10 * time.Minute, argv: append(c.nm("-sU", "-oG", "-", "-p", portList(cat.udp)), labHosts...)}
	icmpRefill()
	rw, rn = interleaved(ctx, 1, wr, nm, icmpRefill)
	keys = keysFor(labHosts, "udp", cat.udp)
	ws = winreachStates(rw.out)
	ns, ign = nmapStates(rn.out)
	fill(ns, ign, keys)
	closedKeys := keysFor([]string{closed}, "udp", cat.udp)
	var differ []string
	for _, k := range keys {
		if ws[k] != ns[k] {
			differ = append(differ, fmt.Sprintf("%s winreach %s nmap %s", k, ws[k], ns[k]))
		}
	}
	name = fmt.Sprintf("3b UDP %d lab hosts x %d ports", len(labHosts), len(cat.udp))
	note := tally(ws, keys) + fmt.Sprintf("; closed host %s", tally(ws, closedKeys))
	if len(differ) > 0 {
		note += fmt.Sprintf("; %d differ from nmap: %s", len(differ), strings.Join(differ[:min(4, len(differ))], "; "))
	}
	right := count(ws, closedKeys, "closed") == len(closedKeys)
	out = append(out,
		row{name: name, tool: "nmap -sU -T4", res: rn, probes: len(keys), note: tally(ns, keys) + fmt.Sprintf("; closed host %s", tally(ns, closedKeys))},
		row{name: name, tool: "winreach", res: rw, probes: len(keys), note: note, target: "closed host right, near one host's time",
			ratio: fmt.Sprintf("%.2fx nmap wall", rw.wall.Seconds()/rn.wall.Seconds()),
			met:   yes(rw.err == nil && right)})
	return out
}

// Case 9: the modern catalog against the Q150543 one, whole catalogs, on
// every lab host (issue 12: within 1.2x the wall time), then without the
// closed host.
//
// The closed host keeps Linux's default ICMP rate limit (a burst of 6,
// then 1 per second toward one peer) on purpose, and it bounds both scans
// of 9a: each of its UDP and IP endpoints is answered by an ICMP error,
// so a correct scan cannot end before (n-6) seconds, n being the number
// of such endpoints the scan probes there (14 Q150543; 15 modern, whose
// optional UDP transports of RDP and the RD Gateway are skipped where TCP
// 3389 and TCP 443 are closed, of 17). Where that
// bound is above 1.2x the Q150543 wall, no scanner can meet 1.2x without
// leaving closed ports unanswered, so the target there is the bound
// itself, as in case 3: within 1.1x of it, every such endpoint closed.
// The bound is counted from the scan's own output, not assumed.
func (c *config) case9(ctx context.Context) []row {
	const closed = "198.18.1.70"
	var out []row
	for _, v := range []struct {
		name  string
		hosts []string
	}{
		{fmt.Sprintf("9a catalogs, %d lab hosts", len(labHosts)), labHosts},
		{fmt.Sprintf("9b catalogs, %d lab hosts but the rate-limited closed one", len(labHosts)-1),
			slices.DeleteFunc(slices.Clone(labHosts), func(h string) bool { return h == closed })},
	} {
		q := spec{netns: c.client, keepOut: true, timeout: 5 * time.Minute, argv: append(c.wr(), v.hosts...)}
		m := spec{netns: c.client, keepOut: true, timeout: 5 * time.Minute, argv: append(c.wr("--catalog", "modern"), v.hosts...)}
		icmpRefill()
		rq, rm := interleaved(ctx, c.runs, q, m, icmpRefill)
		qs, ms := winreachStates(rq.out), winreachStates(rm.out)
		qb, qn, qok := icmpBound(qs, closed)
		mb, mn, mok := icmpBound(ms, closed)
		note := func(st states, b time.Duration, n int, ok bool) string {
			s := fmt.Sprintf("%d endpoint results", len(st))
			if n > 0 {
				s += fmt.Sprintf("; closed host: %d UDP/IP endpoints answered by ICMP, bound %v", n, b)
				if !ok {
					s += " (SOME NOT CLOSED)"
				}
			}
			return s
		}
		pair := []row{
			{name: v.name, tool: "winreach (q150543)", res: rq, probes: len(qs), note: note(qs, qb, qn, qok)},
			{name: v.name, tool: "winreach --catalog modern", res: rm, probes: len(ms), note: note(ms, mb, mn, mok),
				target: "<= 1.2x the q150543 wall (or <= 1.1x the ICMP bound, where it is higher)"},
		}
		if rq.err == nil && rm.err == nil {
			ratio := rm.wall.Seconds() / rq.wall.Seconds()
			pair[1].ratio = fmt.Sprintf("%.2fx q150543 wall", ratio)
			limit := 1.2 * rq.wall.Seconds()
			if b := 1.1 * mb.Seconds(); b > limit {
				pair[1].ratio += fmt.Sprintf(", %.2fx its ICMP bound", rm.wall.Seconds()/mb.Seconds())
				limit = b
			}
			pair[1].met = yes(mok && qok && rm.wall.Seconds() <= limit)
		}
		out = append(out, pair...)
	}
	return out
}

// icmpBound is the least time a correct scan of host takes under Linux's
// default ICMP rate limit (a burst of 6, then one a second): one second
// for every UDP or IP endpoint past the sixth, each of which the closed
// host answers with an ICMP error. ok is false when some UDP or IP
// endpoint of the host is not closed (an ICMP error the scan did not
// wait for), which a correct scan of the closed host never reports.
func icmpBound(st states, host string) (bound time.Duration, n int, ok bool) {
	ok = true
	for k, state := range st {
		h, ep, _ := strings.Cut(k, " ")
		if h != host || strings.HasPrefix(ep, "tcp/") || state == "not-tested" {
			continue // TCP resets are not rate-limited; skipped transports cost nothing
		}
		n++
		if state != "closed" {
			ok = false
		}
	}
	return time.Duration(max(0, n-6)) * time.Second, n, ok
}

func count(st states, keys []string, want string) int {
	n := 0
	for _, k := range keys {
		if st[k] == want {
			n++
		}
	}
	return n
}

func rightNote(right bool) string {
	if right {
		return " (right)"
	}
	return " (WRONG: the host has no open UDP port)"
}

// Case 4: the full catalog on the lab, as a user would run it, against
// nmap's three scans (TCP connect, UDP, IP protocol) of the same ports.
// The closed host bounds both: its UDP and IP endpoints need one ICMP
// error each, and it sends a burst of 6, then one a second.
func (c *config) case4(ctx context.Context, cat catalogPorts) []row {
	const closed = "198.18.1.70"
	probes := len(labHosts) * (len(cat.tcp) + len(cat.udp) + len(cat.ip))
	bound := time.Duration(len(cat.udp)+len(cat.ip)-6) * time.Second
	icmpRefill()
	rw := timeRun(ctx, spec{netns: c.client, timeout: 5 * time.Minute, keepOut: true,
		argv: append([]string{c.winreach, "scan", "--no-progress", "--format", "jsonl"}, labHosts...)})
	var total time.Duration
	var peak int64
	var nmapErr error
	ns := states{}
	var nmKeys []string
	for _, scan := range []struct {
		args      []string
		transport string
		ports     []int
	}{
		{[]string{"-sT", "-p", portList(cat.tcp)}, "tcp", cat.tcp},
		{[]string{"-sU", "-p", portList(cat.udp)}, "udp", cat.udp},
		{[]string{"-sO", "-p", portList(cat.ip)}, "ip", cat.ip},
	} {
		icmpRefill()
		r := timeRun(ctx, spec{netns: c.client, timeout: 10 * time.Minute, keepOut: true,
			argv: append(c.nm(append(scan.args, "-oG", "-")...), labHosts...)})
		if r.err != nil {
			nmapErr = r.err
			break
		}
		total += r.wall
		peak = max(peak, r.rssKB)
		st, ign := nmapStates(r.out)
		keys := keysFor([]string{closed}, scan.transport, scan.ports)
		fill(st, ign, keys)
		for _, k := range keys {
			ns[k] = st[k]
		}
		nmKeys = append(nmKeys, keys...)
	}
	ws := winreachStates(rw.out)
	name := fmt.Sprintf("4 full catalog, %d lab hosts (closed-host bound %v)", len(labHosts), bound)
	rn := result{wall: total, rssKB: peak, err: nmapErr}
	closedOK := func(st states) string {
		n := count(st, nmKeys, "closed")
		if n == len(nmKeys) {
			return fmt.Sprintf("closed host: %d/%d closed (right)", n, len(nmKeys))
		}
		return fmt.Sprintf("closed host: %d/%d closed (WRONG: %s)", n, len(nmKeys), tally(st, nmKeys))
	}
	out := []row{
		{name: name, tool: "nmap -sT + -sU + -sO", res: rn, probes: probes, note: "three scans, wall times summed; " + closedOK(ns)},
		{name: name, tool: "winreach", res: rw, probes: probes, target: "< nmap's three scans", note: closedOK(ws)},
	}
	if rw.err == nil && nmapErr == nil {
		ratio := rw.wall.Seconds() / total.Seconds()
		out[1].ratio = fmt.Sprintf("%.2fx nmap wall, %.2fx bound", ratio, rw.wall.Seconds()/bound.Seconds())
		out[1].met = yes(ratio < 1)
	}
	return out
}

// Case 5: peak RSS at 1,024 and 65,536 loopback hosts (case 1's shape),
// results streamed.
func (c *config) case5(ctx context.Context, cat catalogPorts) []row {
	var out []row
	var small, large int64
	for _, tc := range []struct {
		target string
		hosts  int
	}{{"127.2.0.0/22", 1024}, {"127.3.0.0/16", 65536}} {
		probes := tc.hosts * len(cat.tcp)
		name := fmt.Sprintf("5 memory %d hosts x %d ports", tc.hosts, len(cat.tcp))
		rw := timeRun(ctx, spec{timeout: 10 * time.Minute, argv: c.wr("-p", endpoints("tcp", cat.tcp), tc.target)})
		rn := timeRun(ctx, spec{timeout: 10 * time.Minute, argv: c.nm("-sT", "--max-retries", "1", "-p", portList(cat.tcp), tc.target)})
		r := row{name: name, tool: "winreach", res: rw, probes: probes}
		if rn.rssKB > 0 && rw.rssKB > 0 {
			r.ratio = fmt.Sprintf("%.2fx nmap RSS", float64(rw.rssKB)/float64(rn.rssKB))
		}
		if tc.hosts == 1024 {
			small = rw.rssKB
		} else {
			large = rw.rssKB
			r.target = "RSS growth < 20% from 1,024 hosts"
			if small > 0 && large > 0 && rw.err == nil {
				growth := float64(large)/float64(small) - 1
				r.note = fmt.Sprintf("growth %+.0f%%", 100*growth)
				r.met = yes(growth < 0.2)
			}
		}
		out = append(out, row{name: name, tool: "nmap -sT -T4", res: rn, probes: probes}, r)
	}
	return out
}

// Case 8: every output format streams. The catalog's TCP and UDP
// endpoints (the functions that use only those, plus -p for the rest) on
// 4,096 and 16,384 loopback hosts, each format written to /dev/null by
// the process measured: peak RSS at most 64 MB and at most 1.25x the
// 4,096-host figure, and probes/s at 16,384 hosts no lower than JSON
// Lines' (the reference: -baseline's jsonl, else this binary's; 5% for
// noise). nmap -sT -sU -oX of the same hosts and ports runs beside.
func (c *config) case8(ctx context.Context, cat catalogPorts) []row {
	formats := []string{"jsonl", "json", "table", "markdown", "csv", "xml"}
	sizes := []struct {
		target string
		hosts  int
	}{{"127.4.0.0/20", 4096}, {"127.5.0.0/18", 16384}}
	probes := func(hosts int) int { return hosts * (len(cat.tcp) + len(cat.udp)) }
	selection := []string{"-f", strings.Join(cat.tcpUDPFunctions, ",")}
	if len(cat.uncovered) > 0 {
		selection = append(selection, "-p", strings.Join(cat.uncovered, ","))
	}
	scan := func(bin, format, target string) spec {
		argv := append([]string{bin, "scan", "--no-progress", "--format", format}, selection...)
		return spec{argv: append(argv, target), timeout: 10 * time.Minute}
	}
	var out []row
	small := map[string]int64{}
	for _, sz := range sizes {
		n := 1 // memory is measured on one run; throughput on the median of c.runs
		if sz.hosts == 16384 {
			n = c.runs
		}
		specs := map[string]spec{}
		order := slices.Clone(formats)
		for _, f := range formats {
			specs[f] = scan(c.winreach, f, sz.target)
		}
		if c.baseline != "" {
			specs["baseline"] = scan(c.baseline, "jsonl", sz.target)
			order = append([]string{"baseline"}, order...)
		}
		// Interleaved: load from elsewhere hits every format alike.
		runs := map[string][]result{}
		for i := range n {
			for _, f := range order {
				r := timeRun(ctx, specs[f])
				if i == 0 || r.err == nil {
					runs[f] = append(runs[f], r)
				}
			}
		}
		pick := func(rs []result) result {
			sort.Slice(rs, func(i, j int) bool { return rs[i].wall < rs[j].wall })
			r := rs[len(rs)/2]
			for _, x := range rs {
				r.rssKB = max(r.rssKB, x.rssKB) // the worst peak of the runs
			}
			return r
		}
		nm := timeRun(ctx, spec{timeout: 15 * time.Minute, argv: c.nm("-sT", "-sU", "--max-retries", "1", "-oX", "-",
			"-p", "T:"+portList(cat.tcp)+",U:"+portList(cat.udp), sz.target)})
		name := func(what string) string {
			return fmt.Sprintf("8 %s %d hosts x %d TCP+UDP", what, sz.hosts, len(cat.tcp)+len(cat.udp))
		}
		out = append(out, row{name: name("xml"), tool: "nmap -sT -sU -oX", res: nm, probes: probes(sz.hosts)})
		ref := pick(runs["jsonl"])
		refName := "jsonl"
		if c.baseline != "" {
			ref, refName = pick(runs["baseline"]), "baseline jsonl"
			out = append(out, row{name: name("jsonl"), tool: "winreach (baseline)", res: ref, probes: probes(sz.hosts)})
		}
		for _, f := range formats {
			r := pick(runs[f])
			rw := row{name: name(f), tool: "winreach", res: r, probes: probes(sz.hosts)}
			if nm.rssKB > 0 && r.rssKB > 0 {
				rw.ratio = fmt.Sprintf("%.2fx nmap RSS", float64(r.rssKB)/float64(nm.rssKB))
			}
			if sz.hosts == 4096 {
				small[f] = r.rssKB
				out = append(out, rw)
				continue
			}
			rw.target = "<= 64 MB, <= 1.25x 4,096 hosts, probes/s >= " + refName
			if r.err == nil && ref.err == nil && small[f] > 0 {
				growth := float64(r.rssKB) / float64(small[f])
				speed := ref.wall.Seconds() / r.wall.Seconds()
				rw.note = fmt.Sprintf("%.2fx the 4,096-host RSS; %.2fx %s probes/s", growth, speed, refName)
				rw.met = yes(r.rssKB <= 64*1024 && growth <= 1.25 && speed >= 0.95)
			}
			out = append(out, rw)
		}
	}
	return out
}

// wanRoutes gives the bench's client the lab's routes to the far sites and
// the firewalled /24, via the lab's WAN router (lab.sh wan_up), inside the
// client's own namespace.
func (c *config) wanRoutes(ctx context.Context) error {
	for _, prefix := range []string{"198.18.2.0/24", "198.18.3.0/24", firewalled24} {
		out, err := exec.CommandContext(ctx, "ip", "-n", c.client, "route", "replace", prefix, "via", "198.18.1.1").CombinedOutput()
		if err != nil {
			return fmt.Errorf("ip route replace %s: %v: %s", prefix, err, bytes.TrimSpace(out))
		}
	}
	return nil
}

// firewalled24 sits behind the lab's WAN router, which drops everything
// sent to it (a blackhole route: no ICMP).
const firewalled24 = "198.18.4.0/24"

// Case 6: six LAN hosts and the far sites (150 ms and 600 ms round trip)
// in one scan with default settings; the states must equal nmap's.
func (c *config) case6(ctx context.Context) []row {
	name := "6 LAN + WAN (150 ms, 600 ms), 5 endpoints"
	if err := c.wanRoutes(ctx); err != nil {
		return []row{{name: name, tool: "-", res: result{err: err}}}
	}
	lan := []string{"198.18.1.10", "198.18.1.20", "198.18.1.30", "198.18.1.40", "198.18.1.62", "198.18.1.70"}
	far := []string{"198.18.2.10", "198.18.2.11", "198.18.3.10", "198.18.3.11"}
	hosts := append(slices.Clone(lan), far...)
	tcp, udp := []int{88, 139, 445, 3389}, []int{53}
	wr := spec{netns: c.client, keepOut: true, timeout: 2 * time.Minute,
		argv: append(c.wr("-p", endpoints("tcp", tcp)+","+endpoints("udp", udp)), hosts...)}
	// nmap's default timing: -T4's 1.25s RTT ceiling reads the 600 ms
	// site's ports as filtered.
	nm := spec{netns: c.client, keepOut: true, timeout: 5 * time.Minute,
		argv: append([]string{c.nmap, "-n", "-Pn", "-sT", "-sU", "-oG", "-", "-p", "T:" + portList(tcp) + ",U:" + portList(udp)}, hosts...)}
	rw, rn := interleaved(ctx, 1, wr, nm, nil)
	keys := append(keysFor(hosts, "tcp", tcp), keysFor(hosts, "udp", udp)...)
	farKeys := append(keysFor(far, "tcp", tcp), keysFor(far, "udp", udp)...)
	ws := winreachStates(rw.out)
	ns, ign := nmapStates(rn.out)
	fill(ns, ign, keys)
	var differ []string
	for _, k := range keys {
		if ws[k] != ns[k] {
			differ = append(differ, fmt.Sprintf("%s winreach %s nmap %s", k, ws[k], ns[k]))
		}
	}
	note := "far sites " + tally(ws, farKeys)
	if len(differ) > 0 {
		note += fmt.Sprintf("; %d differ from nmap: %s", len(differ), strings.Join(differ[:min(4, len(differ))], "; "))
	}
	out := []row{
		{name: name, tool: "nmap -sT -sU", res: rn, probes: len(keys), note: "far sites " + tally(ns, farKeys)},
		{name: name, tool: "winreach", res: rw, probes: len(keys), note: note, target: "states equal nmap's"},
	}
	if rw.err == nil && rn.err == nil {
		out[1].ratio = fmt.Sprintf("%.2fx nmap wall", rw.wall.Seconds()/rn.wall.Seconds())
		out[1].met = yes(len(differ) == 0)
	}
	return out
}

// Case 7: a /24 behind a router that forwards nothing, the catalog's TCP
// ports: all filtered, at most 0.25x nmap -sS -T4's wall time.
func (c *config) case7(ctx context.Context, cat catalogPorts) []row {
	name := fmt.Sprintf("7 firewalled %s x %d TCP ports", firewalled24, len(cat.tcp))
	if err := c.wanRoutes(ctx); err != nil {
		return []row{{name: name, tool: "-", res: result{err: err}}}
	}
	var hosts []string
	for i := range 256 {
		hosts = append(hosts, "198.18.4."+strconv.Itoa(i))
	}
	keys := keysFor(hosts, "tcp", cat.tcp)
	wr := spec{netns: c.client, keepOut: true, timeout: 2 * time.Minute, argv: c.wr("-p", endpoints("tcp", cat.tcp), firewalled24)}
	syn := spec{netns: c.client, keepOut: true, timeout: 10 * time.Minute, argv: c.nm("-sS", "-oG", "-", "-p", portList(cat.tcp), firewalled24)}
	con := spec{netns: c.client, keepOut: true, timeout: 10 * time.Minute, argv: c.nm("-sT", "-oG", "-", "-p", portList(cat.tcp), firewalled24)}
	rw, rs := interleaved(ctx, 1, wr, syn, nil)
	rt := timeRun(ctx, con)
	ws := winreachStates(rw.out)
	tallyNmap := func(r result) string {
		st, ign := nmapStates(r.out)
		fill(st, ign, keys)
		return tally(st, keys)
	}
	out := []row{
		{name: name, tool: "nmap -sS -T4", res: rs, probes: len(keys), note: tallyNmap(rs)},
		{name: name, tool: "nmap -sT -T4", res: rt, probes: len(keys), note: tallyNmap(rt)},
		{name: name, tool: "winreach", res: rw, probes: len(keys), note: tally(ws, keys), target: "all filtered, <= 0.25x nmap -sS wall"},
	}
	if rw.err == nil && rs.err == nil {
		ratio := rw.wall.Seconds() / rs.wall.Seconds()
		out[2].ratio = fmt.Sprintf("%.2fx nmap -sS wall", ratio)
		if rt.err == nil {
			out[2].ratio += fmt.Sprintf(", %.2fx -sT", rw.wall.Seconds()/rt.wall.Seconds())
		}
		out[2].met = yes(ratio <= 0.25 && count(ws, keys, "filtered") == len(keys))
	}
	return out
}

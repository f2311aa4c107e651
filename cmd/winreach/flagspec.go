package main

import (
	"flag"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/scanner/report"
)

// The flags of every command are defined once, in the tables below:
// parsing (defineFlags), shell completion (completion.go) and the man
// page (man.go) all read them, so none can drift from the others. A test
// checks the hand-written --help texts against them too.

// flagKind is the type of a flag's value.
type flagKind int

const (
	kindBool flagKind = iota
	kindString
	kindList // repeatable, comma-separated
	kindInt
	kindFloat
	kindDuration
)

// complete says what completes a flag's value.
type complete int

const (
	completeNone complete = iota
	completeFile
	completeFunction // function slugs and group ids, from the catalog
	completeGroup    // group ids
	completeEndpoint // tcp/, udp/, ip/, T:, U:
	completeValues   // the spec's values
)

// flagSpec is one flag of one command.
type flagSpec struct {
	names    []string // the first is the one shown; "f", "p", "iL", "o" are written with one dash
	kind     flagKind
	def      string // default as text; "" for the zero value
	defText  string // the default in words when it is not a constant
	arg      string // the value's name in usage: N, D, FILE, NAME[,NAME]
	usage    string
	complete complete
	values   []string // completeValues: the accepted values
	min, max float64  // numeric flags: the accepted range (both 0: unchecked)
	zeroOK   bool     // numeric flags: 0 is accepted besides [min, max] ("no limit")
}

// maxRetries caps --retries: nmap's --max-retries default. With each
// attempt's wait bounded by --timeout, one endpoint takes at most
// (retries+1) x timeout (plus the pacing of raw IP probes).
const maxRetries = probes.MaxRetries // the probes enforce it too

var (
	formatFlag = func(values ...string) flagSpec {
		return flagSpec{names: []string{"format"}, kind: kindString, def: values[0], arg: "F",
			usage: "output format: " + strings.Join(values, ", "), complete: completeValues, values: values}
	}
	outputFlag     = flagSpec{names: []string{"o"}, kind: kindString, arg: "FILE", usage: "write to FILE (atomically) instead of standard output", complete: completeFile}
	functionFlag   = flagSpec{names: []string{"function", "f"}, kind: kindList, arg: "NAME[,NAME]", usage: "functions by slug or KB name (repeatable; see winreach catalog)", complete: completeFunction}
	groupFlag      = flagSpec{names: []string{"group", "g"}, kind: kindList, arg: "NAME[,NAME]", usage: "groups of functions: nt4, wlbs, exchange, terminal-server, win2000", complete: completeGroup}
	endpointFlag   = flagSpec{names: []string{"p"}, kind: kindList, arg: "PORTS", usage: "raw endpoints, nmap style: 80, 1-1024, tcp/3268, udp/53,137-139, T:80,U:53, ip/47", complete: completeEndpoint}
	timeoutFlag    = flagSpec{names: []string{"timeout"}, kind: kindDuration, def: "2s", arg: "D", usage: "longest wait per attempt (1ms to 10m)", min: float64(time.Millisecond), max: float64(10 * time.Minute)}
	retriesFlag    = flagSpec{names: []string{"retries"}, kind: kindInt, def: "1", arg: "N", usage: fmt.Sprintf("extra attempts after silence, 0 to %d (UDP at least 2, raw IP 3)", maxRetries), min: 0, max: maxRetries}
	concurrencyFlg = flagSpec{names: []string{"concurrency"}, kind: kindInt, defText: "from the open-file limit", arg: "N", usage: "probes in flight, 1 to 100000", min: 1, max: 100000}
	rpcFollowFlag  = flagSpec{names: []string{"rpc-follow"}, kind: kindBool, def: "true", usage: "probe the dynamic RPC ports the endpoint mapper lists (--rpc-follow=false: do not)"}
	catalogFlag    = flagSpec{names: []string{"catalog"}, kind: kindString, arg: "NAME[,NAME]", usage: "catalogs: q150543 (the default, KB Q150543), modern (Windows Server 2016-2025) or a catalog FILE", complete: completeFile}
	noProgressFlag = flagSpec{names: []string{"no-progress"}, kind: kindBool, usage: "no progress bar (it shows only when stderr is a terminal)"}
)

// scanFlagSpecs are the flags of winreach scan.
var scanFlagSpecs = []flagSpec{
	catalogFlag, functionFlag, groupFlag, endpointFlag,
	{names: []string{"iL"}, kind: kindString, arg: "FILE", usage: "read targets from FILE (one or more per line, # comments, - for stdin)", complete: completeFile},
	{names: []string{"exclude"}, kind: kindList, arg: "SPEC[,SPEC]", usage: "leave these addresses, networks or ranges out"},
	{names: []string{"allow-large"}, kind: kindBool, usage: "accept a target of more than 2^24 addresses"},
	concurrencyFlg, timeoutFlag, retriesFlag, rpcFollowFlag,
	{names: []string{"responder"}, kind: kindBool, usage: "the targets run winreach listen: token-bearing UDP and raw IP probes"},
	{names: []string{"rate"}, kind: kindFloat, arg: "N", usage: "start at most N probes per second (0.1 to 10000000; 0: no limit)", min: 0.1, max: 1e7, zeroOK: true},
	{names: []string{"max-per-host"}, kind: kindInt, arg: "N", usage: "at most N probes in flight to one host (1 to 100000; 0: no limit)", min: 1, max: 100000, zeroOK: true},
	{names: []string{"fixed-timeouts"}, kind: kindBool, usage: "wait the full --timeout on every attempt"},
	{names: []string{"shard"}, kind: kindString, arg: "K/N", usage: "probe only shard K (0 to N-1) of the (host, endpoint) pairs"},
	{names: []string{"resume"}, kind: kindString, arg: "FILE", usage: "continue an interrupted scan from its jsonl or json output", complete: completeFile},
	{names: []string{"expect"}, kind: kindString, arg: "FILE", usage: "check a policy of reachable and blocked functions", complete: completeFile},
	formatFlag(report.Formats...),
	outputFlag, noProgressFlag,
}

// logonFlagSpecs are the flags of winreach logon (parsed in logon.go).
var logonFlagSpecs = []flagSpec{
	{names: []string{"dns"}, kind: kindString, arg: "SERVER[:PORT]", usage: "ask this DNS server for the DC locator's records"},
	{names: []string{"wins"}, kind: kindString, arg: "SERVER", usage: "locate a NetBIOS domain by a directed query for DOMAIN<1C> to this WINS server"},
	timeoutFlag, retriesFlag, concurrencyFlg, rpcFollowFlag,
	formatFlag("text", "json", "html"), outputFlag, noProgressFlag,
}

var listenFlagSpecs = []flagSpec{
	{names: []string{"addr"}, kind: kindList, arg: "ADDR[,ADDR]", usage: "local addresses to bind (required; never the wildcard)"},
	catalogFlag, functionFlag, groupFlag, endpointFlag,
	{names: []string{"duration"}, kind: kindDuration, arg: "D", usage: "stop after D (default: until Ctrl-C)", min: float64(time.Second), max: math.MaxInt64, zeroOK: true},
	formatFlag("table", "json"),
}

var catalogFlagSpecs = []flagSpec{catalogFlag, formatFlag("table", "json")}

// diffFlagSpecs and mergeFlagSpecs describe the flags diff.go and
// merge.go parse; a test runs both commands with each.
var diffFlagSpecs = []flagSpec{
	{names: []string{"all"}, kind: kindBool, usage: "also list the changes diff ignores (open|filtered <-> filtered)"},
	formatFlag("table", "json"),
}

var mergeFlagSpecs = []flagSpec{formatFlag(report.Formats...), outputFlag}

// reportFlagSpecs are the flags of winreach report (report.go).
var reportFlagSpecs = []flagSpec{formatFlag(report.Formats...), outputFlag}

var versionFlags = []flagSpec{formatFlag("text", "json")}

// command is one subcommand, for completion, the man page and help.
type command struct {
	name, args, summary string
	flags               []flagSpec
}

// commands lists the subcommands in the order help shows them.
var commands = []command{
	{"scan", "[flags] TARGET...", "probe targets for the functions of KB Q150543", scanFlagSpecs},
	{"logon", "[flags] DOMAIN|DC...", "locate the DC as Windows does, explain whether a client can log on", logonFlagSpecs},
	{"catalog", "[--catalog NAME[,NAME]] [--format F]", "list the functions and the endpoints each needs", catalogFlagSpecs},
	{"listen", "--addr ADDR [flags]", "stand in for servers that do not exist yet (see scan --responder)", listenFlagSpecs},
	{"diff", "[flags] OLD.json NEW.json", "function-level changes between two scans; exit 1 on a regression", diffFlagSpecs},
	{"merge", "[flags] OUTPUT...", "combine the shards of a scan (scan --shard K/N) into one result", mergeFlagSpecs},
	{"report", "[flags] SCAN...", "render saved scans (json or jsonl) in any output format", reportFlagSpecs},
	{"version", "[--format F]", "the version, commit and platform of this build", versionFlags},
	{"completion", "bash|zsh|fish|powershell", "print a shell completion script", nil},
	{"man", "", "print the manual page (roff)", nil},
	{"help", "", "print the overview", nil},
}

// flagName is how a flag is written: --long, or -x for one letter and
// nmap's -iL.
func flagName(n string) string {
	if len(n) == 1 || n == "iL" {
		return "-" + n
	}
	return "--" + n
}

// defineFlags defines specs on fs, each bound to its pointer in bind
// (keyed by the flag's first name): *bool, *string, *listFlag, *int,
// *float64 or *time.Duration. A spec without a binding, or a binding
// without a spec, is a programming error.
func defineFlags(fs *flag.FlagSet, specs []flagSpec, bind map[string]any) {
	for _, s := range specs {
		p, ok := bind[s.names[0]]
		if !ok {
			panic("flag " + s.names[0] + " of " + fs.Name() + " has no binding")
		}
		delete(bind, s.names[0])
		v := s.value(p)
		for _, n := range s.names {
			fs.Var(v, n, s.usage)
		}
	}
	for n := range bind {
		panic("binding " + n + " of " + fs.Name() + " has no flag spec")
	}
}

// value makes the flag.Value of s over p, set to the default.
func (s flagSpec) value(p any) flag.Value {
	var v flag.Value
	switch p := p.(type) {
	case *bool:
		v = (*boolValue)(p)
	case *string:
		v = (*stringValue)(p)
	case flag.Value: // *listFlag, *portsFlag
		v = p
	case *int:
		v = &intValue{p, s}
	case *float64:
		v = &floatValue{p, s}
	case *time.Duration:
		v = &durationValue{p, s}
	default:
		panic(fmt.Sprintf("flag %s: cannot bind %T", s.names[0], p))
	}
	if s.def != "" {
		if err := v.Set(s.def); err != nil {
			panic("flag " + s.names[0] + " default: " + err.Error())
		}
	}
	return v
}

// inRange checks a numeric value against the spec's range. NaN and the
// infinities are never in range.
func (s flagSpec) inRange(x float64, show func(float64) string) error {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return fmt.Errorf("not a finite number")
	}
	if s.min == 0 && s.max == 0 || s.zeroOK && x == 0 || x >= s.min && x <= s.max {
		return nil
	}
	msg := fmt.Sprintf("out of range: want %s to %s", show(s.min), show(s.max))
	if s.max == math.MaxInt64 {
		msg = fmt.Sprintf("out of range: want at least %s", show(s.min))
	}
	if s.zeroOK {
		msg += ", or 0"
	}
	return fmt.Errorf("%s", msg)
}

type boolValue bool

func (b *boolValue) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return fmt.Errorf("want true or false")
	}
	*b = boolValue(v)
	return nil
}
func (b *boolValue) String() string   { return strconv.FormatBool(bool(*b)) }
func (b *boolValue) IsBoolFlag() bool { return true }

type stringValue string

func (v *stringValue) Set(s string) error { *v = stringValue(s); return nil }
func (v *stringValue) String() string     { return string(*v) }

type intValue struct {
	p    *int
	spec flagSpec
}

func (v *intValue) Set(s string) error {
	n, err := strconv.ParseInt(s, 0, 64)
	if err != nil {
		return fmt.Errorf("not an integer")
	}
	if err := v.spec.inRange(float64(n), func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }); err != nil {
		return err
	}
	*v.p = int(n)
	return nil
}
func (v *intValue) String() string {
	if v.p == nil {
		return ""
	}
	return strconv.Itoa(*v.p)
}

type floatValue struct {
	p    *float64
	spec flagSpec
}

func (v *floatValue) Set(s string) error {
	x, err := strconv.ParseFloat(s, 64)
	if err != nil && !math.IsInf(x, 0) {
		return fmt.Errorf("not a number")
	}
	if err := v.spec.inRange(x, func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }); err != nil {
		return err
	}
	*v.p = x
	return nil
}
func (v *floatValue) String() string {
	if v.p == nil {
		return ""
	}
	return strconv.FormatFloat(*v.p, 'g', -1, 64)
}

type durationValue struct {
	p    *time.Duration
	spec flagSpec
}

func (v *durationValue) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("not a duration (write e.g. 500ms, 2s, 1m)")
	}
	if err := v.spec.inRange(float64(d), func(x float64) string { return time.Duration(x).String() }); err != nil {
		return err
	}
	*v.p = d
	return nil
}
func (v *durationValue) String() string {
	if v.p == nil {
		return ""
	}
	return v.p.String()
}

package main

import (
	"flag"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/winreach/winreach/catalog"
)

// listFlag collects a repeatable, comma-separated flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// portsFlag collects -p values whole: "udp/53,137-139" is one list whose
// transport carries over its commas (catalog.ParsePorts).
type portsFlag []string

func (p *portsFlag) String() string { return strings.Join(*p, " ") }

func (p *portsFlag) Set(v string) error {
	*p = append(*p, v)
	return nil
}

// checkValue checks a flag with fixed values (--format) against its spec.
func checkValue(specs []flagSpec, name, v string) error {
	for _, s := range specs {
		if s.names[0] == name && !slices.Contains(s.values, v) {
			return fmt.Errorf("unknown %s %s (want %s)", flagName(name), catalog.Quote(v), strings.Join(s.values, ", "))
		}
	}
	return nil
}

// parseInterspersed parses flags that may come before, between or after
// the positional arguments ("winreach scan HOST --timeout 1s"), which the
// flag package alone stops at. "--" ends flag parsing.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, flagError(fs, err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if len(args) > 0 && len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

var (
	invalidValue = regexp.MustCompile(`(?s)^invalid (?:boolean )?value "(.*)" for (?:flag )?-(\S+): (.*)$`)
	needsValue   = regexp.MustCompile(`^flag needs an argument: -(\S+)$`)
	notDefined   = regexp.MustCompile(`(?s)^flag provided but not defined: -(.*)$`)
)

// flagError rewrites the flag package's messages the way the help writes
// flags (--timeout, not -timeout), quoting a bad value through
// catalog.Quote so a long one stays readable.
func flagError(fs *flag.FlagSet, err error) error {
	msg := err.Error()
	if m := invalidValue.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("%s %s: %s", flagName(m[2]), catalog.Quote(m[1]), m[3])
	}
	if m := needsValue.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("%s needs a value", flagName(m[1]))
	}
	if m := notDefined.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("unknown flag %s (see winreach %s --help)", catalog.Quote(flagName(m[1])), fs.Name())
	}
	return err
}

// newFlagSet makes a flag set whose errors the command reports itself, in
// one line, with exit code 2.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

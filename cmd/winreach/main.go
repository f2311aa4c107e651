// Command winreach tells which Windows network functions (Microsoft KB
// Q150543: logon, file sharing, Exchange, Terminal Server, IPSec, ...) the
// network path to a host lets through, and when not, which port or
// protocol is blocked and how.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"unicode/utf8"

	"github.com/winreach/winreach/catalog"
)

// Exit codes, documented in --help and the README.
const (
	exitOK          = 0   // every selected function reachable on every host
	exitNotAll      = 1   // the scan completed and some function is not reachable
	exitUsage       = 2   // bad usage or input
	exitRuntime     = 3   // the scan could not run
	exitInterrupted = 130 // SIGINT or SIGTERM: partial results were written
)

// usageError is bad input: exit 2 with one line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

// exitError carries a decided exit code out of a command.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C kills at once
	}()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// env is what a command reads and writes besides its arguments.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := env{stdin, stdout, stderr}
	if len(args) == 0 {
		fmt.Fprint(stderr, mainUsage)
		return exitUsage
	}
	var err error
	switch args[0] {
	case "scan":
		err = cmdScan(ctx, e, args[1:])
	case "listen":
		err = cmdListen(ctx, e, args[1:])
	case "diff":
		err = cmdDiff(e, args[1:])
	case "logon":
		err = cmdLogon(ctx, e, args[1:])
	case "catalog":
		err = cmdCatalog(e, args[1:])
	case "report":
		err = cmdReport(e, args[1:])
	case "merge":
		err = cmdMerge(e, args[1:])
	case "version", "--version", "-version":
		err = cmdVersion(e, args[1:])
	case "completion":
		err = cmdCompletion(e, args[1:])
	case "man":
		err = cmdMan(e, args[1:])
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, mainUsage)
	default:
		err = usagef("unknown command %s (want scan, logon, catalog, listen, diff, merge, report, version, completion or man; see winreach --help)", catalog.Quote(args[0]))
	}
	return exitCode(err, stderr)
}

func exitCode(err error, stderr io.Writer) int {
	var ue usageError
	var ee exitError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "winreach:", oneLine(ue.msg))
		return exitUsage
	default:
		fmt.Fprintln(stderr, "winreach:", oneLine(err.Error()))
		return exitRuntime
	}
}

// maxErrorLine bounds an error line. Messages quote user input through
// catalog.Quote; this is the net under the ones that do not (the flag
// package quotes a bad value whole): a long message keeps its start and
// says how long it was.
const maxErrorLine = 300

func oneLine(msg string) string {
	msg = strings.ReplaceAll(msg, "\n", " ")
	if len(msg) <= maxErrorLine {
		return msg
	}
	cut := maxErrorLine - 40
	for cut > 0 && !utf8.RuneStart(msg[cut]) {
		cut--
	}
	return fmt.Sprintf("%s... (message of %d bytes cut)", msg[:cut], len(msg))
}

const mainUsage = `winreach: which Windows network functions can reach a host, and what blocks them.

Usage:
  winreach scan [flags] TARGET...   probe targets for the functions of KB Q150543
  winreach logon [flags] DOMAIN     locate the DC as Windows does; explain whether a client can log on (or: DC...)
  winreach catalog [--format json]  list the functions and the endpoints each needs
  winreach listen --addr ADDR       stand in for servers that do not exist yet (see scan --responder)
  winreach diff OLD.json NEW.json   function-level changes between two scans; exit 1 on a regression
  winreach merge SHARD.jsonl...     combine the shards of a scan (scan --shard K/N) into one result
  winreach report SCAN...           render saved scans (json or jsonl) in any output format
  winreach version [--format json]   version, commit, Go version and platform of this build
  winreach completion SHELL         shell completion for bash, zsh, fish or powershell
  winreach man                      the manual page (roff): winreach man | man -l -

Examples:
  # Why can't this workstation log on? Every step of a logon to the DC, in words:
  winreach logon dc1.example.test
  # What does this server expose? Audit a subnet against a policy, keep a report:
  winreach scan --expect exposure-policy.txt --format markdown -o audit.md 198.18.1.0/24
  # Pre-migration: will the new site reach the old servers? On the far side first:
  winreach listen --addr 198.18.2.10 --group nt4,win2000 --duration 30m
  #   ... and from the new site, with definitive UDP and IP-protocol answers:
  winreach scan --responder --group nt4,win2000 --format json -o before.json 198.18.2.10
  winreach diff before.json after.json

Exit codes:
  0    every selected function is reachable on every host
  1    the scan completed and some function is not reachable
  2    bad usage or input
  3    the scan could not run
  130  interrupted (partial results were written)

Run 'winreach scan --help' for the scan flags.
`

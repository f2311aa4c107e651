package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

const manUsage = `Usage: winreach man

Prints the manual page in roff, generated from the flag definitions the
commands parse. Read it with: winreach man | man -l -
Install it with: winreach man > /usr/local/share/man/man1/winreach.1
`

func cmdMan(e env, args []string) error {
	fs := newFlagSet("man")
	rest, err := parseInterspersed(fs, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(e.stdout, manUsage)
		return nil
	case err != nil:
		return usagef("man: %v", err)
	case len(rest) > 0:
		return usagef("man: takes no arguments")
	}
	return writeMan(e.stdout)
}

// roff escapes text for a roff line: backslashes, hyphens (so that
// flags copy as ASCII hyphen-minus), and a leading dot or quote.
func roff(s string) string {
	s = strings.NewReplacer(`\`, `\e`, "-", `\-`).Replace(s)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

// manFlag is a flag's tag line: \fB\-f\fR, \fB\-\-function\fR \fINAME[,NAME]\fR.
func manFlag(s flagSpec) string {
	names := make([]string, len(s.names))
	for i, n := range s.names {
		names[i] = `\fB` + roff(flagName(n)) + `\fR`
	}
	tag := strings.Join(names, ", ")
	if s.kind != kindBool && s.arg != "" {
		tag += ` \fI` + roff(s.arg) + `\fR`
	}
	return tag
}

func manDefault(s flagSpec) string {
	switch {
	case s.defText != "":
		return s.defText
	case s.def != "":
		return s.def
	case s.kind == kindBool:
		return "false"
	}
	return ""
}

func writeMan(w io.Writer) error {
	var b strings.Builder
	b.WriteString(`.TH WINREACH 1 "" "winreach ` + roff(version) + `" "User Commands"
.SH NAME
winreach \- which Windows network functions can reach a host, and what blocks them
.SH SYNOPSIS
`)
	for _, c := range commands {
		fmt.Fprintf(&b, ".B winreach %s\n", c.name)
		if c.args != "" {
			fmt.Fprintf(&b, ".I %s\n", roff(c.args))
		}
		b.WriteString(".br\n")
	}
	b.WriteString(`.SH DESCRIPTION
winreach probes hosts for the network functions of Microsoft KB Q150543
(logon, file sharing, Exchange, Terminal Server, IPSec, ...) and reports,
per function, whether the network path lets it through and, when not,
which port or protocol is blocked and how, with per\-port evidence.
.SH COMMANDS
`)
	for _, c := range commands {
		fmt.Fprintf(&b, ".SS %s\n%s.\n", roff("winreach "+c.name+" "+c.args), roff(c.summary))
		if c.name == "scan" || c.name == "logon" {
			fmt.Fprintf(&b, "See \\fBwinreach %s \\-\\-help\\fR for examples.\n", c.name)
		}
		for _, s := range c.flags {
			fmt.Fprintf(&b, ".TP\n%s\n%s.", manFlag(s), roff(s.usage))
			if d := manDefault(s); d != "" {
				fmt.Fprintf(&b, " Default: %s.", roff(d))
			}
			b.WriteString("\n")
		}
	}
	b.WriteString(`.SH EXIT STATUS
.TP
.B 0
every selected function is reachable on every host (with \fB\-p\fR alone:
every selected endpoint is open; with \fB\-\-expect\fR: the policy holds)
.TP
.B 1
the scan completed and some function is not reachable (or the policy is violated)
.TP
.B 2
bad usage or input
.TP
.B 3
the scan could not run
.TP
.B 130
interrupted; partial results were written
.SH PRIVILEGES
Raw IP probes (GRE, ESP, AH, RSVP) need CAP_NET_RAW; the DHCPINFORM probe
binds UDP port 68 and needs CAP_NET_BIND_SERVICE. On Linux:
.B setcap cap_net_raw,cap_net_bind_service+ep $(command \-v winreach)
.SH SEE ALSO
.BR nmap (1)
`)
	_, err := io.WriteString(w, b.String())
	return err
}

package main

import (
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/winreach/winreach/scanner/report"
)

var reportUsage = `Usage: winreach report [--format F] [-o FILE] SCAN...

Renders saved scans ('winreach scan --format json' or jsonl, or the output
of merge) in any output format, through the writers a scan uses. One input
is rendered as saved, one host at a time, in bounded memory; several inputs
are parts of one scan (shards, an interrupted scan and its --resume run)
and are merged first, as 'winreach merge' does.

  --format F   ` + formatList + ` (default table)
  -o FILE      write to FILE (atomically) instead of standard output

Examples:
  winreach report --format markdown -o audit.md scan.json
  winreach report --format xml -o scan.xml s0.jsonl s1.jsonl s2.jsonl

Exit codes: 0 rendered, 2 bad usage or unreadable input, 3 runtime failure.
`

func cmdReport(e env, args []string) error {
	fs := newFlagSet("report")
	format := fs.String("format", "table", "")
	output := fs.String("o", "", "")
	files, err := parseInterspersed(fs, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(e.stdout, reportUsage)
		return nil
	case err != nil:
		return usagef("report: %v", err)
	case len(files) == 0:
		return usagef("report: no input given (name saved scans: json or jsonl)")
	}
	if err := checkFormat("report", *format); err != nil {
		return err
	}
	if len(files) > 1 {
		doc, err := mergeFiles(e, "report", files)
		if err != nil {
			return err
		}
		return writeReport(e, *format, *output, doc)
	}
	return renderSaved(e, *format, *output, files[0])
}

// renderSaved renders one saved scan, streamed (report.Render).
func renderSaved(e env, format, path, name string) error {
	f, err := os.Open(name)
	if err != nil {
		return usagef("report: %v", err)
	}
	defer f.Close()
	out, err := createOutput(e.stdout, path)
	if err != nil {
		return err
	}
	defer out.Abort()
	wr, err := newWriter(format, out)
	if err != nil {
		return err
	}
	saved, err := report.Render(f, wr)
	if err != nil {
		return usagef("report: %s: %v", name, err)
	}
	if saved.Truncated || !saved.Ended {
		fmt.Fprintf(e.stderr, "winreach: report: %s: the scan did not finish; rendered what it holds\n", name)
	}
	return out.Commit()
}

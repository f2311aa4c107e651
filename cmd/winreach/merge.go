package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/scanner/report"
)

var mergeUsage = `Usage: winreach merge [--format F] [-o FILE] OUTPUT...

Combines the outputs of the shards of one scan ('winreach scan --shard K/N
--format jsonl', or --format json), or of an interrupted scan and its
resumption, into one result: every host's endpoint results together, its
functions judged again on all of them, exactly as one machine's scan would.
The shards must have scanned the same selection; a missing shard is named,
and the hosts it would have completed are marked partial. The result is
interrupted only if some host is still partial or some shard never finished.

  --format F   ` + formatList + ` (default table)
  -o FILE      write to FILE (atomically) instead of standard output

Example (three shards, then the merge):
  winreach scan --shard 0/3 --format jsonl -o s0.jsonl 198.18.0.0/16
  winreach scan --shard 1/3 --format jsonl -o s1.jsonl 198.18.0.0/16
  winreach scan --shard 2/3 --format jsonl -o s2.jsonl 198.18.0.0/16
  winreach merge --format json -o scan.json s0.jsonl s1.jsonl s2.jsonl

Exit codes: 0 every function reachable on every host, 1 some not (or a host
is partial), 2 bad usage or unreadable input, 3 runtime failure.
`

// formatList names the report formats for usage texts.
var formatList = strings.Join(report.Formats, ", ")

// checkFormat refuses an unknown --format.
func checkFormat(cmd, format string) error {
	if _, err := report.New(format, io.Discard); err != nil {
		return usagef("%s: unknown --format %q (want %s)", cmd, format, formatList)
	}
	return nil
}

func cmdMerge(e env, args []string) error {
	fs := newFlagSet("merge")
	format := fs.String("format", "table", "")
	output := fs.String("o", "", "")
	files, err := parseInterspersed(fs, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(e.stdout, mergeUsage)
		return nil
	case err != nil:
		return usagef("merge: %v", err)
	case len(files) == 0:
		return usagef("merge: no input given (name the jsonl or json outputs of the shards)")
	}
	if err := checkFormat("merge", *format); err != nil {
		return err
	}
	doc, err := mergeFiles(e, "merge", files)
	if err != nil {
		return err
	}
	if err := writeReport(e, *format, *output, doc); err != nil {
		return err
	}
	if !doc.Summary.AllReachable {
		return exitError{exitNotAll}
	}
	return nil
}

// mergeFiles reads saved scans into one document (report.Merger), saying
// on stderr what it could not make whole.
func mergeFiles(e env, cmd string, files []string) (*report.Document, error) {
	m := report.NewMerger()
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return nil, usagef("%s: %v", cmd, err)
		}
		err = m.Add(name, f)
		f.Close()
		if err != nil {
			return nil, usagef("%s: %v", cmd, err)
		}
	}
	doc, err := m.Document(catalog.Default())
	if err != nil {
		return nil, usagef("%s: %v", cmd, err)
	}
	for _, w := range m.Warnings {
		fmt.Fprintf(e.stderr, "winreach: %s: %s\n", cmd, w)
	}
	return doc, nil
}

// writeReport writes a whole document in a format to -o or stdout.
func writeReport(e env, format, path string, doc *report.Document) error {
	out, err := createOutput(e.stdout, path)
	if err != nil {
		return err
	}
	defer out.Abort()
	wr, err := newWriter(format, out)
	if err != nil {
		return err
	}
	if err := report.WriteDocument(wr, doc); err != nil {
		return err
	}
	return out.Commit()
}

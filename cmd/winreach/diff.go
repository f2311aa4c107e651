package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/scanner"
	"github.com/winreach/winreach/scanner/diff"
	"github.com/winreach/winreach/scanner/report"
)

const diffUsage = `Usage: winreach diff [flags] OLD.json NEW.json

Compares two saved scans ('winreach scan --format json' or jsonl, or merge
outputs) function by function
and prints, per host, what changed:

  REGRESSION  reachable in OLD, not in NEW (blocked, not listening,
              uncertain, not tested, or not scanned at all)
  EXPOSURE    reachable in NEW and not in OLD: new exposure
  CHANGED     any other verdict change (blocked -> not-listening, ...)

Hosts that appear or disappear are named. Only the functions both scans
asked for are compared: scans of different catalogs (--catalog) or of
different -f/-g selections say how many functions only one of them has,
and name the catalogs. A function whose verdict moved
between uncertain and blocked only because endpoints moved between
open|filtered and filtered (silence read two ways, not a change of the
path) is ignored unless --all.

Flags:
  --all        also list the ignored changes
  --format F   table (default) or json

Exit codes: 0 no regression, 1 some function regressed, 2 bad usage or
input (a file that is not a winreach JSON scan).

Example (before and after a firewall change):
  winreach scan --format json -o before.json -g nt4 198.18.1.70
  # ... change the firewall ...
  winreach scan --format json -o after.json -g nt4 198.18.1.70
  winreach diff before.json after.json
`

func cmdDiff(e env, args []string) error {
	fs := newFlagSet("diff")
	all := fs.Bool("all", false, "")
	format := fs.String("format", "table", "")
	files, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(e.stdout, diffUsage)
		return nil
	}
	if err != nil {
		return usagef("diff: %v", err)
	}
	if len(files) != 2 {
		return usagef("diff: want two files, OLD.json NEW.json (got %d)", len(files))
	}
	if *format != "table" && *format != "json" {
		return usagef("diff: unknown --format %q (want table or json)", *format)
	}
	old, err := readScanDocument(files[0])
	if err != nil {
		return err
	}
	new, err := readScanDocument(files[1])
	if err != nil {
		return err
	}
	res := diff.Compare(old.Hosts, new.Hosts, diff.Options{
		All:          *all,
		OldFunctions: old.Options.Functions,
		NewFunctions: new.Options.Functions,
	})
	out := diffOutput{
		Old:    diffSide{File: files[0], StartTime: old.StartTime, Catalog: catalogName(old.Options.Catalog)},
		New:    diffSide{File: files[1], StartTime: new.StartTime, Catalog: catalogName(new.Options.Catalog)},
		Result: res,
	}
	if *format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(out)
	} else {
		err = writeDiffTable(e.stdout, out, *all)
	}
	if err != nil {
		return err
	}
	if res.Regressions > 0 {
		return exitError{exitNotAll}
	}
	return nil
}

// diffOutput is the JSON document of `winreach diff --format json`.
type diffOutput struct {
	Old diffSide `json:"old"`
	New diffSide `json:"new"`
	diff.Result
}

type diffSide struct {
	File      string    `json:"file"`
	StartTime time.Time `json:"start_time"`
	Catalog   string    `json:"catalog"` // the --catalog the scan recorded
}

// catalogName names the catalog a scan recorded ("" is the default).
func catalogName(recorded string) string {
	if recorded == "" {
		return catalog.Q150543
	}
	return recorded
}

// maxScanDocument bounds what diff reads from one file.
const maxScanDocument = 1 << 30

// readScanDocument reads one saved scan (json or jsonl, report.ReadScan)
// whole, with a usage error for anything else.
func readScanDocument(path string) (*report.Document, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usagef("diff: %v", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxScanDocument))
	if err != nil {
		return nil, usagef("diff: %s: %v", path, err)
	}
	var hosts []scanner.HostResult
	saved, err := report.ReadScan(bytes.NewReader(b), func(_ *report.Saved, h scanner.HostResult) error {
		hosts = append(hosts, h)
		return nil
	})
	switch {
	case errors.Is(err, report.ErrNotScan):
		return nil, usagef("diff: %s: not a winreach JSON scan (want the output of scan --format json or jsonl)", path)
	case err != nil:
		return nil, usagef("diff: %s: not a winreach JSON scan: %v", path, jsonErrorLine(b, err))
	}
	d := saved.Document
	d.Hosts = hosts
	return &d, nil
}

// jsonErrorLine adds the line number to a syntax error.
func jsonErrorLine(b []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) && se.Offset <= int64(len(b)) {
		return fmt.Errorf("line %d: %v", bytes.Count(b[:se.Offset], []byte("\n"))+1, err)
	}
	return err
}

func writeDiffTable(w io.Writer, d diffOutput, all bool) error {
	fmt.Fprintf(w, "winreach diff: %s (%s) -> %s (%s)\n", d.Old.File, d.Old.StartTime.Format("2006-01-02 15:04"),
		d.New.File, d.New.StartTime.Format("2006-01-02 15:04"))
	if d.Old.Catalog != d.New.Catalog {
		fmt.Fprintf(w, "The scans used different catalogs: OLD %s, NEW %s.\n", d.Old.Catalog, d.New.Catalog)
	}
	if n, m := len(d.OnlyOld), len(d.OnlyNew); n+m > 0 {
		fmt.Fprintf(w, "Not compared: %s only OLD asked for, %s only NEW asked for", functionCount(n), functionCount(m))
		if n+m <= 12 {
			fmt.Fprintf(w, " (%s)", strings.Join(append(append([]string{}, d.OnlyOld...), d.OnlyNew...), ", "))
		}
		fmt.Fprintln(w, "; the JSON output lists them.")
	}
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	for _, h := range d.Hosts {
		heading := "Host " + h.Address.String()
		if !h.Address.IsValid() {
			heading = "Host " + h.Name
		} else if h.Name != "" {
			heading += " (" + h.Name + ")"
		}
		switch h.Presence {
		case diff.Gone:
			heading += ": not in NEW"
		case diff.Appeared:
			heading += ": new in NEW"
		}
		fmt.Fprintln(tw, heading)
		for _, c := range h.Changes {
			kind := strings.ToUpper(string(c.Kind))
			if c.Ignored {
				kind = "(ignored)"
			}
			evidence := c.NewEvidence
			if evidence == "" {
				evidence = c.OldEvidence
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s -> %s\t%s\n", kind, c.Name, c.Old, c.New, evidence)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	line := fmt.Sprintf("%d regression(s), %d new exposure(s), %d other change(s)", d.Regressions, d.Exposures, d.Changed)
	if d.Ignored > 0 {
		line += fmt.Sprintf("; %d ignored (moved only between open|filtered and filtered", d.Ignored)
		if !all {
			line += "; --all lists them"
		}
		line += ")"
	}
	if len(d.Hosts) == 0 {
		line = "no function changed; " + line
	}
	_, err := fmt.Fprintln(w, line)
	return err
}

func functionCount(n int) string {
	if n == 1 {
		return "1 function"
	}
	return fmt.Sprintf("%d functions", n)
}

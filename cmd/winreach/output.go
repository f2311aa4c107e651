package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/term"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/scanner/report"
)

// output is where a report goes: standard output, or a file written
// atomically (a temporary file in the same directory, renamed on Commit),
// so a reader never sees half a report and an interrupted run leaves the
// previous file in place until the partial one is complete.
type output struct {
	w    io.Writer
	tmp  *os.File
	path string
	done bool
	// direct is a non-regular file written in place.
	direct *os.File
}

func createOutput(stdout io.Writer, path string) (*output, error) {
	if path == "" || path == "-" {
		return &output{w: stdout}, nil
	}
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		// A device, pipe or socket (-o /dev/null, a FIFO): there is no
		// file to replace, so write to it directly; renaming over it would
		// replace /dev/null itself.
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return nil, usagef("-o %s: %v", path, err)
		}
		return &output{w: f, direct: f}, nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, usagef("-o %s: %v", path, err)
	}
	return &output{w: tmp, tmp: tmp, path: path}, nil
}

func (o *output) Write(p []byte) (int, error) { return o.w.Write(p) }

// Commit makes the written report visible under its name.
func (o *output) Commit() error {
	if o.direct != nil && !o.done {
		o.done = true
		return o.direct.Close()
	}
	if o.tmp == nil || o.done {
		return nil
	}
	o.done = true
	if err := o.tmp.Sync(); err != nil {
		o.tmp.Close()
		os.Remove(o.tmp.Name())
		return err
	}
	if err := o.tmp.Close(); err != nil {
		os.Remove(o.tmp.Name())
		return err
	}
	if err := os.Chmod(o.tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(o.tmp.Name(), o.path)
}

// Abort removes an uncommitted temporary file.
func (o *output) Abort() {
	if o.direct != nil && !o.done {
		o.done = true
		o.direct.Close()
		return
	}
	if o.tmp != nil && !o.done {
		o.done = true
		o.tmp.Close()
		os.Remove(o.tmp.Name())
	}
}

// finishOutput makes the written report visible and, after an interrupt,
// says so on stderr and returns the exit code 130: what was known is
// written either way.
func finishOutput(e env, o *output, interrupted bool) error {
	if err := o.Commit(); err != nil {
		return err
	}
	if interrupted {
		fmt.Fprintln(e.stderr, "winreach: interrupted; partial results written")
		return exitError{exitInterrupted}
	}
	return nil
}

// newWriter is the report writer of a format on o; a table written to a
// terminal fits its width.
func newWriter(format string, o *output) (report.Writer, error) {
	if format == "table" {
		return report.NewTable(o, terminalWidth(o.w)), nil
	}
	wr, err := report.New(format, o)
	if h, ok := wr.(*report.HTML); ok {
		// The matrix groups functions as the scan's own catalog does,
		// a user's catalog file included.
		h.LoadCatalog = func(name string) (*catalog.Catalog, error) { return catalog.Load(name, os.ReadFile) }
	}
	return wr, err
}

// terminalWidth is the width of the terminal w writes to, 0 when w is
// not a terminal.
func terminalWidth(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0
	}
	return width
}

package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/winreach/winreach/catalog"
)

// releaseVersion is set by release builds:
//
//	go build -ldflags "-X main.releaseVersion=v1.2.3" ./cmd/winreach
//
// (make release takes it from git describe). Other builds take the
// version from the build info: the module version for `go install
// ...@v1.2.3`, "devel" for a build from a checkout.
var releaseVersion string

// releaseCommit is the commit, set the same way (-X main.releaseCommit=...)
// by builds whose checkout Go cannot stamp itself: Go stamps vcs.revision
// only where .git is a directory, not in a git worktree.
var releaseCommit string

// releaseCommitTime (RFC 3339) and releaseModified ("true" or "false")
// complete releaseCommit the same way.
var releaseCommitTime, releaseModified string

// version is what reports and `winreach version` name.
var version = readBuildInfo(releaseVersion, releaseCommit, debug.ReadBuildInfo).Version

// buildInfo is what `winreach version` prints.
type buildInfo struct {
	Version    string     `json:"version"`
	Commit     string     `json:"commit,omitempty"`      // vcs.revision
	CommitTime *time.Time `json:"commit_time,omitempty"` // vcs.time
	Modified   *bool      `json:"modified,omitempty"`    // vcs.modified: the work tree had changes
	GoVersion  string     `json:"go_version"`
	Platform   string     `json:"platform"` // GOOS/GOARCH
}

// readBuildInfo assembles the build's identity from the linker-set
// version and the build info the go command embeds (the VCS stamp is
// present when the binary was built in a checkout with -buildvcs on).
func readBuildInfo(release, commit string, read func() (*debug.BuildInfo, bool)) buildInfo {
	b := buildInfo{Version: release, Commit: commit, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if t, err := time.Parse(time.RFC3339, releaseCommitTime); err == nil && commit != "" {
		b.CommitTime = &t
	}
	if m, err := strconv.ParseBool(releaseModified); err == nil && commit != "" {
		b.Modified = &m
	}
	bi, ok := read()
	if !ok {
		if b.Version == "" {
			b.Version = "devel"
		}
		return b
	}
	if bi.GoVersion != "" {
		b.GoVersion = bi.GoVersion
	}
	if b.Version == "" {
		b.Version = bi.Main.Version
		if b.Version == "" || b.Version == "(devel)" {
			b.Version = "devel"
		}
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Commit = s.Value
		case "vcs.time":
			if t, err := time.Parse(time.RFC3339, s.Value); err == nil {
				b.CommitTime = &t
			}
		case "vcs.modified":
			if m, err := strconv.ParseBool(s.Value); err == nil {
				b.Modified = &m
			}
		}
	}
	return b
}

const versionUsage = `Usage: winreach version [--format text|json]

Prints the version (set by release builds, else the module version of
'go install', else "devel"), the commit the binary was built from, its
time and whether the work tree had changes (when the build carried its
VCS stamp), the Go version and the platform.
`

func cmdVersion(e env, args []string) error {
	fs := newFlagSet("version")
	format := new(string)
	defineFlags(fs, versionFlags, map[string]any{"format": format})
	if rest, err := parseInterspersed(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(e.stdout, versionUsage)
			return nil
		}
		return usagef("version: %v", err)
	} else if len(rest) > 0 {
		return usagef("version: unexpected argument %s", catalog.Quote(rest[0]))
	}
	b := readBuildInfo(releaseVersion, releaseCommit, debug.ReadBuildInfo)
	switch *format {
	case "json":
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(b)
	case "text":
		return writeVersion(e.stdout, b)
	}
	return usagef("version: unknown --format %s (want text or json)", catalog.Quote(*format))
}

func writeVersion(w io.Writer, b buildInfo) error {
	fmt.Fprintf(w, "winreach %s\n", b.Version)
	commit, when, modified := "unknown (built without VCS information)", "unknown", "unknown"
	if b.Commit != "" {
		commit = b.Commit
	}
	if b.CommitTime != nil {
		when = b.CommitTime.UTC().Format(time.RFC3339)
	}
	if b.Modified != nil {
		modified = strconv.FormatBool(*b.Modified)
	}
	_, err := fmt.Fprintf(w, "  commit:      %s\n  commit time: %s\n  modified:    %s\n  go:          %s\n  platform:    %s\n",
		commit, when, modified, b.GoVersion, b.Platform)
	return err
}

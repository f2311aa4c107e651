package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// modulePath is what the README's install line names.
const modulePath = "github.com/winreach/winreach"

// TestGoInstallFromModuleProxy serves this checkout as a module version
// through a file-based module proxy and runs the README's install
// command against it: `go install github.com/winreach/winreach/cmd/winreach@VERSION`.
// The fake proxy serves only winreach; its dependencies come from the
// proxy `go env GOPROXY` names, into an empty module cache, as they would
// for a user, and are checked against the module's go.sum.
func TestGoInstallFromModuleProxy(t *testing.T) {
	if testing.Short() {
		t.Skip("!!! SKIPPED in -short mode: go install from a module proxy compiles the whole module")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("!!! SKIPPED: `go` is not on PATH, so `go install` from the module path cannot be tested")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(gomod), "module "+modulePath+"\n") {
		t.Fatalf("go.mod does not declare module %s", modulePath)
	}

	const version = "v0.99.0-proxytest"
	proxy := t.TempDir()
	at := filepath.Join(proxy, filepath.FromSlash(modulePath), "@v")
	if err := os.MkdirAll(at, 0o755); err != nil {
		t.Fatal(err)
	}
	info, _ := json.Marshal(struct {
		Version string
		Time    time.Time
	}{version, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)})
	zipData := moduleZip(t, root, modulePath+"@"+version)
	for name, data := range map[string][]byte{
		"list":            []byte(version + "\n"),
		version + ".info": info,
		version + ".mod":  gomod,
		version + ".zip":  zipData,
	} {
		if err := os.WriteFile(filepath.Join(at, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// The environment of a user: a fresh module cache, GOBIN, no
	// GOFLAGS from this machine's go env (it sets -buildvcs=false).
	goenv := func(name string) string {
		out, err := exec.Command(goBin, "env", name).Output()
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(out))
	}
	upstream := goenv("GOPROXY")
	if upstream == "off" {
		t.Skip("!!! SKIPPED: GOPROXY=off, so the module's dependencies cannot be fetched as a user's go install would")
	}
	gobin := t.TempDir()
	cmd := exec.CommandContext(t.Context(), goBin, "install", modulePath+"/cmd/winreach@"+version)
	cmd.Env = append(os.Environ(),
		"GOPROXY=file://"+filepath.ToSlash(proxy)+","+upstream,
		"GONOSUMDB="+modulePath, // the fake version is in no checksum database; the dependencies are checked
		"GOPRIVATE=", "GONOPROXY=",
		"GOMODCACHE="+t.TempDir(),
		"GOBIN="+gobin,
		"GOFLAGS=-modcacherw", // so t.TempDir can remove the module cache
		"GOTOOLCHAIN=local",
	)
	cmd.Dir = t.TempDir() // outside this module
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go install %s/cmd/winreach@%s: %v\n%s", modulePath, version, err, out)
	}
	out, err := exec.Command(filepath.Join(gobin, "winreach"), "version").CombinedOutput()
	if err != nil {
		t.Fatalf("installed winreach version: %v\n%s", err, out)
	}
	if !strings.HasPrefix(string(out), "winreach "+version+"\n") {
		t.Errorf("installed binary says %q, want the module version %s first", out, version)
	}
}

// moduleZip builds the zip of the module rooted at dir following the
// module zip rules (golang.org/ref/mod#zip-files): every file under the
// prefix module@version/, paths in slash form.
func moduleZip(t *testing.T, dir, prefix string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	files := 0
	for rel, data := range checkoutFiles(t, dir) {
		w, err := zw.Create(prefix + "/" + rel)
		if err == nil {
			_, err = w.Write(data)
		}
		if err != nil {
			t.Fatal(err)
		}
		files++
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if files < 10 {
		t.Fatalf("module zip has %d files: not a checkout", files)
	}
	return buf.Bytes()
}

// checkoutFiles are the files of the checkout at dir as a clean clone has
// them, by slash path: no version-control directories, no nested modules
// or vendor directories, no symbolic links, no build output (bin/, dist/).
func checkoutFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == "." {
				return nil
			}
			switch name := path.Base(rel); {
			case name == ".git", name == ".hg", name == ".svn", name == ".bzr", name == "vendor", rel == "bin", rel == "dist":
				return fs.SkipDir
			}
			if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
				return fs.SkipDir // a nested module is not part of this one
			}
			return nil
		}
		if !d.Type().IsRegular() || path.Base(rel) == ".git" { // a worktree's .git is a file
			return nil
		}
		data, err := os.ReadFile(p)
		files[rel] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

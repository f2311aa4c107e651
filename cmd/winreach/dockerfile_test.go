package main

import (
	"debug/elf"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// dockerStage is one FROM ... AS stage of a Dockerfile.
type dockerStage struct {
	name, workdir string
	env           []string // KEY=value, from ARG defaults and ENV
	run           []string
	copyFrom      [][3]string // stage, source, destination of COPY --from
	user          string
	entrypoint    string
}

// parseDockerfile reads the instructions this Dockerfile uses (FROM,
// WORKDIR, ARG, ENV, RUN, COPY, USER, ENTRYPOINT, CMD), joining
// continuation lines.
func parseDockerfile(t *testing.T, text string) []*dockerStage {
	t.Helper()
	text = strings.ReplaceAll(text, "\\\n", " ")
	var stages []*dockerStage
	var cur *dockerStage
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		op, rest, _ := strings.Cut(line, " ")
		rest = strings.TrimSpace(rest)
		if strings.ToUpper(op) == "FROM" {
			f := strings.Fields(rest)
			cur = &dockerStage{name: f[len(f)-1]}
			stages = append(stages, cur)
			continue
		}
		if cur == nil {
			t.Fatalf("Dockerfile: %s before FROM", op)
		}
		switch strings.ToUpper(op) {
		case "WORKDIR":
			cur.workdir = rest
		case "ARG":
			if strings.Contains(rest, "=") {
				cur.env = append(cur.env, rest)
			}
		case "ENV":
			cur.env = append(cur.env, strings.Fields(rest)...)
		case "RUN":
			cur.run = append(cur.run, rest)
		case "COPY":
			f := strings.Fields(rest)
			if from, ok := strings.CutPrefix(f[0], "--from="); ok {
				cur.copyFrom = append(cur.copyFrom, [3]string{from, f[1], f[2]})
			}
		case "USER":
			cur.user = rest
		case "ENTRYPOINT":
			m := regexp.MustCompile(`^\["([^"]+)"`).FindStringSubmatch(rest)
			if m == nil {
				t.Fatalf("ENTRYPOINT %s: want the exec form", rest)
			}
			cur.entrypoint = m[1]
		case "CMD":
		default:
			t.Fatalf("Dockerfile: instruction %s is not checked by this test", op)
		}
	}
	return stages
}

// No container engine runs here, so the Dockerfile is checked another
// way: its build stage's RUN steps run on a copy of the checkout with the
// stage's ENV and ARG defaults, and must give a static binary; its final
// stage must copy that binary, run it as a non-root user, and give it the
// two capabilities the README explains.
func TestDockerfileBuildsAStaticBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("!!! SKIPPED in -short mode: runs the Dockerfile's build steps")
	}
	data, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	stages := parseDockerfile(t, string(data))
	if len(stages) != 2 || stages[0].name != "build" {
		t.Fatalf("want two stages, build then the image; got %d", len(stages))
	}
	build, final := stages[0], stages[1]

	src := t.TempDir()
	for rel, b := range checkoutFiles(t, "../..") {
		p := filepath.Join(src, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, run := range build.run {
		cmd := exec.CommandContext(t.Context(), "sh", "-c", run)
		cmd.Dir = src
		cmd.Env = append(os.Environ(), build.env...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("RUN %s: %v\n%s", run, err, out)
		}
	}

	if len(final.copyFrom) != 1 || final.copyFrom[0][0] != "build" {
		t.Fatalf("final stage copies %v, want one file from the build stage", final.copyFrom)
	}
	from, to := final.copyFrom[0][1], final.copyFrom[0][2]
	rel, ok := strings.CutPrefix(from, build.workdir+"/")
	if !ok {
		t.Fatalf("COPY --from=build %s is outside the build stage's WORKDIR %s", from, build.workdir)
	}
	bin := filepath.Join(src, filepath.FromSlash(rel))
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatalf("the build stage made no binary at %s: %v", from, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("%s has a program interpreter: not static", from)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("%s needs shared libraries %v", from, libs)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil || !strings.HasPrefix(string(out), "winreach devel\n") {
		t.Errorf("%s version: %v %q (want the ARG default, devel)", from, err, out)
	}

	if final.entrypoint != to {
		t.Errorf("ENTRYPOINT %s, want the copied binary %s", final.entrypoint, to)
	}
	if u, _, _ := strings.Cut(final.user, ":"); u == "" || u == "0" || u == "root" {
		t.Errorf("USER %q: want a non-root user", final.user)
	}
	setcap := false
	for _, run := range final.run {
		setcap = setcap || regexp.MustCompile(`setcap cap_net_raw,cap_net_bind_service\+ep `+regexp.QuoteMeta(to)).MatchString(run)
	}
	if !setcap || path.Dir(to) == "" {
		t.Errorf("the final stage does not give %s cap_net_raw and cap_net_bind_service", to)
	}
}

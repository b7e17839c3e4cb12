package k8s

import (
	"bufio"
	"debug/elf"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// There is no container engine on the development machines: these tests
// prove what can be proven without one — the build command of the Dockerfile
// makes a static binary that runs, the build context keeps every file that
// binary is made of, and the image runs as a non-root user.

// dockerfile is the parsed Dockerfile: its instructions with continuation
// lines joined, and the stage each belongs to.
type dockerfile struct {
	args   map[string]string // ARG defaults before the first FROM
	stages []stage
}

type stage struct {
	from, name string
	lines      []string // instructions after FROM, e.g. "COPY . ."
}

func parseDockerfile(t *testing.T) dockerfile {
	t.Helper()
	f, err := os.Open("../Dockerfile")
	require.NoError(t, err)
	defer f.Close()
	df := dockerfile{args: map[string]string{}}
	var logical strings.Builder
	sc := bufio.NewScanner(f)
	flush := func() {
		line := strings.TrimSpace(logical.String())
		logical.Reset()
		if line == "" {
			return
		}
		word, rest, _ := strings.Cut(line, " ")
		switch strings.ToUpper(word) {
		case "FROM":
			fields := strings.Fields(rest)
			s := stage{from: fields[0]}
			if len(fields) == 3 && strings.EqualFold(fields[1], "AS") {
				s.name = fields[2]
			}
			df.stages = append(df.stages, s)
		case "ARG":
			if len(df.stages) == 0 {
				k, v, _ := strings.Cut(rest, "=")
				df.args[k] = v
				return
			}
			fallthrough
		default:
			require.NotEmpty(t, df.stages, "instruction before FROM: %s", line)
			s := &df.stages[len(df.stages)-1]
			s.lines = append(s.lines, strings.ToUpper(word)+" "+rest)
		}
	}
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		if strings.HasSuffix(line, `\`) {
			logical.WriteString(strings.TrimSuffix(line, `\`) + " ")
			continue
		}
		logical.WriteString(line)
		flush()
	}
	require.NoError(t, sc.Err())
	flush()
	return df
}

// goBuild finds the `go build` of the build stage and returns the
// environment assignments before it and its arguments.
func (df dockerfile) goBuild(t *testing.T) (env, args []string) {
	t.Helper()
	re := regexp.MustCompile(`((?:[A-Z_]+=\S+\s+)*)go build (.*)$`)
	for _, s := range df.stages {
		for _, l := range s.lines {
			if !strings.HasPrefix(l, "RUN ") {
				continue
			}
			if m := re.FindStringSubmatch(l); m != nil {
				return strings.Fields(m[1]), splitArgs(t, m[2])
			}
		}
	}
	t.Fatal("the Dockerfile has no RUN … go build")
	return nil, nil
}

// splitArgs splits a shell word list that uses double quotes only inside a
// word (-ldflags="-s -w").
func splitArgs(t *testing.T, s string) []string {
	var out []string
	var cur strings.Builder
	quoted := false
	for _, r := range s {
		switch {
		case r == '"':
			quoted = !quoted
		case r == ' ' && !quoted:
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
		}
	}
	require.False(t, quoted, "unbalanced quotes in %q", s)
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

// TestDockerfileStages checks the image's shape: the Go toolchain of
// go.mod, a distroless final stage run by a numeric non-root user, an entry
// point that is the binary the build stage copies in, and COPY sources that
// exist.
func TestDockerfileStages(t *testing.T) {
	t.Parallel()
	df := parseDockerfile(t)
	require.Len(t, df.stages, 2, "a build stage and a run stage")

	gomod, err := os.ReadFile("../go.mod")
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(gomod)
	require.NotNil(t, m)
	require.Equal(t, string(m[1]), df.args["GO_VERSION"], "the build stage's Go must be go.mod's")
	require.Equal(t, "golang:${GO_VERSION}-trixie", df.stages[0].from)

	run := df.stages[1]
	require.Regexp(t, `^gcr\.io/distroless/static-debian\d+:nonroot$`, run.from, "a static distroless base: no shell, no libc")
	var user, entry, copied string
	for _, l := range run.lines {
		switch {
		case strings.HasPrefix(l, "USER "):
			user = strings.TrimPrefix(l, "USER ")
		case strings.HasPrefix(l, "ENTRYPOINT "):
			var argv []string
			require.NoError(t, json.Unmarshal([]byte(strings.TrimPrefix(l, "ENTRYPOINT ")), &argv), "exec-form ENTRYPOINT, so SIGTERM reaches vigie itself")
			entry = argv[0]
		case strings.HasPrefix(l, "COPY --from="+df.stages[0].name+" "):
			f := strings.Fields(l)
			copied = f[len(f)-1]
		case strings.HasPrefix(l, "RUN "):
			t.Fatalf("the run stage has no shell to RUN anything: %s", l)
		}
	}
	require.Regexp(t, `^[1-9]\d*:[1-9]\d*$`, user, "a numeric non-root uid:gid, so runAsNonRoot can verify it")
	require.Equal(t, "65532:65532", user, "the manifests' runAsUser/runAsGroup")
	require.NotEmpty(t, copied)
	require.Equal(t, copied, entry, "the entry point is the binary the build stage made")

	for _, s := range df.stages {
		for _, l := range s.lines {
			if !strings.HasPrefix(l, "COPY ") || strings.Contains(l, "--from=") {
				continue
			}
			f := strings.Fields(l)
			for _, src := range f[1 : len(f)-1] {
				_, err := os.Stat(filepath.Join("..", src))
				require.NoError(t, err, "COPY %s: no such path in the repository", src)
			}
		}
	}
}

// TestDockerContextKeepsTheBuildInputs lists every file the vigie binary is
// compiled from or embeds and checks .dockerignore excludes none of them.
func TestDockerContextKeepsTheBuildInputs(t *testing.T) {
	t.Parallel()
	patterns := dockerignore(t)
	out, err := exec.Command("go", "list", "-deps", "-json=Module,Dir,GoFiles,EmbedFiles", "../cmd/vigie").Output()
	require.NoError(t, err)
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	dec := json.NewDecoder(strings.NewReader(string(out)))
	n := 0
	for {
		var p struct {
			Dir        string
			GoFiles    []string
			EmbedFiles []string
			Module     *struct{ Main bool }
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else {
			require.NoError(t, err)
		}
		if p.Module == nil || !p.Module.Main {
			continue
		}
		for _, f := range append(p.GoFiles, p.EmbedFiles...) {
			rel, err := filepath.Rel(root, filepath.Join(p.Dir, f))
			require.NoError(t, err)
			rel = filepath.ToSlash(rel)
			n++
			for _, pat := range patterns {
				require.False(t, ignored(pat, rel), ".dockerignore pattern %q excludes %s, which the build needs", pat, rel)
			}
		}
	}
	require.Greater(t, n, 20, "go list found too few files")
	for _, must := range []string{"go.mod", "go.sum"} {
		for _, pat := range patterns {
			require.False(t, ignored(pat, must), ".dockerignore excludes %s", must)
		}
	}
}

func dockerignore(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../.dockerignore")
	require.NoError(t, err)
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		require.False(t, strings.HasPrefix(l, "!"), "exceptions (!) are not supported by this check: %s", l)
		out = append(out, strings.TrimPrefix(l, "/"))
	}
	return out
}

// ignored reports whether a .dockerignore pattern excludes path: the
// pattern matches the path or one of its parent folders, "**/" matching any
// number of leading folders.
func ignored(pattern, path string) bool {
	parts := strings.Split(path, "/")
	for i := 1; i <= len(parts); i++ {
		prefix := strings.Join(parts[:i], "/")
		if ok, _ := filepath.Match(pattern, prefix); ok {
			return true
		}
		if rest, ok := strings.CutPrefix(pattern, "**/"); ok {
			for j := 0; j < i; j++ {
				if ok, _ := filepath.Match(rest, strings.Join(parts[j:i], "/")); ok {
					return true
				}
			}
		}
	}
	return false
}

// TestDockerBuildCommandMakesAStaticBinary runs the build stage's own
// `go build` line and checks the result is a static executable (no dynamic
// loader, no shared libraries: it runs on distroless/static) that reports
// the version it was stamped with.
func TestDockerBuildCommandMakesAStaticBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the whole binary; make test runs it")
	}
	t.Parallel()
	env, args := parseDockerfile(t).goBuild(t)
	require.Contains(t, env, "CGO_ENABLED=0", "a static binary needs CGO_ENABLED=0")
	bin := filepath.Join(t.TempDir(), "vigie")
	for i, a := range args {
		a = strings.ReplaceAll(a, "${VERSION}", "v9.8.7-test")
		if i > 0 && args[i-1] == "-o" {
			a = bin
		}
		args[i] = a
	}
	cmd := exec.Command("go", append([]string{"build"}, args...)...)
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build %s:\n%s", strings.Join(args, " "), out)

	f, err := elf.Open(bin)
	require.NoError(t, err)
	defer f.Close()
	for _, p := range f.Progs {
		require.NotEqual(t, elf.PT_INTERP, p.Type, "the binary asks for a dynamic loader")
	}
	libs, err := f.ImportedLibraries()
	require.NoError(t, err)
	require.Empty(t, libs, "the binary links shared libraries")

	out, err = exec.Command(bin, "version").CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.True(t, strings.HasPrefix(string(out), "v9.8.7-test"), "vigie version printed %q", out)
}

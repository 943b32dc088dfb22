//go:build unix

package docs

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/esxisim/simtest"
)

// A public key a user of the guide has in ~/.ssh.
const userKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDlxNpCovnNj/8wBq7zwv1TYlRWRv+YoTWEjZRmMuZrE alice@laptop"

// TestUserGuideRuns runs every shell block of docs/user-guide.md, in
// order, against a simulated host that stands for the guide's
// esxi01.lab.example (root, "the-password"). ssh is a stand-in that
// answers the guide's one ssh command, the host certificate's fingerprint,
// as openssl on the host would.
func TestUserGuideRuns(t *testing.T) {
	h := newHarness(t)
	sim := simtest.Start(t, esxisim.Options{Password: "the-password", AutoGuest: true, TemplateDiskSize: 1 << 20})
	h.shim("ssh", `case "$*" in
  *"openssl x509 -in /etc/vmware/ssl/rui.crt -fingerprint -sha256 -noout"*) echo "sha256 Fingerprint=`+sim.ThumbprintSHA256()+`" ;;
  *) echo "ssh stand-in of the doc test: unexpected command: $*" >&2; exit 255 ;;
esac`)
	h.replace("esxi01.lab.example", sim.Host())
	h.run(t, filepath.Join("docs", "user-guide.md"))
}

// TestReadmeRuns runs every shell block of the README, in order: it starts
// its own simulated host with `ceso simulator`.
func TestReadmeRuns(t *testing.T) {
	h := newHarness(t)
	h.run(t, "README.md")
}

// harness is the environment the blocks run in: a fresh HOME, the ceso
// binary of this checkout first on PATH, stand-ins for what a test machine
// lacks, and the Go caches of the machine (for go run and go install).
type harness struct {
	root, home, work, bin, shims string
	replacements                 []string
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	for _, tool := range []string{"bash", "jq", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is needed to run the documentation: %v", tool, err)
			}
			t.Skipf("%s is needed to run the documentation: %v", tool, err)
		}
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	h := &harness{root: root, home: filepath.Join(dir, "home"), work: filepath.Join(dir, "work"),
		bin: filepath.Join(dir, "bin"), shims: filepath.Join(dir, "shims")}
	for _, d := range []string{h.home, h.work, h.bin, h.shims, filepath.Join(h.home, ".ssh")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(h.home, ".ssh", "id_ed25519.pub"), []byte(userKey+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	build := exec.Command("go", "build", "-o", filepath.Join(h.bin, "ceso"), "./cmd/ceso")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building ceso: %v\n%s", err, out)
	}
	return h
}

// shim puts a stand-in command on PATH.
func (h *harness) shim(name, body string) {
	_ = os.WriteFile(filepath.Join(h.shims, name), []byte("#!/bin/sh\n"+body+"\n"), 0o755)
}

// replace substitutes a value of the documentation (a host name) in the
// blocks before they run.
func (h *harness) replace(old, new string) { h.replacements = append(h.replacements, old, new) }

// env is the blocks' environment: the process's, without anything that
// points ceso elsewhere, with the Go settings of this machine made
// explicit (HOME changes, and with it Go's defaults).
func (h *harness) env(t *testing.T) []string {
	t.Helper()
	goenv := map[string]string{}
	out, err := exec.Command("go", "env", "GOPATH", "GOMODCACHE", "GOCACHE", "GOENV", "GOFLAGS", "GOTOOLCHAIN", "GOPROXY").Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	for i, v := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		goenv[[]string{"GOPATH", "GOMODCACHE", "GOCACHE", "GOENV", "GOFLAGS", "GOTOOLCHAIN", "GOPROXY"}[i]] = v
	}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k == "HOME" || k == "PATH" || k == "GOBIN" || strings.HasPrefix(k, "ESXI_") || strings.HasPrefix(k, "CESO_") || strings.HasPrefix(k, "XDG_") {
			continue
		}
		if _, ok := goenv[k]; ok {
			continue
		}
		env = append(env, kv)
	}
	for k, v := range goenv {
		env = append(env, k+"="+v)
	}
	return append(env, "HOME="+h.home, "GOBIN="+h.bin, "PATH="+h.bin+":"+h.shims+":"+os.Getenv("PATH"))
}

// block is one shell block of a document.
type block struct {
	line     int    // of its opening fence
	code     string // its lines
	checkout bool   // runs in the repository's root, not a scratch directory
	skip     string // why it does not run ("" when it runs)
	without  []string
}

var annotationRE = regexp.MustCompile(`^<!--\s*doctest:\s*(.*?)\s*-->$`)

// blocks reads the ```sh blocks of a Markdown file with the annotation of
// the line before each: "<!-- doctest: skip REASON -->", "<!-- doctest:
// checkout -->" (run in the repository's root), `without "PREFIX"` (leave
// out the lines that start so).
func blocks(t *testing.T, path string) []block {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var (
		out        []block
		cur        *block
		annotation string
		prev       string
	)
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur == nil && strings.TrimSpace(line) == "```sh":
			cur = &block{line: n}
			if m := annotationRE.FindStringSubmatch(strings.TrimSpace(prev)); m != nil {
				annotation = m[1]
				applyAnnotation(t, cur, annotation)
			}
		case cur != nil && strings.TrimSpace(line) == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.code += line + "\n"
		}
		prev = line
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

var withoutRE = regexp.MustCompile(`without "([^"]+)"`)

func applyAnnotation(t *testing.T, b *block, a string) {
	t.Helper()
	switch {
	case strings.HasPrefix(a, "skip"):
		b.skip = strings.TrimSpace(strings.TrimPrefix(a, "skip"))
		if b.skip == "" {
			t.Fatalf("line %d: a skipped block says why", b.line)
		}
	case strings.HasPrefix(a, "checkout"):
		b.checkout = true
	default:
		t.Fatalf("line %d: unknown doctest annotation %q", b.line, a)
	}
	for _, m := range withoutRE.FindAllStringSubmatch(a, -1) {
		b.without = append(b.without, m[1])
	}
}

// script makes one bash script of the blocks, each announced on stderr by
// a marker line naming its file and line.
func (h *harness) script(t *testing.T, doc string) (string, int) {
	t.Helper()
	var sb strings.Builder
	sb.WriteString("set -eo pipefail\ntrap 'j=$(jobs -p); [ -z \"$j\" ] || kill $j 2>/dev/null; wait' EXIT\n")
	sb.WriteString("cd " + strconv.Quote(h.work) + "\n")
	ran := 0
	for _, b := range blocks(t, filepath.Join(h.root, doc)) {
		if b.skip != "" {
			t.Logf("%s:%d: not run: %s", doc, b.line, b.skip)
			continue
		}
		ran++
		fmt.Fprintf(&sb, "echo '%s%s:%d' >&2\n", marker, doc, b.line)
		if b.checkout {
			sb.WriteString("cd " + strconv.Quote(h.root) + "\n")
		}
		for _, line := range strings.SplitAfter(b.code, "\n") {
			if !hasPrefix(strings.TrimSpace(line), b.without) {
				sb.WriteString(strings.NewReplacer(h.replacements...).Replace(line))
			}
		}
		if b.checkout {
			sb.WriteString("cd " + strconv.Quote(h.work) + "\n")
		}
	}
	return sb.String(), ran
}

func hasPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

const marker = "@@doctest "

// run runs the blocks of doc and fails the test, naming the block, when
// one fails.
func (h *harness) run(t *testing.T, doc string) {
	t.Helper()
	script, n := h.script(t, doc)
	if n == 0 {
		t.Fatalf("%s has no shell block to run", doc)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", script)
	cmd.Dir, cmd.Env = h.work, h.env(t)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // whatever a block left running
	}
	if err != nil {
		last := "before the first block"
		for _, l := range strings.Split(stderr.String(), "\n") {
			if rest, ok := strings.CutPrefix(l, marker); ok {
				last = rest
			}
		}
		t.Fatalf("%s: the block at %s failed: %v\nstdout:\n%s\nstderr:\n%s", doc, last, err, tail(stdout.String()), tail(stderr.String()))
	}
	if got := strings.Count(stderr.String(), marker); got != n {
		t.Fatalf("%s: %d of %d blocks ran\n%s", doc, got, n, stderr.String())
	}
}

// tail is the end of a long output.
func tail(s string) string {
	const max = 6000
	if len(s) > max {
		return "…" + s[len(s)-max:]
	}
	return s
}

package cli

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
)

// runningSimulator is `ceso simulator` running in the test, as a user
// starts it in another shell.
type runningSimulator struct {
	vars        map[string]string // the env file's lines, HOME added
	out, errOut interface{ String() string }
	stop        func() int
}

// startSimulatorCommand runs `ceso simulator ARGS --env-file F` until the
// test ends and returns the variables the env file exports.
func startSimulatorCommand(t *testing.T, args ...string) *runningSimulator {
	t.Helper()
	dir := t.TempDir()
	envFile := filepath.Join(dir, "sim.env")
	ctx, cancel := context.WithCancel(context.Background())
	io, _, out, errOut := cmdutil.Test()
	done := make(chan int, 1)
	args = append([]string{"simulator", "--env-file", envFile, "--template-disk-mib", "2"}, args...)
	go func() {
		done <- Run(ctx, args, io, func(k string) (string, bool) {
			if k == "HOME" {
				return dir, true
			}
			return "", false
		})
	}()
	stopped := false
	code := 0
	stop := func() int {
		if !stopped {
			stopped = true
			cancel()
			select {
			case code = <-done:
			case <-time.After(time.Minute):
				t.Fatal("simulator did not stop when interrupted")
			}
		}
		return code
	}
	t.Cleanup(func() { stop() })
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if _, err := os.Stat(envFile); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no env file; stderr: %s", errOut.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if fi, _ := os.Stat(envFile); fi.Mode().Perm() != 0o600 {
		t.Errorf("env file mode %v", fi.Mode())
	}
	vars := map[string]string{"HOME": dir}
	f, err := os.Open(envFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "export "), "=")
		if !ok {
			t.Fatalf("not an export line: %q", sc.Text())
		}
		vars[k] = v
	}
	return &runningSimulator{vars: vars, out: out, errOut: errOut, stop: stop}
}

// TestSimulatorCommand starts `ceso simulator`, points `ceso vm list` at it
// through the env file it writes, and stops it.
func TestSimulatorCommand(t *testing.T) {
	s := startSimulatorCommand(t, "--vms", "3")
	for _, k := range []string{"ESXI_HOST", "ESXI_USER", "ESXI_PASSWORD", "ESXI_THUMBPRINT"} {
		if s.vars[k] == "" {
			t.Fatalf("env file lacks %s", k)
		}
	}
	if _, ok := s.vars["ESXI_SSH_PORT"]; ok {
		t.Error("a licensed simulator serves SSH")
	}
	e := &env{vars: s.vars}
	code, list, stderr := e.run(t, "vm", "list")
	if code != 0 || strings.Count(list, "\n") != 4 {
		t.Fatalf("list against the simulator: exit %d\n%s\n%s", code, list, stderr)
	}
	if code := s.stop(); code != 0 {
		t.Fatalf("simulator exit %d: %s", code, s.errOut.String())
	}
	if !strings.Contains(s.out.String(), "export ESXI_THUMBPRINT=") {
		t.Errorf("stdout lacks the export lines: %q", s.out.String())
	}
}

// TestSimulatorFreeLicenceServesSSH starts `ceso simulator --free-licence`
// and, with nothing but the env file's variables, creates a VM: the API
// refuses the writes and ceso's SSH fallback makes them over the simulated
// shell, trusting the host key from ESXI_SSH_KNOWN_HOSTS. The template is
// EFI with an NVRAM file, which the new VM gets.
func TestSimulatorFreeLicenceServesSSH(t *testing.T) {
	s := startSimulatorCommand(t, "--free-licence")
	for _, k := range []string{"ESXI_SSH_PORT", "ESXI_SSH_USER", "ESXI_SSH_PASSWORD", "ESXI_SSH_KNOWN_HOSTS"} {
		if s.vars[k] == "" {
			t.Fatalf("env file lacks %s:\n%v", k, s.vars)
		}
	}
	known, err := os.ReadFile(s.vars["ESXI_SSH_KNOWN_HOSTS"])
	if err != nil || !strings.HasPrefix(string(known), "[127.0.0.1]:"+s.vars["ESXI_SSH_PORT"]+" ") {
		t.Fatalf("known_hosts %q: %v", known, err)
	}
	e := &env{vars: s.vars}
	code, out, stderr := e.run(t, "vm", "create", "web01", "--dhcp")
	if code != 0 || !strings.Contains(stderr, "over SSH") ||
		!strings.Contains(stderr, "copying [datastore1] ubuntu-24.04-template/ubuntu-24.04-template.nvram to [datastore1] web01/web01.nvram over SSH") {
		t.Fatalf("create on the free licence: exit %d\n%s\n%s", code, out, stderr)
	}
	code, info, stderr := e.run(t, "vm", "info", "web01", "--json")
	if code != 0 || !strings.Contains(info, `"firmware": "efi"`) {
		t.Fatalf("info: exit %d\n%s\n%s", code, info, stderr)
	}
	if code := s.stop(); code != 0 {
		t.Fatalf("simulator exit %d: %s", code, s.errOut.String())
	}
	if _, err := os.Stat(s.vars["ESXI_SSH_KNOWN_HOSTS"]); !os.IsNotExist(err) {
		t.Error("the known_hosts file was left behind")
	}
}

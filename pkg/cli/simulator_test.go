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

// TestSimulatorCommand starts `ceso simulator`, points `ceso vm list` at it
// through the env file it writes, and stops it.
func TestSimulatorCommand(t *testing.T) {
	dir := t.TempDir()
	envFile := filepath.Join(dir, "sim.env")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	io, _, out, errOut := cmdutil.Test()
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"simulator", "--vms", "3", "--env-file", envFile, "--template-disk-mib", "2"}, io, func(k string) (string, bool) {
			if k == "HOME" {
				return dir, true
			}
			return "", false
		})
	}()
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
	fi, _ := os.Stat(envFile)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("env file mode %v", fi.Mode())
	}
	vars := map[string]string{"HOME": dir}
	f, _ := os.Open(envFile)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "export "), "=")
		if !ok {
			t.Fatalf("not an export line: %q", sc.Text())
		}
		vars[k] = v
	}
	f.Close()
	for _, k := range []string{"ESXI_HOST", "ESXI_USER", "ESXI_PASSWORD", "ESXI_THUMBPRINT"} {
		if vars[k] == "" {
			t.Fatalf("env file lacks %s", k)
		}
	}
	e := &env{vars: vars}
	code, list, stderr := e.run(t, "vm", "list")
	if code != 0 || strings.Count(list, "\n") != 4 {
		t.Fatalf("list against the simulator: exit %d\n%s\n%s", code, list, stderr)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("simulator exit %d: %s", code, errOut.String())
		}
	case <-time.After(time.Minute):
		t.Fatal("simulator did not stop when interrupted")
	}
	if _, err := os.Stat(envFile); !os.IsNotExist(err) {
		t.Error("env file left behind")
	}
	if !strings.Contains(out.String(), "export ESXI_THUMBPRINT=") {
		t.Errorf("stdout lacks the export lines: %q", out.String())
	}
}

package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
)

// runTTY runs ceso as from a terminal, with input typed on stdin.
func (e *env) runTTY(t *testing.T, input string, args ...string) (int, string, string) {
	t.Helper()
	io, in, out, errOut := cmdutil.Test()
	io.InTTY, io.ErrTTY = true, true
	in.WriteString(input)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	code := Run(ctx, args, io, func(k string) (string, bool) { v, ok := e.vars[k]; return v, ok })
	return code, out.String(), errOut.String()
}

// powerState is the power state of a VM, read with vm info.
func powerState(t *testing.T, e *env, name string) string {
	t.Helper()
	code, out, stderr := e.run(t, "vm", "info", name, "--json")
	var info struct {
		PowerState string `json:"power_state"`
		UUID       string `json:"uuid"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &info) != nil {
		t.Fatalf("vm info %s: exit %d %s", name, code, stderr)
	}
	return info.PowerState + " " + info.UUID
}

// TestRestoreReplaceIsGuarded: --replace asks as vm delete does, refuses a
// running VM without --force, and its help's example runs.
func TestRestoreReplaceIsGuarded(t *testing.T) {
	e := newEnv(t, esxisim.Options{TemplateDiskSize: 2 << 20})
	if code, _, stderr := e.run(t, "vm", "create", "web01", "--dhcp"); code != 0 {
		t.Fatalf("create: %s", stderr)
	}
	id := backupJSON(t, e, "web01").ID
	if code, _, stderr := e.run(t, "vm", "power", "on", "web01"); code != 0 {
		t.Fatalf("power on: %s", stderr)
	}
	before := powerState(t, e, "web01")

	code, _, stderr := e.run(t, "backup", "restore", id, "--replace", "--force")
	if code != cmdutil.ExitUsage || !strings.Contains(stderr, "--yes") {
		t.Fatalf("no terminal, no --yes: exit %d %s", code, stderr)
	}
	code, _, stderr = e.runTTY(t, "web02\n", "backup", "restore", id, "--replace", "--force")
	if code != cmdutil.ExitUsage || !strings.Contains(stderr, `Type "web01" to confirm`) || !strings.Contains(stderr, "not confirmed") {
		t.Fatalf("wrong name typed: exit %d %s", code, stderr)
	}
	code, _, stderr = e.run(t, "backup", "restore", id, "--replace", "--yes")
	if code != cmdutil.ExitRefused || !strings.Contains(stderr, "--force") {
		t.Fatalf("running VM without --force: exit %d %s", code, stderr)
	}
	if now := powerState(t, e, "web01"); now != before {
		t.Fatalf("a refused replace changed the VM: %s, was %s", now, before)
	}
	if code, _, stderr := e.run(t, "backup", "restore", id, "--as-new", "x", "--force"); code != cmdutil.ExitUsage || !strings.Contains(stderr, "--force goes with --replace") {
		t.Fatalf("--force without --replace: exit %d %s", code, stderr)
	}
	code, out, stderr := e.runTTY(t, "web01\n", "backup", "restore", id, "--replace", "--force", "--json")
	if code != 0 || !strings.Contains(out, `"replaced": true`) {
		t.Fatalf("confirmed replace: exit %d %s %s", code, out, stderr)
	}
	if now := powerState(t, e, "web01"); now == before || !strings.HasPrefix(now, "poweredOff ") {
		t.Fatalf("after the replace: %s, was %s", now, before)
	}
}

// TestBadInputIsRefusedClearly: absurd or contradictory flags are refused
// with a message naming the flag, never the parser's own text.
func TestBadInputIsRefusedClearly(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"vm", "create", "x", "--cpu", "0"}, "--cpu 0: want 1 to 768"},
		{[]string{"vm", "clone", esxisim.TemplateName, "x", "--cpu", "0"}, "--cpu 0: want 1 to 768"},
		{[]string{"vm", "create", "x", "--cpu", "abc"}, `--cpu "abc": want a whole number`},
		{[]string{"vm", "create", "x", "--mtu", "lots"}, `--mtu "lots": want a whole number`},
		{[]string{"backup", "prune", "--keep-last", "-1"}, "--keep-last -1: want 0 or more"},
		{[]string{"backup", "prune", "--keep-daily", "99999999999999999999"}, `--keep-daily "99999999999999999999": the number is too large`},
		{[]string{"vm", "list", "--timeout", "soon"}, `--timeout "soon": want a duration`},
		{[]string{"vm", "power", "on", "x", "--parallel", "1.5"}, `--parallel "1.5": want a whole number`},
		{[]string{"vm", "create", "x", "--ip", "192.0.2.10/24", "--gateway", "192.0.2.10"}, "gateway 192.0.2.10 is the NIC's own address"},
		{[]string{"backup", "restore", "x", "--as-new", "a", "--replace"}, "--as-new and --replace exclude each other"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, _, stderr := e.run(t, tt.args...)
			if code != cmdutil.ExitUsage || !strings.Contains(stderr, tt.want) {
				t.Fatalf("exit %d, want %d and %q:\n%s", code, cmdutil.ExitUsage, tt.want, stderr)
			}
			if strings.Contains(stderr, "strconv.") || strings.Contains(stderr, "time: invalid") {
				t.Fatalf("the parser's text reached the user:\n%s", stderr)
			}
		})
	}
}

// TestGlobalTimeoutIsTheDeadlineOfVMPower: the global --timeout bounds vm
// power like every command; the guest-shutdown wait is --shutdown-timeout.
func TestGlobalTimeoutIsTheDeadlineOfVMPower(t *testing.T) {
	e := newEnv(t, esxisim.Options{ExtraVMs: 1})
	if code, _, stderr := e.run(t, "vm", "list"); code != 0 {
		t.Fatalf("list: %s", stderr)
	}
	code, _, stderr := e.run(t, "--timeout", "1ms", "vm", "power", "on", "vm-0001")
	if code != cmdutil.ExitTimeout || !strings.Contains(stderr, "--timeout 1ms") || strings.Contains(stderr, "another operation") {
		t.Fatalf("ceso --timeout 1ms vm power on: exit %d, want %d and the deadline named: %s", code, cmdutil.ExitTimeout, stderr)
	}
	if code, _, stderr := e.run(t, "vm", "power", "shutdown", "vm-0001", "--shutdown-timeout", "0s"); code != cmdutil.ExitUsage || !strings.Contains(stderr, "--shutdown-timeout") {
		t.Fatalf("zero shutdown wait: exit %d %s", code, stderr)
	}
}

// TestMissingFilesAreNotFound: a file a flag names that does not exist is
// exit code 5, as the README says.
func TestMissingFilesAreNotFound(t *testing.T) {
	e := &env{vars: map[string]string{"HOME": t.TempDir()}}
	for _, args := range [][]string{
		{"cloudinit", "render", "x", "--ssh-key", "/nonexistent/id.pub"},
		{"cloudinit", "render", "x", "--cloud-config", "/nonexistent/site.yaml"},
		{"vm", "create", "x", "--ssh-key", "/nonexistent/id.pub"},
		{"--config", "/nonexistent/config.yaml", "vm", "list"},
		{"--config", "/nonexistent/config.yaml", "config", "show"},
	} {
		code, _, stderr := e.run(t, args...)
		if code != cmdutil.ExitNotFound || !strings.Contains(stderr, "/nonexistent/") {
			t.Errorf("%v: exit %d, want %d: %s", args, code, cmdutil.ExitNotFound, stderr)
		}
	}
}

// TestSizesAreBoundedByTheHost: below ESXi's maximums, the host's own size
// bounds a new VM: vCPUs by its logical CPUs, memory by its memory, a disk
// by its datastore's capacity. Nothing is made.
func TestSizesAreBoundedByTheHost(t *testing.T) {
	e := newEnv(t, esxisim.Options{HostCPUThreads: 8, HostMemoryMB: 16 << 10})
	before := e.host(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"vm", "create", "x", "--cpu", "9"}, "has 8 logical CPUs"},
		{[]string{"vm", "clone", esxisim.TemplateName, "x", "--cpu", "9"}, "has 8 logical CPUs"},
		{[]string{"vm", "create", "x", "--memory", "17G"}, "has 16384 MiB of memory"},
		{[]string{"vm", "create", "x", "--memory", "17G", "--dry-run"}, "has 16384 MiB of memory"},
		{[]string{"vm", "create", "x", "--disk-size", "60T"}, "larger than datastore " + esxisim.DefaultDatastore + "'s whole capacity"},
		{[]string{"vm", "create", "x", "--datastore", esxisim.DefaultDatastore, "--disk-size", "60T"}, "'s whole capacity"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, _, stderr := e.run(t, tt.args...)
			if code != cmdutil.ExitUsage || !strings.Contains(stderr, tt.want) {
				t.Fatalf("exit %d, want %d and %q:\n%s", code, cmdutil.ExitUsage, tt.want, stderr)
			}
		})
	}
	if after := e.host(t); after != before {
		t.Fatalf("the host changed:\n%s\n---\n%s", before, after)
	}
	if code, _, stderr := e.run(t, "vm", "create", "fits", "--cpu", "8", "--memory", "16G"); code != 0 {
		t.Fatalf("the host's own size: exit %d %s", code, stderr)
	}
}

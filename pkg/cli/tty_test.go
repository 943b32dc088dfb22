package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
)

// runOnTerminal runs ceso with stdout and stderr on a terminal of width
// columns (0: none known).
func (e *env) runOnTerminal(t *testing.T, width int, args ...string) (int, string, string) {
	t.Helper()
	io, _, out, errOut := cmdutil.Test()
	io.OutTTY, io.ErrTTY, io.Width = true, true, width
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	code := Run(ctx, args, io, func(k string) (string, bool) { v, ok := e.vars[k]; return v, ok })
	return code, out.String(), errOut.String()
}

// TestEmptyResultsSaySoOnATerminal: vm power --all matching nothing and an
// empty backup list say so on a terminal, and print nothing in a pipe.
func TestEmptyResultsSaySoOnATerminal(t *testing.T) {
	e := newEnv(t, esxisim.Options{ExtraVMs: 1})
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"vm", "power", "on", "--all", "--match", "nothing*"}, "no VM matches --all --match \"nothing*\": nothing was done\n"},
		{[]string{"backup", "list"}, "no backups in the catalog\n"},
		{[]string{"backup", "list", "--vm", "web01"}, "no backups of \"web01\" in the catalog\n"},
	}
	for _, tt := range tests {
		code, out, stderr := e.runOnTerminal(t, 0, tt.args...)
		if code != 0 || out != "" || stderr != tt.want {
			t.Errorf("%v on a terminal: exit %d, out %q, err %q; want err %q", tt.args, code, out, stderr, tt.want)
		}
		code, out, stderr = e.run(t, tt.args...)
		if code != 0 || out != "" || stderr != "" {
			t.Errorf("%v in a pipe: exit %d, out %q, err %q; want nothing", tt.args, code, out, stderr)
		}
	}
}

// TestBackupProgressTotalIsWhatMoves: a thin disk grown to 1 GiB that
// holds 1 MiB sends about 1 MiB (a streamOptimized VMDK); the host
// announces no size for a disk (neither the lease's fileSize nor a
// Content-Length), so the bar shows the bytes moved, never a total made up
// from the capacity; once the disk is read its size is the total (100%).
func TestBackupProgressTotalIsWhatMoves(t *testing.T) {
	e := newEnv(t, esxisim.Options{TemplateDiskSize: 1 << 20})
	if code, _, stderr := e.run(t, "vm", "create", "grown", "--disk-size", "1G", "--dhcp"); code != 0 {
		t.Fatalf("create: %s", stderr)
	}
	code, _, stderr := e.runOnTerminal(t, 100, "backup", "create", "grown")
	if code != 0 {
		t.Fatalf("backup: exit %d %s", code, stderr)
	}
	lines := strings.Split(stderr, "\r")
	var last string
	for _, l := range lines {
		if strings.Contains(l, "grown-disk-0.vmdk") {
			last = l
		}
	}
	if !strings.Contains(last, " MiB") || strings.Contains(last, "GiB") || (strings.Contains(last, "%") && !strings.Contains(last, "100%")) {
		t.Fatalf("last progress line %q, want the MiB moved, and no total but what moved\n%s", last, stderr)
	}
}

// TestCreateAndCloneShowTheirSteps on a terminal, as they happen; never in
// a pipe.
func TestCreateAndCloneShowTheirSteps(t *testing.T) {
	e := newEnv(t, esxisim.Options{TemplateDiskSize: 1 << 20})
	code, _, stderr := e.runOnTerminal(t, 0, "vm", "create", "web01", "--dhcp")
	if code != 0 {
		t.Fatalf("create: exit %d %s", code, stderr)
	}
	steps := []string{"[api] FileManager.MakeDirectory [datastore1] web01", "[api] VirtualDiskManager.CopyVirtualDisk_Task", "[api] Folder.CreateVM_Task web01"}
	last := -1
	for _, s := range steps {
		i := strings.Index(stderr, s)
		if i <= last {
			t.Fatalf("create's steps on a terminal: %q missing or out of order:\n%s", s, stderr)
		}
		last = i
	}
	code, _, stderr = e.runOnTerminal(t, 0, "vm", "clone", "web01", "web02", "--dhcp")
	if code != 0 || !strings.Contains(stderr, "[api] Folder.CreateVM_Task web02") {
		t.Fatalf("clone's steps: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := e.run(t, "vm", "create", "web03", "--dhcp"); code != 0 || strings.Contains(stderr, "[api]") {
		t.Fatalf("steps in a pipe: exit %d\n%s", code, stderr)
	}
}

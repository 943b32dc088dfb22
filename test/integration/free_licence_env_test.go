//go:build !integration

package integration

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/esxisim/esxishell"
	"github.com/ceso/ceso/pkg/esxi/esxisim/simtest"
	"github.com/ceso/ceso/pkg/esxi/ssh"
	"github.com/ceso/ceso/pkg/esxi/ssh/sshtest"
	"github.com/ceso/ceso/pkg/esxi/sshhost"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/ceso/ceso/pkg/ops"
)

// freeHost is a simulated host on the free licence with SSH enabled: the
// API refuses every write, and an in-process SSH server answers the ESXi
// shell's commands against the same inventory and datastore.
type freeHost struct {
	sim   *esxisim.Simulator
	shell *esxishell.Shell
	srv   *sshtest.Server
	c     *client.Client
	ssh   ssh.Config
}

const freeSSHPassword = "ssh-secret"

func startFreeHost(t *testing.T) *freeHost {
	t.Helper()
	return startFreeHostMaxSessions(t, 0)
}

// startFreeHostMaxSessions is startFreeHost with an sshd that allows
// maxSessions sessions per connection (0: no limit).
func startFreeHostMaxSessions(t *testing.T, maxSessions int) *freeHost {
	t.Helper()
	sim := simtest.Start(t, esxisim.Options{FreeLicence: true, TemplateDiskSize: 8 << 20, AutoGuest: true})
	ctx := simtest.Ctx(t, time.Minute)
	shell, err := esxishell.New(ctx, sim)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = shell.Close() })
	srv := sshtest.New(t, sshtest.Options{Password: freeSSHPassword, KeyboardInteractiveOnly: true, Handler: shell, MaxSessions: maxSessions})
	c, err := client.Connect(ctx, client.Config{Host: sim.Host(), User: sim.User(), Password: sim.Password(), Thumbprint: sim.Thumbprint()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Logout(context.Background()) })
	return &freeHost{sim: sim, shell: shell, srv: srv, c: c, ssh: srv.ClientConfig(t)}
}

// fallback is the Host of esxi.transport auto, dialling SSH lazily.
func (h *freeHost) fallback(t *testing.T) *sshhost.FallbackHost {
	t.Helper()
	lazy := sshhost.NewLazy(func(ctx context.Context) (sshhost.RunCloser, error) { return ssh.Dial(ctx, h.ssh) })
	t.Cleanup(func() { _ = lazy.Close() })
	sh := sshhost.New(lazy, sshhost.Options{Inventory: sshhost.APIInventory{C: h.c}})
	return sshhost.NewFallback(vm.NewAPIHost(h.c), sh, func(ctx context.Context) (bool, error) { return sshhost.FreeLicence(ctx, h.c) })
}

// freeOp runs fn as the operation name through a runner and returns its
// notes; fn must succeed.
func freeOp(t *testing.T, name string, fn func(ctx context.Context) error) []string {
	t.Helper()
	notes, err := freeOpErr(name, fn)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return notes
}

// freeOpNotes runs fn as freeOp does, whatever it returns.
func freeOpNotes(t *testing.T, name string, fn func(ctx context.Context) error) []string {
	t.Helper()
	notes, _ := freeOpErr(name, fn)
	return notes
}

func freeOpErr(name string, fn func(ctx context.Context) error) ([]string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	r := &ops.Runner{Sandbox: ops.ModeSandbox{Mode: "unrestricted"}}
	res, err := r.Do(ctx, &ops.Op{Name: name, Target: "test", Run: func(ctx context.Context) (any, error) { return nil, fn(ctx) }})
	return res.Notes, err
}

// shellRun runs a command line in the fake shell and returns its output.
func (h *freeHost) shellRun(t *testing.T, line string) string {
	t.Helper()
	var out, errOut strings.Builder
	if exit := h.shell.Exec(context.Background(), line, &out, &errOut); exit != 0 {
		t.Fatalf("%s: exit %d: %s", line, exit, errOut.String())
	}
	return out.String()
}

// vmidOf finds a VM's vmid in vim-cmd vmsvc/getallvms.
func vmidOf(t *testing.T, h *freeHost, name string) string {
	t.Helper()
	vms, err := ssh.ParseGetAllVMs(h.shellRun(t, "vim-cmd vmsvc/getallvms"))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vms {
		if v.Name == name {
			return v.ID
		}
	}
	t.Fatalf("no VM %q", name)
	return ""
}

// commandsSince returns the shell commands run after the first n.
func (h *freeHost) commandsSince(n int) []string { return h.shell.Commands()[n:] }

// freeFlat reads the data file of a disk "[ds] dir/disk.vmdk".
func (h *freeHost) freeFlat(t *testing.T, disk string) []byte {
	t.Helper()
	rel := strings.TrimSpace(disk[strings.Index(disk, "]")+1:])
	b, err := os.ReadFile(filepath.Join(h.sim.DatastoreDir(), strings.TrimSuffix(rel, ".vmdk")+"-flat.vmdk"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// wantCommands fails unless each prefix starts one of the lines, in order.
func wantCommands(t *testing.T, lines []string, prefixes ...string) {
	t.Helper()
	i := 0
	for _, l := range lines {
		if i < len(prefixes) && strings.HasPrefix(l, prefixes[i]) {
			i++
		}
	}
	if i < len(prefixes) {
		t.Fatalf("no command starting with %q after the others in:\n  %s", prefixes[i], strings.Join(lines, "\n  "))
	}
}

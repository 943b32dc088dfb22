//go:build !integration

package integration

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/cli"
	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/vm"
)

// freeCLI runs ceso in-process against a free-licence host, with a
// configuration file that sets up the SSH fallback.
type freeCLI struct {
	h    *freeHost
	vars map[string]string
}

func newFreeCLI(t *testing.T, h *freeHost) *freeCLI {
	t.Helper()
	home := t.TempDir()
	known := filepath.Join(home, "known_hosts")
	if err := h.srv.WriteKnownHosts(known); err != nil {
		t.Fatal(err)
	}
	pw := filepath.Join(home, "ssh-password")
	if err := os.WriteFile(pw, []byte(freeSSHPassword+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, port, _ := strings.Cut(h.srv.Addr(), ":")
	cfg := filepath.Join(home, "config.yaml")
	yaml := "ssh:\n  port: " + port + "\n  user: root\n  password_file: " + pw + "\n  known_hosts: " + known + "\n"
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return &freeCLI{h: h, vars: map[string]string{
		"HOME": home, "CESO_CONFIG": cfg, "ESXI_HOST": h.sim.Host(), "ESXI_USER": h.sim.User(),
		"ESXI_PASSWORD": h.sim.Password(), "ESXI_THUMBPRINT": h.sim.Thumbprint(),
	}}
}

// run runs ceso and returns its exit code, stdout and stderr.
func (c *freeCLI) run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	io, _, out, errOut := cmdutil.Test()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	code := cli.Run(ctx, args, io, func(k string) (string, bool) { v, ok := c.vars[k]; return v, ok })
	return code, out.String(), errOut.String()
}

func TestFreeLicenceCLI(t *testing.T) {
	h := startFreeHost(t)
	c := newFreeCLI(t, h)
	tmpl := esxisim.TemplateName

	// --dry-run prints the shell commands and changes nothing.
	code, out, stderr := c.run(t, "vm", "create", "web", "--template", tmpl, "--ip", "192.0.2.30/24", "--gateway", "192.0.2.1", "--power-on", "--dry-run")
	if code != 0 {
		t.Fatalf("dry run: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{"writes over SSH", "[ssh] mkdir /vmfs/volumes/datastore1/web",
		"[ssh] vmkfstools -i /vmfs/volumes/datastore1/" + tmpl + "/" + tmpl + ".vmdk -d thin /vmfs/volumes/datastore1/web/web.vmdk",
		"[ssh] vim-cmd solo/registervm /vmfs/volumes/datastore1/web/web.vmx", "[ssh] vim-cmd vmsvc/power.on $vmid"} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run lacks %q:\n%s", want, out)
		}
	}
	if len(h.shell.Commands()) != 0 {
		t.Fatalf("the dry run ran %v", h.shell.Commands())
	}

	// --wait-ip: the guest has booted and its VMware Tools run when the
	// command returns, so the shutdown below can go through them. Without
	// it, a shutdown a few milliseconds after the power-on finds no tools
	// yet and, with --force, rightly powers off instead.
	code, out, stderr = c.run(t, "vm", "create", "web", "--template", tmpl, "--ip", "192.0.2.30/24", "--gateway", "192.0.2.1",
		"--dns", "192.0.2.53", "--power-on", "--wait-ip", "1m")
	if code != 0 {
		t.Fatalf("create: exit %d\n%s", code, stderr)
	}
	for _, note := range []string{"note: creating VM web over SSH: the host's licence refuses API writes", "note: powering on web over SSH"} {
		if !strings.Contains(stderr, note) {
			t.Errorf("create printed no %q:\n%s", note, stderr)
		}
	}
	if !strings.Contains(out, "created web") || !strings.Contains(out, "poweredOn") {
		t.Fatalf("create printed:\n%s", out)
	}
	info, err := vm.GetInfo(context.Background(), h.c, "web")
	if err != nil {
		t.Fatal(err)
	}
	freeIdentity(t, info, "web", "", "192.0.2.30/24")

	// vm power goes over SSH too, the shutdown by the guest's tools.
	code, out, stderr = c.run(t, "vm", "power", "shutdown", "web", "--shutdown-timeout", "30s", "--force")
	if code != 0 || !strings.Contains(stderr, "over SSH") || !strings.Contains(out, "poweredOff") {
		t.Fatalf("power shutdown: exit %d\n%s\n%s", code, out, stderr)
	}
	if strings.Contains(stderr, "powered off") {
		t.Fatalf("the shutdown was not left to the guest:\n%s", stderr)
	}
	code, out, stderr = c.run(t, "vm", "power", "on", "web")
	if code != 0 || !strings.Contains(stderr, "over SSH") || !strings.Contains(out, "poweredOn") {
		t.Fatalf("power on: exit %d\n%s\n%s", code, out, stderr)
	}

	// With esxi.transport api the licence's refusal says what to change.
	code, _, stderr = c.run(t, "vm", "create", "web2", "--template", tmpl, "--dhcp", "--transport", "api")
	if code != cmdutil.ExitRefused || !strings.Contains(stderr, "set esxi.transport to auto (or ssh) and enable SSH on the host") {
		t.Fatalf("create over the API only: exit %d\n%s", code, stderr)
	}
	code, _, stderr = c.run(t, "vm", "delete", "web", "--force", "--yes", "--transport", "ssh")
	if code != 0 {
		t.Fatalf("delete: exit %d\n%s", code, stderr)
	}
	// The API's references are not vmids on the simulator: the SSH host
	// looks the VM up in getallvms first.
	wantCommands(t, h.shell.Commands(), "mkdir ", "vmkfstools -i ", "sh -c ", "vim-cmd solo/registervm ",
		"vim-cmd vmsvc/power.on ", "vim-cmd vmsvc/getallvms", "vim-cmd vmsvc/power.shutdown ", "vim-cmd vmsvc/getallvms",
		"vim-cmd vmsvc/power.on ", "vim-cmd vmsvc/getallvms", "vim-cmd vmsvc/power.off ", "vim-cmd vmsvc/destroy ")
	if _, err := vm.GetInfo(context.Background(), h.c, "web"); err == nil {
		t.Fatal("web still exists")
	}
	if entries, _ := os.ReadDir(h.sim.DatastoreDir()); len(entries) != 1 {
		t.Fatalf("datastore holds %v", entries)
	}
}

//go:build !integration

package integration

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/vm"
)

// TestFreeLicenceBackupCLI runs the backup commands through the CLI on a
// free-licence host with esxi.transport auto: a running VM is backed up hot
// with its snapshot taken and removed over SSH; --dry-run prints the shell
// lines and runs none; the backup verifies; it is restored as a new
// VM with a new address over SSH; each step over SSH is a note.
func TestFreeLicenceBackupCLI(t *testing.T) {
	h := startFreeHost(t)
	c := newFreeCLI(t, h)
	if code, _, stderr := c.run(t, "vm", "create", "web", "--template", esxisim.TemplateName, "--ip", "192.0.2.40/24",
		"--gateway", "192.0.2.1", "--power-on", "--wait-ip", "1m"); code != 0 {
		t.Fatalf("create: exit %d\n%s", code, stderr)
	}

	n := len(h.shell.Commands())
	code, out, stderr := c.run(t, "backup", "create", "web", "--json")
	if code != 0 {
		t.Fatalf("backup: exit %d\n%s", code, stderr)
	}
	var entry struct {
		ID       string            `json:"id"`
		Metadata map[string]string `json:"metadata"`
	}
	if err := json.Unmarshal([]byte(out), &entry); err != nil || entry.ID == "" || entry.Metadata["consistency"] != "quiesced" {
		t.Fatalf("backup printed %s (%v)", out, err)
	}
	if !strings.Contains(stderr, "over SSH: the host's licence refuses API writes") {
		t.Errorf("backup notes:\n%s", stderr)
	}
	wantCommands(t, h.commandsSince(n), "vim-cmd vmsvc/snapshot.create ", "vim-cmd vmsvc/snapshot.remove ")
	if info, err := vm.GetInfo(context.Background(), h.c, "web"); err != nil || info.PowerState != vm.PoweredOn {
		t.Fatalf("web after its hot backup: %+v %v", info, err)
	}
	// The plan of the next one (the local target exists now).
	n = len(h.shell.Commands())
	code, out, stderr = c.run(t, "backup", "create", "web", "--dry-run")
	if code != 0 {
		t.Fatalf("backup dry run: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{"writes over SSH", "[ssh] vim-cmd vmsvc/snapshot.create $vmid ceso-backup-", "[ssh] vim-cmd vmsvc/snapshot.remove $vmid $snapshot"} {
		if !strings.Contains(out, want) {
			t.Errorf("backup dry run lacks %q:\n%s", want, out)
		}
	}
	if len(h.commandsSince(n)) != 0 {
		t.Fatalf("the dry run ran %v", h.commandsSince(n))
	}

	if code, _, stderr := c.run(t, "backup", "verify", entry.ID); code != 0 {
		t.Fatalf("verify: exit %d\n%s", code, stderr)
	}

	n = len(h.shell.Commands())
	code, out, stderr = c.run(t, "backup", "restore", entry.ID, "--as-new", "web2", "--ip", "192.0.2.41/24", "--gateway", "192.0.2.1", "--dry-run")
	if code != 0 || !strings.Contains(out, "[ssh] vim-cmd solo/registervm /vmfs/volumes/datastore1/web2/web2.vmx") ||
		!strings.Contains(out, "[ssh] vmkfstools -i /vmfs/volumes/datastore1/web2/web2-ceso-upload-0.vmdk -d thin") || len(h.commandsSince(n)) != 0 {
		t.Fatalf("restore dry run: exit %d\n%s\n%s", code, out, stderr)
	}
	code, _, stderr = c.run(t, "backup", "restore", entry.ID, "--as-new", "web2", "--ip", "192.0.2.41/24", "--gateway", "192.0.2.1")
	if code != 0 {
		t.Fatalf("restore: exit %d\n%s", code, stderr)
	}
	for _, note := range []string{"the host's licence refuses the OVF import", "creating VM web2 over SSH"} {
		if !strings.Contains(stderr, note) {
			t.Errorf("restore printed no %q:\n%s", note, stderr)
		}
	}
	info, err := vm.GetInfo(context.Background(), h.c, "web2")
	if err != nil {
		t.Fatal(err)
	}
	freeIdentity(t, info, "web2", "", "192.0.2.41/24")
}

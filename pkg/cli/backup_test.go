package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/cloudinit"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
)

type entry struct {
	ID       string `json:"id"`
	VMName   string `json:"vm_name"`
	Time     string `json:"timestamp"`
	Size     int64  `json:"size"`
	Location string `json:"location"`
	Checksum string `json:"checksum"`
	Status   string `json:"status"`
}

func TestBackupCommands(t *testing.T) {
	e := newEnv(t, esxisim.Options{TemplateDiskSize: 4 << 20})
	// A VM with cloud-init guestinfo, to back up.
	if code, _, stderr := e.run(t, "vm", "create", "web01", "--ip", "192.0.2.10/24", "--gateway", "192.0.2.1"); code != 0 {
		t.Fatalf("create: %s", stderr)
	}
	code, out, stderr := e.run(t, "backup", "create", "web01", "--description", "first", "--json")
	if code != 0 {
		t.Fatalf("backup create: exit %d %s", code, stderr)
	}
	var created entry
	if err := json.Unmarshal([]byte(out), &created); err != nil || created.ID == "" || created.Status != "complete" {
		t.Fatalf("backup entry %q: %v", out, err)
	}

	code, out, _ = e.run(t, "backup", "list", "--json")
	var list []entry
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list) != 1 {
		t.Fatalf("list: %d %s", code, out)
	}
	l := list[0]
	if l.ID != created.ID || l.VMName != "web01" || l.Size <= 0 || l.Location == "" || len(l.Checksum) != 64 || !strings.Contains(l.Time, "T") {
		t.Fatalf("list entry %+v", l)
	}

	if code, out, stderr := e.run(t, "backup", "verify", created.ID); code != 0 || !strings.Contains(out, "ok") {
		t.Fatalf("verify: %d %s %s", code, out, stderr)
	}

	// Restore as a new VM with a new address.
	code, out, stderr = e.run(t, "backup", "restore", created.ID, "--as-new", "web01-r", "--ip", "192.0.2.20/24", "--gateway", "192.0.2.1", "--json")
	if code != 0 {
		t.Fatalf("restore: exit %d %s", code, stderr)
	}
	var restored struct {
		VM         string `json:"vm_name"`
		InstanceID string `json:"instance_id"`
	}
	if err := json.Unmarshal([]byte(out), &restored); err != nil || restored.VM != "web01-r" {
		t.Fatalf("restore result %s %v", out, err)
	}
	code, out, _ = e.run(t, "vm", "info", "web01-r", "--json")
	var info struct {
		CloudInit cloudinit.Summary `json:"cloud_init"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &info) != nil {
		t.Fatalf("info: %d %s", code, out)
	}
	if info.CloudInit.InstanceID == "" || info.CloudInit.InstanceID != restored.InstanceID || info.CloudInit.NICs[0].Addresses[0] != "192.0.2.20/24" || info.CloudInit.Hostname != "web01-r" {
		t.Fatalf("restored guestinfo %+v", info.CloudInit)
	}
	a, err1 := os.ReadFile(flatFile(t, e, "web01"))
	b, err2 := os.ReadFile(flatFile(t, e, "web01-r"))
	if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
		t.Fatalf("restored disk differs from the original (%v %v, %d vs %d bytes)", err1, err2, len(a), len(b))
	}

	// Prune: a dry run lists decisions and deletes nothing; the last good
	// backup is never removed.
	code, out, _ = e.run(t, "backup", "prune", "--keep-last", "1", "--dry-run")
	if code != 0 || !strings.Contains(out, "keep "+created.ID) {
		t.Fatalf("prune dry run: %d %s", code, out)
	}
	if code, _, stderr := e.run(t, "backup", "prune", "--keep-last", "0", "--keep-daily", "0", "--keep-weekly", "0", "--keep-monthly", "0"); code != cmdutil.ExitUsage {
		t.Fatalf("a policy keeping nothing: exit %d %s", code, stderr)
	}
	if code, _, stderr := e.run(t, "backup", "delete", created.ID, "--yes"); code != cmdutil.ExitRefused {
		t.Fatalf("deleting the last good backup: exit %d %s", code, stderr)
	}
	if code, _, stderr := e.run(t, "backup", "delete", created.ID, "--yes", "--force"); code != 0 {
		t.Fatalf("forced delete: exit %d %s", code, stderr)
	}
	if code, out, _ := e.run(t, "backup", "list", "--json"); code != 0 || strings.TrimSpace(out) != "[]" {
		t.Fatalf("list after delete: %s", out)
	}
}

func TestBackupRefusals(t *testing.T) {
	e := newEnv(t, esxisim.Options{ExtraVMs: 0, TemplateDiskSize: 2 << 20})
	if code, _, _ := e.run(t, "vm", "create", "run1", "--power-on"); code != 0 {
		t.Fatal("create")
	}
	// A running VM is backed up hot: it keeps running, and the output says
	// how consistent the copy is.
	code, out, stderr := e.run(t, "backup", "create", "run1", "--readers", "2")
	if code != 0 || !strings.Contains(out, "crash-consistent)") || !strings.Contains(stderr, "from a crash-consistent snapshot") {
		t.Fatalf("running VM: exit %d %s %s", code, out, stderr)
	}
	if code, out, _ := e.run(t, "vm", "info", "run1", "--json"); code != 0 || !strings.Contains(out, `"power_state": "poweredOn"`) {
		t.Fatalf("the VM stopped: %s", out)
	}
	for _, args := range [][]string{
		{"backup", "create", "run1", "--readers", "0"},
		{"backup", "create", "run1", "--readers", "33"},
		{"backup", "verify"},
		{"backup", "restore", "x"},
		{"backup", "restore", "x", "--as-new", "a", "--replace"},
		{"backup", "restore", "x", "--as-new", "a", "--user", "bob"},
		{"backup", "restore", "x", "--as-new", "a", "--network-map", "nope"},
	} {
		if code, _, stderr := e.run(t, args...); code != cmdutil.ExitUsage {
			t.Errorf("%v: exit %d %s", args, code, stderr)
		}
	}
	if code, _, _ := e.run(t, "backup", "verify", "no-such-id"); code != cmdutil.ExitNotFound {
		t.Errorf("verify unknown: exit %d", code)
	}
}

// flatFile is the local file holding the data of a VM's first disk.
func flatFile(t *testing.T, e *env, vmName string) string {
	t.Helper()
	code, out, _ := e.run(t, "vm", "info", vmName, "--json")
	var info struct {
		Disks []struct {
			Path string `json:"path"`
		} `json:"disks"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &info) != nil || len(info.Disks) == 0 {
		t.Fatalf("disks of %s: %s", vmName, out)
	}
	_, rel, _ := strings.Cut(info.Disks[0].Path, "] ")
	return filepath.Join(e.sim.DatastoreDir(), strings.TrimSuffix(rel, ".vmdk")+"-flat.vmdk")
}

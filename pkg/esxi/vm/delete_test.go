package vm

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/ops"
)

func TestDelete(t *testing.T) {
	sim, c := startHost(t, esxisim.Options{})
	ctx := testCtx(t)
	createWeb(t, c, true)
	err := Delete(ctx, c, "web01", false)
	if !errors.Is(err, ErrPoweredOn) || !strings.Contains(err.Error(), "poweredOn") {
		t.Fatalf("delete of a running VM: %v", err)
	}
	steps, err := PlanDelete(ctx, c, "web01", DeleteOptions{Force: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"VirtualMachine.PowerOffVM_Task web01", "VirtualMachine.Destroy_Task web01", "HostDatastoreBrowser.SearchDatastore_Task [datastore1] web01"}
	if got := actions(steps); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("plan %q, want %q", got, want)
	}
	if err := Delete(ctx, c, "web01", true); err != nil {
		t.Fatal(err)
	}
	if _, err := Find(ctx, c, "web01"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("web01 still there: %v", err)
	}
	assertOnlyTemplate(t, sim)
	if files, exists, err := ListFolder(ctx, c, "[datastore1] web01"); err != nil || exists || len(files) != 0 {
		t.Fatalf("ListFolder after delete: %v %v %v", files, exists, err)
	}
	files, exists, err := ListFolder(ctx, c, "[datastore1] "+esxisim.TemplateName)
	if err != nil || !exists || !contains(files, esxisim.TemplateName+".vmx") {
		t.Fatalf("ListFolder of the template: %v %v %v", files, exists, err)
	}
	if _, _, err := ListFolder(ctx, c, "[nope] x"); !errors.Is(err, ErrDatastoreNotFound) {
		t.Fatalf("ListFolder on an unknown datastore: %v", err)
	}
	if err := Delete(ctx, c, "web01", true); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
}

// leavesFiles is a Host whose Destroy leaves a file in the VM's folder, as
// a real host does with files it does not know (logs of older runs, core
// dumps).
type leavesFiles struct {
	Host
	dir string
}

func (h leavesFiles) Destroy(ctx context.Context, vm VMRef) error {
	if err := h.Host.Destroy(ctx, vm); err != nil {
		return err
	}
	if err := os.MkdirAll(h.dir, 0o700); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(h.dir, "vmware-1.log"), []byte("old log\n"), 0o600)
}

func TestDeleteRemovesLeftovers(t *testing.T) {
	sim, c := startHost(t, esxisim.Options{})
	ctx := testCtx(t)
	createWeb(t, c, false)
	h := leavesFiles{Host: NewAPIHost(c), dir: filepath.Join(sim.DatastoreDir(), "web01")}
	if err := DeleteWith(ctx, c, "web01", DeleteOptions{Host: h}); err != nil {
		t.Fatal(err)
	}
	assertOnlyTemplate(t, sim)
}

func TestDeleteKeepsSharedFolder(t *testing.T) {
	sim, c := startHost(t, esxisim.Options{})
	ctx := testCtx(t)
	createWeb(t, c, false)
	// Another VM registered in web01's folder.
	other := &NewVM{Name: "other", Path: "[datastore1] web01/other/other.vmx", Datastore: "datastore1",
		Hardware: Hardware{GuestID: "otherLinux64Guest", CPU: 1, MemoryMB: 256}}
	if _, err := NewAPIHost(c).CreateVM(ctx, other); err != nil {
		t.Fatal(err)
	}
	h := leavesFiles{Host: NewAPIHost(c), dir: filepath.Join(sim.DatastoreDir(), "web01")}
	if err := DeleteWith(ctx, c, "web01", DeleteOptions{Host: h}); err != nil {
		t.Fatal(err)
	}
	if files := folderFiles(t, sim, "web01"); !contains(files, "vmware-1.log") {
		t.Fatalf("the shared folder was emptied: %v", files)
	}
	if _, err := Find(ctx, c, "other"); err != nil {
		t.Fatalf("the other VM: %v", err)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestPlanCreate(t *testing.T) {
	sim, c := startHost(t, esxisim.Options{})
	ctx := testCtx(t)
	steps, err := PlanCreate(ctx, c, CreateSpec{
		Name: "web01", Template: esxisim.TemplateName, DiskSizeBytes: 20 << 30, PowerOn: true, WaitIP: 5 * 60e9,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"FileManager.MakeDirectory [datastore1] web01",
		"VirtualDiskManager.CopyVirtualDisk_Task [datastore1] ubuntu-24.04-template/ubuntu-24.04-template.vmdk -> [datastore1] web01/web01.vmdk (thin)",
		"FileManager.CopyDatastoreFile_Task [datastore1] ubuntu-24.04-template/ubuntu-24.04-template.nvram -> [datastore1] web01/web01.nvram",
		`Folder.CreateVM_Task web01 (2 vCPU, 2048 MiB, efi, vmxnet3 on "VM Network", 1 disk(s))`,
		"VirtualMachine.ReconfigVM_Task web01: grow [datastore1] web01/web01.vmdk to 20 GiB",
		"VirtualMachine.PowerOnVM_Task web01",
		"PropertyCollector.WaitForUpdatesEx web01 guest.ipAddress (up to 5m0s)",
	}
	if got := actions(steps); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("plan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, s := range steps {
		if s.Via != "api" {
			t.Errorf("step %+v is not over the API", s)
		}
	}
	if !strings.Contains(ops.FormatPlan(steps), " 1. [api] FileManager.MakeDirectory") {
		t.Errorf("formatted plan:\n%s", ops.FormatPlan(steps))
	}
	assertOnlyTemplate(t, sim)
}

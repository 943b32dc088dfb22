//go:build !integration

package integration

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/vmware/govmomi/vim25/types"
)

// TestFreeLicenceFullDatastoreRollsBack: a disk copy that fails for lack of
// space (vmkfstools' error, from a fault injected in the simulator) is the
// same error as over the API, and the rollback removes the folder over SSH.
func TestFreeLicenceFullDatastoreRollsBack(t *testing.T) {
	h := startFreeHost(t)
	h.sim.FailTask("CopyVirtualDisk_Task", &types.NoDiskSpace{Datastore: h.sim.Datastore()}, 1)
	var err error
	notes := freeOpNotes(t, "vm.create", func(ctx context.Context) error {
		_, err = vm.Create(ctx, h.c, vm.CreateSpec{Name: "full", Template: esxisim.TemplateName, Host: h.fallback(t)})
		return nil
	})
	var step *vm.StepError
	if !errors.Is(err, client.ErrNoDiskSpace) || !errors.As(err, &step) || len(step.Left) != 0 || len(step.Undone) != 1 {
		t.Fatalf("err = %v", err)
	}
	wantCommands(t, h.shell.Commands(), "mkdir /vmfs/volumes/datastore1/full", "vmkfstools -i ", "rm -rf /vmfs/volumes/datastore1/full")
	assertNotes(t, notes, "making folder", "copying disk", "deleting folder")
	if _, err := os.Stat(h.sim.DatastoreDir() + "/full"); !os.IsNotExist(err) {
		t.Fatalf("folder left: %v", err)
	}
}

// TestFreeLicenceCloneOfARunningVM: a running source is copied from a
// snapshot taken and removed with vim-cmd.
func TestFreeLicenceCloneOfARunningVM(t *testing.T) {
	h := startFreeHost(t)
	ctx := context.Background()
	fb := h.fallback(t)
	if _, err := vm.Power(ctx, h.c, esxisim.TemplateName, vm.PowerOn, vm.PowerOptions{Host: fb}); err != nil {
		t.Fatal(err)
	}
	n := len(h.shell.Commands())
	notes := freeOp(t, "vm.clone", func(ctx context.Context) error {
		_, err := vm.Clone(ctx, h.c, vm.CloneSpec{Name: "hot", Source: esxisim.TemplateName, Snapshot: true, Host: fb})
		return err
	})
	wantCommands(t, h.commandsSince(n), "vim-cmd vmsvc/snapshot.create ", "vim-cmd vmsvc/snapshot.get ", "vmkfstools -i ",
		"vim-cmd vmsvc/snapshot.remove ", "vim-cmd solo/registervm ")
	assertNotes(t, notes, "taking snapshot of "+esxisim.TemplateName, "removing snapshot of "+esxisim.TemplateName)
	info, err := vm.GetInfo(ctx, h.c, esxisim.TemplateName)
	if err != nil || info.PowerState != vm.PoweredOn {
		t.Fatalf("source after the clone: %+v %v", info, err)
	}
	if out := h.shellRun(t, "vim-cmd vmsvc/snapshot.get "+vmidOf(t, h, esxisim.TemplateName)); out != "Get Snapshot:\n" {
		t.Fatalf("snapshot left:\n%s", out)
	}
}

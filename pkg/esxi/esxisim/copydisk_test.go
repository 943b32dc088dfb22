package esxisim

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/ceso/ceso/pkg/vmdk"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"
)

// TestCopyDiskWithSpecKeepsData copies the template's disk thin, as a
// standalone ESXi needs it asked, and finds the same bytes in the copy.
func TestCopyDiskWithSpecKeepsData(t *testing.T) {
	sim := startSim(t, Options{TemplateDiskSize: 3 << 20})
	c := connect(t, sim).Client
	ctx := context.Background()
	dc, err := find.NewFinder(c).DefaultDatacenter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fm := object.NewFileManager(c)
	if err := fm.MakeDirectory(ctx, "[datastore1] copy1", dc, false); err != nil {
		t.Fatal(err)
	}
	vdm := object.NewVirtualDiskManager(c)
	src := "[datastore1] " + TemplateName + "/" + TemplateName + ".vmdk"
	for _, tt := range []struct {
		spec    types.BaseVirtualDiskSpec
		dst     string
		wantErr bool
	}{
		{&types.VirtualDiskSpec{DiskType: "thin", AdapterType: "lsiLogic"}, "copy1/a.vmdk", false},
		{nil, "copy1/b.vmdk", false},
		{&types.VirtualDiskSpec{DiskType: "sparkly", AdapterType: "lsiLogic"}, "copy1/c.vmdk", true},
	} {
		task, err := vdm.CopyVirtualDisk(ctx, src, dc, "[datastore1] "+tt.dst, dc, tt.spec, false)
		if err == nil {
			err = task.Wait(ctx)
		}
		if tt.wantErr {
			if err == nil {
				t.Errorf("%s: a bad disk type was accepted", tt.dst)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tt.dst, err)
		}
		want, _ := os.ReadFile(filepath.Join(sim.DatastoreDir(), TemplateName, TemplateName+"-flat.vmdk"))
		got, err := os.ReadFile(filepath.Join(sim.DatastoreDir(), filepath.Dir(tt.dst), filepath.Base(tt.dst[:len(tt.dst)-5])+"-flat.vmdk"))
		if err != nil || len(want) != 3<<20 || !bytes.Equal(got, want) {
			t.Fatalf("%s: the copy's data differs from the template's (%d vs %d bytes, %v)", tt.dst, len(got), len(want), err)
		}
	}
}

// TestCopyingADeltaConsolidatesTheChain copies the disk of a VM that has a
// snapshot, through its delta, and gets one flat disk holding the current
// state, as CopyVirtualDisk_Task does on ESXi.
func TestCopyingADeltaConsolidatesTheChain(t *testing.T) {
	sim := startSim(t, Options{})
	gc := connect(t, sim)
	c := gc.Client
	ctx := context.Background()
	vm := vmByName(t, gc, TemplateName)
	if err := powerOn(ctx, vm); err != nil {
		t.Fatal(err)
	}
	snapshot(t, vm, "s")
	if err := sim.WriteGuestDisk(TemplateName, 0, 70000, []byte("after the snapshot")); err != nil {
		t.Fatal(err)
	}
	want, err := sim.ReadDisk(TemplateName, 0)
	if err != nil {
		t.Fatal(err)
	}
	dc, err := find.NewFinder(c).DefaultDatacenter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := object.NewFileManager(c).MakeDirectory(ctx, "[datastore1] copy", dc, false); err != nil {
		t.Fatal(err)
	}
	src := firstDisk(t, vm).FileName
	task, err := object.NewVirtualDiskManager(c).CopyVirtualDisk(ctx, src, dc, "[datastore1] copy/copy.vmdk", dc,
		&types.VirtualDiskSpec{DiskType: "thin", AdapterType: "lsiLogic"}, false)
	if err == nil {
		err = task.Wait(ctx)
	}
	if err != nil {
		t.Fatalf("copying %s: %v", src, err)
	}
	got := readFile(t, filepath.Join(sim.DatastoreDir(), "copy", "copy-flat.vmdk"))
	if !bytes.Equal(got, want) {
		t.Fatalf("the copy (%d bytes) is not the current state of the chain (%d bytes)", len(got), len(want))
	}
	desc, err := vmdk.ParseDescriptor(readFile(t, filepath.Join(sim.DatastoreDir(), "copy", "copy.vmdk")))
	if err != nil || desc.CreateType != "vmfs" || desc.ParentFileNameHint != "" || desc.Extents[0].File != "copy-flat.vmdk" {
		t.Fatalf("the copy's descriptor is not a flat disk's: %+v, %v", desc, err)
	}
	task, err = object.NewVirtualDiskManager(c).CopyVirtualDisk(ctx, src, dc, "[datastore1] copy/copy.vmdk", dc, nil, false)
	if err == nil {
		err = task.Wait(ctx)
	}
	if !isTaskError(err) {
		t.Errorf("copying onto an existing disk: %v, want FileAlreadyExists", err)
	}
}

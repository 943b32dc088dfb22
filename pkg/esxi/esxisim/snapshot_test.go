package esxisim

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/vmdk"
	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// firstDisk reads the backing of a VM's first disk through the API.
func firstDisk(t *testing.T, vm *object.VirtualMachine) *types.VirtualDiskFlatVer2BackingInfo {
	t.Helper()
	var m mo.VirtualMachine
	if err := vm.Properties(context.Background(), vm.Reference(), []string{"config.hardware.device"}, &m); err != nil {
		t.Fatal(err)
	}
	disks := object.VirtualDeviceList(m.Config.Hardware.Device).SelectByType((*types.VirtualDisk)(nil))
	if len(disks) == 0 {
		t.Fatal("no disk")
	}
	b, ok := disks[0].GetVirtualDevice().Backing.(*types.VirtualDiskFlatVer2BackingInfo)
	if !ok {
		t.Fatalf("backing %T", disks[0].GetVirtualDevice().Backing)
	}
	return b
}

func snapshot(t *testing.T, vm *object.VirtualMachine, name string) types.ManagedObjectReference {
	t.Helper()
	ctx := context.Background()
	task, err := vm.CreateSnapshot(ctx, name, "", false, false)
	if err != nil {
		t.Fatal(err)
	}
	info, err := task.WaitForResult(ctx, nil)
	if err != nil {
		t.Fatalf("CreateSnapshot_Task: %v", err)
	}
	return info.Result.(types.ManagedObjectReference)
}

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSnapshotMovesDisksOntoSESparseDeltas(t *testing.T) {
	s := startSim(t, Options{})
	c := connect(t, s)
	vm := vmByName(t, c, TemplateName)
	dir := filepath.Join(s.DatastoreDir(), TemplateName)
	flat := filepath.Join(dir, TemplateName+"-flat.vmdk")
	original := readFile(t, flat)
	if err := powerOn(context.Background(), vm); err != nil {
		t.Fatal(err)
	}

	snapshot(t, vm, "one")
	b := firstDisk(t, vm)
	wantFile := "[datastore1] " + TemplateName + "/" + TemplateName + "-000001.vmdk"
	if b.FileName != wantFile || b.DeltaDiskFormat != "seSparseFormat" || b.Parent == nil ||
		b.Parent.FileName != "[datastore1] "+TemplateName+"/"+TemplateName+".vmdk" {
		t.Fatalf("backing after a snapshot: file %q, format %q, parent %+v", b.FileName, b.DeltaDiskFormat, b.Parent)
	}
	desc, err := vmdk.ParseDescriptor(readFile(t, filepath.Join(dir, TemplateName+"-000001.vmdk")))
	if err != nil || desc.CreateType != "seSparse" || desc.ParentFileNameHint != TemplateName+".vmdk" ||
		desc.Extents[0].File != TemplateName+"-000001-sesparse.vmdk" {
		t.Fatalf("delta descriptor %+v, %v", desc, err)
	}

	// the guest writes: the base stays as the snapshot keeps it
	patch := bytes.Repeat([]byte("guest write "), 1000)
	if err := s.WriteGuestDisk(TemplateName, 0, 5000, patch); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readFile(t, flat), original) {
		t.Fatal("the base disk changed while a snapshot exists")
	}
	want := append([]byte(nil), original...)
	copy(want[5000:], patch)
	if got, err := s.ReadDisk(TemplateName, 0); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("current state differs from base+write (%v)", err)
	}

	// a second snapshot chains a second delta
	snapshot(t, vm, "two")
	if b := firstDisk(t, vm); !strings.HasSuffix(b.FileName, "-000002.vmdk") || b.Parent == nil || b.Parent.Parent == nil {
		t.Fatalf("second snapshot: %q", b.FileName)
	}
	patch2 := []byte("second write")
	if err := s.WriteGuestDisk(TemplateName, 0, 4096*3+10, patch2); err != nil {
		t.Fatal(err)
	}
	copy(want[4096*3+10:], patch2)

	removeAll(t, vm)
	if b := firstDisk(t, vm); b.Parent != nil || !strings.HasSuffix(b.FileName, TemplateName+".vmdk") {
		t.Fatalf("after RemoveAllSnapshots: %q, parent %v", b.FileName, b.Parent)
	}
	if got := readFile(t, flat); !bytes.Equal(got[:len(want)], want) {
		t.Fatal("the deltas were not merged into the base disk")
	}
	left, _ := filepath.Glob(filepath.Join(dir, "*-00000*"))
	if len(left) != 0 {
		t.Fatalf("delta files left: %v", left)
	}
}

func removeAll(t *testing.T, vm *object.VirtualMachine) {
	t.Helper()
	ctx := context.Background()
	task, err := vm.RemoveAllSnapshot(ctx, nil)
	if err == nil {
		err = task.Wait(ctx)
	}
	if err != nil {
		t.Fatalf("RemoveAllSnapshots_Task: %v", err)
	}
}

func removeSnapshot(t *testing.T, c *govmomi.Client, ref types.ManagedObjectReference, children bool) {
	t.Helper()
	ctx := context.Background()
	req := types.RemoveSnapshot_Task{This: ref, RemoveChildren: children, Consolidate: types.NewBool(true)}
	res, err := methods.RemoveSnapshot_Task(ctx, c.Client, &req)
	if err == nil {
		err = object.NewTask(c.Client, res.Returnval).Wait(ctx)
	}
	if err != nil {
		t.Fatalf("RemoveSnapshot_Task: %v", err)
	}
}

func TestRemovingSnapshotsConsolidatesTheirDeltas(t *testing.T) {
	s := startSim(t, Options{})
	c := connect(t, s)
	vm := vmByName(t, c, TemplateName)
	dir := filepath.Join(s.DatastoreDir(), TemplateName)
	flat := filepath.Join(dir, TemplateName+"-flat.vmdk")
	orig := readFile(t, flat)
	if err := powerOn(context.Background(), vm); err != nil {
		t.Fatal(err)
	}
	write := func(off int64, text string, want ...[]byte) {
		t.Helper()
		if err := s.WriteGuestDisk(TemplateName, 0, off, []byte(text)); err != nil {
			t.Fatal(err)
		}
		for _, w := range want {
			copy(w[off:], text)
		}
	}
	afterA := append([]byte(nil), orig...)
	now := append([]byte(nil), orig...)
	s1 := snapshot(t, vm, "one")
	write(100, "change A", afterA, now)
	s2 := snapshot(t, vm, "two")
	write(9000, "change B", now)

	removeSnapshot(t, c, s1, false)
	if got := readFile(t, flat); !bytes.Equal(got, afterA) {
		t.Fatal("removing the first snapshot did not merge its delta into the base")
	}
	if got, _ := s.ReadDisk(TemplateName, 0); !bytes.Equal(got, now) {
		t.Fatal("the current state changed when a snapshot was removed")
	}
	b := firstDisk(t, vm)
	if !strings.HasSuffix(b.FileName, "-000002.vmdk") || b.Parent == nil || b.Parent.Parent != nil ||
		!strings.HasSuffix(b.Parent.FileName, TemplateName+".vmdk") {
		t.Fatalf("chain after removing the first snapshot: %q over %+v", b.FileName, b.Parent)
	}
	if _, err := os.Stat(filepath.Join(dir, TemplateName+"-000001-sesparse.vmdk")); !os.IsNotExist(err) {
		t.Errorf("the merged delta is still there: %v", err)
	}
	desc, _ := vmdk.ParseDescriptor(readFile(t, filepath.Join(dir, TemplateName+"-000002.vmdk")))
	if desc.ParentFileNameHint != TemplateName+".vmdk" {
		t.Errorf("the remaining delta's parent is %q", desc.ParentFileNameHint)
	}

	removeSnapshot(t, c, s2, false)
	if got := readFile(t, flat); !bytes.Equal(got, now) {
		t.Fatal("removing the last snapshot did not merge the current delta")
	}
	if b := firstDisk(t, vm); b.Parent != nil {
		t.Fatalf("still on a delta: %q", b.FileName)
	}
}

func TestRemovingASnapshotWithChildrenAndReverting(t *testing.T) {
	s := startSim(t, Options{})
	c := connect(t, s)
	vm := vmByName(t, c, TemplateName)
	flat := filepath.Join(s.DatastoreDir(), TemplateName, TemplateName+"-flat.vmdk")
	orig := readFile(t, flat)
	if err := powerOn(context.Background(), vm); err != nil {
		t.Fatal(err)
	}
	s1 := snapshot(t, vm, "one")
	if err := s.WriteGuestDisk(TemplateName, 0, 0, []byte("lost on revert")); err != nil {
		t.Fatal(err)
	}
	task, err := vm.RevertToCurrentSnapshot(context.Background(), true)
	if err == nil {
		err = task.Wait(context.Background())
	}
	if err != nil {
		t.Fatalf("RevertToCurrentSnapshot_Task: %v", err)
	}
	if got, _ := s.ReadDisk(TemplateName, 0); !bytes.Equal(got, orig) {
		t.Fatal("revert kept the write made after the snapshot")
	}
	if err := s.WriteGuestDisk(TemplateName, 0, 0, []byte("kept")); err != nil {
		t.Fatal(err)
	}
	snapshot(t, vm, "two")
	removeSnapshot(t, c, s1, true)
	want := append([]byte("kept"), orig[4:]...)
	if got := readFile(t, flat); !bytes.Equal(got, want) {
		t.Fatal("removing a snapshot and its children did not consolidate into the base")
	}
	if b := firstDisk(t, vm); b.Parent != nil {
		t.Fatalf("still on a delta: %q", b.FileName)
	}
	left, _ := filepath.Glob(filepath.Join(s.DatastoreDir(), TemplateName, "*-00000*"))
	if len(left) != 0 {
		t.Fatalf("delta files left: %v", left)
	}
}

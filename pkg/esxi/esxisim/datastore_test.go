package esxisim

import (
	"context"
	"testing"

	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/ovf"
	"github.com/vmware/govmomi/simulator/esx"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// TestBadDatastoreNamesAnswerFaults calls every path-taking method with an
// unknown datastore: each must answer a fault, never crash the simulator.
func TestBadDatastoreNamesAnswerFaults(t *testing.T) {
	s := startSim(t, Options{})
	c := connect(t, s)
	ctx := context.Background()
	dc := object.NewDatacenter(c.Client, esx.Datacenter.Self)
	fm := object.NewFileManager(c.Client)
	vdm := object.NewVirtualDiskManager(c.Client)
	folder := object.NewFolder(c.Client, esx.Datacenter.VmFolder)
	pool := object.NewResourcePool(c.Client, esx.ResourcePool.Self)
	vm := vmByName(t, c, TemplateName)
	wait := func(task *object.Task, err error) error {
		if err != nil {
			return err
		}
		return task.Wait(ctx)
	}
	badVM := spec(t, s, "bad")
	badVM.Files.VmPathName = "[nope] bad"
	badDisk := spec(t, s, "bad-disk")
	badDisk.DeviceChange[1].GetVirtualDeviceConfigSpec().Device.(*types.VirtualDisk).Backing.(*types.VirtualDiskFlatVer2BackingInfo).FileName = "[nope] bad/bad.vmdk"
	addDisk := spec(t, s, TemplateName)
	addDisk.DeviceChange = addDisk.DeviceChange[1:2]
	addDisk.DeviceChange[0].GetVirtualDeviceConfigSpec().Device.(*types.VirtualDisk).Backing.(*types.VirtualDiskFlatVer2BackingInfo).FileName = "[nope] extra.vmdk"
	addDisk.Name = ""
	tests := []struct {
		name string
		call func() error
		want types.BaseMethodFault
	}{
		{"CreateVM_Task vmPathName", func() error { _, err := createVM(t, s, c, badVM); return err }, &types.InvalidDatastorePath{}},
		{"CreateVM_Task disk", func() error { _, err := createVM(t, s, c, badDisk); return err }, &types.InvalidDatastorePath{}},
		{"ReconfigVM_Task disk", func() error { return wait(vm.Reconfigure(ctx, addDisk)) }, &types.InvalidDatastorePath{}},
		{"RegisterVM_Task", func() error { return wait(folder.RegisterVM(ctx, "[nope] x/x.vmx", "x", false, pool, nil)) }, &types.InvalidDatastorePath{}},
		{"RegisterVM_Task empty datastore", func() error { return wait(folder.RegisterVM(ctx, "[] x/x.vmx", "x", false, pool, nil)) }, &types.InvalidDatastorePath{}},
		{"MakeDirectory", func() error { return fm.MakeDirectory(ctx, "[nope] dir", dc, true) }, &types.InvalidDatastore{}},
		{"DeleteDatastoreFile_Task", func() error { return wait(fm.DeleteDatastoreFile(ctx, "[nope] x", dc)) }, &types.InvalidDatastore{}},
		{"MoveDatastoreFile_Task", func() error { return wait(fm.MoveDatastoreFile(ctx, "[nope] a", dc, "[datastore1] b", dc, false)) }, &types.InvalidDatastore{}},
		{"CopyVirtualDisk_Task", func() error {
			return wait(vdm.CopyVirtualDisk(ctx, "[nope] a.vmdk", dc, "[datastore1] b.vmdk", dc, nil, false))
		}, &types.InvalidDatastore{}},
		{"CreateImportSpec datastore ref", func() error {
			ovfm := ovf.NewManager(c.Client)
			ds := object.NewDatastore(c.Client, types.ManagedObjectReference{Type: "Datastore", Value: "nope"})
			_, err := ovfm.CreateImportSpec(ctx, "<Envelope/>", pool, ds, &types.OvfCreateImportSpecParams{})
			return err
		}, &types.ManagedObjectNotFound{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if err == nil {
				t.Fatal("no error")
			}
			if !soap.IsSoapFault(err) && !isTaskError(err) {
				t.Fatalf("err = %v (%T), want a vSphere fault", err, err)
			}
			if !fault.Is(err, tt.want) {
				t.Errorf("err = %v, want %T", err, tt.want)
			}
		})
	}
	if n := len(inventory(t, s)); n != 1 {
		t.Errorf("%d VMs, want only the template", n)
	}
}

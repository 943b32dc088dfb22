package esxisim

import (
	"context"
	"strings"
	"testing"

	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/license"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator/esx"
	"github.com/vmware/govmomi/vim25/types"
)

func TestFreeLicenceRefusesWrites(t *testing.T) {
	s := startSim(t, Options{FreeLicence: true})
	c := connect(t, s)
	ctx := context.Background()
	vm := vmByName(t, c, TemplateName)
	dc := object.NewDatacenter(c.Client, esx.Datacenter.Self)
	wait := func(task *object.Task, err error) error {
		if err != nil {
			return err
		}
		return task.Wait(ctx)
	}
	writes := []struct {
		name string
		call func() error
	}{
		{"CreateVM_Task", func() error { _, err := createVM(t, s, c, spec(t, s, "x")); return err }},
		{"PowerOnVM_Task", func() error { return wait(vm.PowerOn(ctx)) }},
		{"ReconfigVM_Task", func() error { return wait(vm.Reconfigure(ctx, types.VirtualMachineConfigSpec{Annotation: "x"})) }},
		{"Destroy_Task", func() error { return wait(vm.Destroy(ctx)) }},
		{"CreateSnapshot_Task", func() error { return wait(vm.CreateSnapshot(ctx, "s", "", false, false)) }},
		{"MakeDirectory", func() error { return object.NewFileManager(c.Client).MakeDirectory(ctx, "[datastore1] d", dc, false) }},
		{"CopyVirtualDisk_Task", func() error {
			vdm := object.NewVirtualDiskManager(c.Client)
			return wait(vdm.CopyVirtualDisk(ctx, "[datastore1] a.vmdk", dc, "[datastore1] b.vmdk", dc, nil, false))
		}},
	}
	for _, w := range writes {
		t.Run(w.name, func(t *testing.T) {
			err := w.call()
			if !fault.Is(err, &types.RestrictedVersion{}) {
				t.Fatalf("err = %v, want RestrictedVersion", err)
			}
			if !strings.Contains(err.Error(), msgRestrictedVersion) {
				t.Errorf("faultstring = %q", err)
			}
		})
	}
	if _, err := vm.PowerState(ctx); err != nil {
		t.Errorf("read refused: %v", err)
	}
	infos, err := license.NewManager(c.Client).List(ctx)
	if err != nil || len(infos) != 1 || infos[0].EditionKey != "esx.hypervisor.cpuPackageCoreLimited" {
		t.Errorf("licences = %+v, %v", infos, err)
	}
	s.SetFreeLicence(false)
	if s.FreeLicence() {
		t.Error("switch still on")
	}
	if err := wait(vm.PowerOn(ctx)); err != nil {
		t.Errorf("licence off: %v", err)
	}
	infos, _ = license.NewManager(c.Client).List(ctx)
	if len(infos) != 1 || infos[0].EditionKey == freeLicence.EditionKey {
		t.Errorf("licences after switch off = %+v", infos)
	}
}

func TestWriteMethodsIsSortedAndComplete(t *testing.T) {
	m := WriteMethods()
	for i := 1; i < len(m); i++ {
		if m[i-1] >= m[i] {
			t.Fatalf("not sorted at %d: %s, %s", i, m[i-1], m[i])
		}
	}
	for _, want := range []string{"CreateVM_Task", "PowerOnVM_Task", "PowerOffVM_Task", "Destroy_Task", "ReconfigVM_Task",
		"CopyVirtualDisk_Task", "MakeDirectory", "DeleteDatastoreFile_Task", "MoveDatastoreFile_Task", "RegisterVM_Task",
		"CreateSnapshot_Task", "RemoveSnapshot_Task", "RevertToSnapshot_Task", "ImportVApp"} {
		if !writeMethods[want] {
			t.Errorf("%s is not refused", want)
		}
	}
}

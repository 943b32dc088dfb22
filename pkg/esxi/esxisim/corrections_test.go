package esxisim

import (
	"context"
	"strings"
	"testing"

	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator/esx"
	"github.com/vmware/govmomi/vim25/types"
)

func TestCloneIsNotSupported(t *testing.T) {
	s := startSim(t, Options{})
	c := connect(t, s)
	vm := vmByName(t, c, TemplateName)
	folder := object.NewFolder(c.Client, esx.Datacenter.VmFolder)
	_, err := vm.Clone(context.Background(), folder, "copy", types.VirtualMachineCloneSpec{})
	if !fault.Is(err, &types.NotSupported{}) {
		t.Fatalf("Clone: err = %v, want NotSupported", err)
	}
	if !strings.Contains(err.Error(), msgNotSupported) {
		t.Errorf("faultstring = %q, want ESXi's text", err)
	}
	if n := len(inventory(t, s)); n != 1 {
		t.Errorf("%d VMs after a refused clone, want 1", n)
	}
}

func TestDuplicateNamesAreRefused(t *testing.T) {
	s := startSim(t, Options{})
	c := connect(t, s)
	ctx := context.Background()
	other, err := createVM(t, s, c, spec(t, s, "other"))
	if err != nil {
		t.Fatalf("creating other: %v", err)
	}
	tests := []struct {
		name string
		call func() error
	}{
		{"CreateVM_Task", func() error {
			_, err := createVM(t, s, c, spec(t, s, TemplateName))
			return err
		}},
		{"Rename_Task", func() error {
			task, err := other.Rename(ctx, TemplateName)
			if err != nil {
				return err
			}
			return task.Wait(ctx)
		}},
		{"ReconfigVM_Task name", func() error {
			task, err := other.Reconfigure(ctx, types.VirtualMachineConfigSpec{Name: TemplateName})
			if err != nil {
				return err
			}
			return task.Wait(ctx)
		}},
		{"RegisterVM_Task", func() error {
			folder := object.NewFolder(c.Client, esx.Datacenter.VmFolder)
			pool := object.NewResourcePool(c.Client, esx.ResourcePool.Self)
			task, err := folder.RegisterVM(ctx, "[datastore1] other/other.vmx", TemplateName, false, pool, nil)
			if err != nil {
				return err
			}
			return task.Wait(ctx)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var dup *types.DuplicateName
			if _, ok := fault.As(err, &dup); !ok {
				t.Fatalf("err = %v, want DuplicateName", err)
			}
			if dup.Name != TemplateName {
				t.Errorf("DuplicateName.Name = %q", dup.Name)
			}
		})
	}
	if n := len(inventory(t, s)); n != 2 {
		t.Errorf("%d VMs, want 2", n)
	}
	task, err := other.Rename(ctx, "renamed")
	if err == nil {
		err = task.Wait(ctx)
	}
	if err != nil {
		t.Errorf("renaming to a free name: %v", err)
	}
}

func TestConcurrentCreatesOfOneNameYieldOneVM(t *testing.T) {
	s := startSim(t, Options{})
	c := connect(t, s)
	const n = 6
	errs := make(chan error, n)
	for range n {
		cs := spec(t, s, "racer")
		go func() {
			_, err := createVM(t, s, c, cs)
			errs <- err
		}()
	}
	ok, dup := 0, 0
	for range n {
		switch err := <-errs; {
		case err == nil:
			ok++
		case fault.Is(err, &types.DuplicateName{}):
			dup++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 1 || dup != n-1 {
		t.Errorf("%d created, %d refused; want 1 and %d", ok, dup, n-1)
	}
}

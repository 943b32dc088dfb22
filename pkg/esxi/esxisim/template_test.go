package esxisim

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// inventory returns every VM with the properties the tests look at.
func inventory(t *testing.T, s *Simulator) []mo.VirtualMachine {
	t.Helper()
	c := connect(t, s)
	ctx := context.Background()
	m := view.NewManager(c.Client)
	v, err := m.CreateContainerView(ctx, c.ServiceContent.RootFolder, []string{"VirtualMachine"}, true)
	if err != nil {
		t.Fatalf("container view: %v", err)
	}
	defer func() { _ = v.Destroy(ctx) }()
	var vms []mo.VirtualMachine
	if err := v.Retrieve(ctx, []string{"VirtualMachine"}, []string{"name", "config", "runtime", "guest"}, &vms); err != nil {
		t.Fatalf("retrieve: %v", err)
	}
	return vms
}

func TestFreshHostHoldsOnlyTheTemplate(t *testing.T) {
	s := startSim(t, Options{})
	vms := inventory(t, s)
	if len(vms) != 1 || vms[0].Name != TemplateName {
		names := []string{}
		for _, vm := range vms {
			names = append(names, vm.Name)
		}
		t.Fatalf("VMs = %v, want only %s", names, TemplateName)
	}
	if s.Datastore() != "datastore1" {
		t.Errorf("Datastore = %q", s.Datastore())
	}
}

func TestTemplateHardware(t *testing.T) {
	s := startSim(t, Options{})
	vm := inventory(t, s)[0]
	cfg := vm.Config
	checks := []struct {
		name      string
		got, want any
	}{
		{"power state", vm.Runtime.PowerState, types.VirtualMachinePowerStatePoweredOff},
		{"template flag", cfg.Template, false},
		{"guest id", cfg.GuestId, "ubuntu64Guest"},
		{"firmware", cfg.Firmware, "efi"},
		{"vCPUs", cfg.Hardware.NumCPU, int32(2)},
		{"memory", cfg.Hardware.MemoryMB, int32(2048)},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
			}
		})
	}
	var pvscsi, vmxnet3, disks int
	for _, d := range cfg.Hardware.Device {
		switch d := d.(type) {
		case *types.ParaVirtualSCSIController:
			pvscsi++
		case *types.VirtualVmxnet3:
			vmxnet3++
			b, ok := d.Backing.(*types.VirtualEthernetCardNetworkBackingInfo)
			if !ok || b.DeviceName != "VM Network" {
				t.Errorf("NIC backing = %#v, want VM Network", d.Backing)
			}
		case *types.VirtualDisk:
			disks++
			b, ok := d.Backing.(*types.VirtualDiskFlatVer2BackingInfo)
			if !ok || b.ThinProvisioned == nil || !*b.ThinProvisioned {
				t.Errorf("disk backing = %#v, want thin flat", d.Backing)
			}
			if d.CapacityInBytes != testDiskSize {
				t.Errorf("disk capacity = %d, want %d", d.CapacityInBytes, testDiskSize)
			}
		}
	}
	if pvscsi != 1 || vmxnet3 != 1 || disks != 1 {
		t.Errorf("pvscsi=%d vmxnet3=%d disks=%d, want 1 each", pvscsi, vmxnet3, disks)
	}
}

func TestTemplateDiskHoldsRecognisableBytes(t *testing.T) {
	s := startSim(t, Options{})
	flat := filepath.Join(s.DatastoreDir(), TemplateName, TemplateName+"-flat.vmdk")
	got, err := os.ReadFile(flat)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := io.ReadAll(DiskContent(TemplateName, testDiskSize))
	if !bytes.Equal(got, want) {
		t.Fatalf("flat disk (%d bytes) differs from DiskContent (%d bytes)", len(got), len(want))
	}
	if !bytes.Contains(got[:diskHeaderSize], []byte(TemplateName)) {
		t.Errorf("header does not name the template: %q", got[:80])
	}
}

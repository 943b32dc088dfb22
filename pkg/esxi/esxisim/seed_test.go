package esxisim

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/vmware/govmomi/vim25/types"
)

func TestSeedVMs(t *testing.T) {
	s := startSim(t, Options{ExtraVMs: 3})
	names, err := s.SeedVMs(context.Background(), 5, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"vm-0004", "vm-0005", "vm-0006", "vm-0007", "vm-0008"}
	if fmt.Sprint(names) != fmt.Sprint(want) {
		t.Fatalf("names = %v, want %v", names, want)
	}
	vms := inventory(t, s)
	if len(vms) != 9 {
		t.Fatalf("%d VMs, want template + 8", len(vms))
	}
	states := map[types.VirtualMachinePowerState]int{}
	for _, vm := range vms {
		if vm.Name == TemplateName {
			continue
		}
		states[vm.Runtime.PowerState]++
		keys := map[string]bool{}
		for _, o := range vm.Config.ExtraConfig {
			keys[o.GetOptionValue().Key] = true
		}
		if !keys["guestinfo.ceso.seed.index"] || !keys["guestinfo.ceso.seed.role"] || !keys["guestinfo.ceso.seed.name"] {
			t.Errorf("%s extraConfig = %v", vm.Name, keys)
		}
		var nic, disk bool
		for _, d := range vm.Config.Hardware.Device {
			switch d.(type) {
			case *types.VirtualVmxnet3:
				nic = true
			case *types.VirtualDisk:
				disk = true
			}
		}
		if !nic || !disk {
			t.Errorf("%s: vmxnet3=%v disk=%v", vm.Name, nic, disk)
		}
		st, err := os.Stat(filepath.Join(s.DatastoreDir(), vm.Name, vm.Name+"-flat.vmdk"))
		if err != nil || st.Size() != SeedDiskSize {
			t.Errorf("%s flat disk: %v", vm.Name, err)
		}
	}
	// vm-0003 and vm-0006 on, vm-0007 suspended, the rest off
	if states[types.VirtualMachinePowerStatePoweredOn] != 2 || states[types.VirtualMachinePowerStateSuspended] != 1 ||
		states[types.VirtualMachinePowerStatePoweredOff] != 5 {
		t.Errorf("power states = %v", states)
	}
	if got, _ := s.SeedVMs(context.Background(), 0, 0); got != nil {
		t.Errorf("SeedVMs(0) = %v", got)
	}
}

func BenchmarkSeedVMs(b *testing.B) {
	s := startSim(b, Options{})
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.SeedVMs(context.Background(), 50, 8); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*50)/1e6, "ms/vm")
}

func BenchmarkStart(b *testing.B) {
	for b.Loop() {
		s, err := Start(context.Background(), Options{})
		if err != nil {
			b.Fatal(err)
		}
		_ = s.Close()
	}
}

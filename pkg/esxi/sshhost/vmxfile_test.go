package sshhost

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/ceso/ceso/pkg/esxi/sshhost/vmx"
	"github.com/ceso/ceso/pkg/esxi/vm"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

func TestVMXGolden(t *testing.T) {
	many := testVM("db 01")
	many.Firmware, many.SecureBoot, many.NestedHV, many.CPUHotAdd, many.MemoryHotAdd = "efi", true, true, true, true
	many.Version = ""
	many.Controllers = []vm.Controller{{Kind: "lsilogic", Bus: 0}, {Kind: "nvme", Bus: 0}, {Kind: "sata", Bus: 1}, {Kind: "lsilogic-sas", Bus: 1}, {Kind: "ide", Bus: 0}}
	many.Disks = []vm.DiskAttachment{
		{Path: "[datastore1] db 01/db 01.vmdk", Controller: 0, Unit: 0},
		{Path: "[datastore1] db 01/db 01_1.vmdk", Controller: 1, Unit: 0, Mode: "independent_persistent"},
		{Path: "[datastore2] shared/data.vmdk", Controller: 2, Unit: 3},
		{Path: "[datastore1] db 01/db 01_2.vmdk", Controller: 3, Unit: 1},
		{Path: "[datastore1] db 01/db 01_3.vmdk", Controller: 4, Unit: 1},
	}
	many.NICs = []vm.NetworkAdapter{{Kind: "vmxnet3", Network: "VM Network"}, {Kind: "e1000e", Network: `lab "blue" | 2`}}
	many.ExtraConfig = map[string]string{
		"guestinfo.userdata":          "I2Nsb3VkLWNvbmZpZwo=",
		"guestinfo.userdata.encoding": "base64",
		"guestinfo.note":              `say "hi" | $(reboot) ; it's` + "\n" + "next line",
	}
	tests := []struct {
		golden string
		vm     *vm.NewVM
	}{
		{"web01.vmx", testVM("web01")},
		{"db01-many-devices.vmx", many},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			got, err := VMX(tt.vm)
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join("testdata", tt.golden)
			if *update {
				if err := os.WriteFile(file, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Fatalf("VMX differs from %s (run with -update after checking):\n%s", file, got)
			}
			// The file parses back to the values given.
			f, err := vmx.Parse(got)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.vm.ExtraConfig {
				if back, ok := f.Get(k); !ok || back != v {
					t.Errorf("%s = %q, want %q", k, back, v)
				}
			}
			if name, _ := f.Get("displayName"); name != tt.vm.Name {
				t.Errorf("displayName = %q", name)
			}
		})
	}
}

func TestVMXRefusesWhatItCannotWrite(t *testing.T) {
	tests := []struct {
		name   string
		change func(v *vm.NewVM)
		want   error
	}{
		{"no CPU", func(v *vm.NewVM) { v.CPU = 0 }, vm.ErrInvalidSpec},
		{"bad version", func(v *vm.NewVM) { v.Version = "vmx-x" }, vm.ErrInvalidSpec},
		{"unknown controller", func(v *vm.NewVM) { v.Controllers[0].Kind = "floppy" }, vm.ErrUnsupportedHardware},
		{"bus out of range", func(v *vm.NewVM) { v.Controllers[0].Bus = 4 }, vm.ErrUnsupportedHardware},
		{"two scsi0", func(v *vm.NewVM) { v.Controllers = append(v.Controllers, vm.Controller{Kind: "lsilogic"}) }, vm.ErrInvalidSpec},
		{"disk on no controller", func(v *vm.NewVM) { v.Disks[0].Controller = 3 }, vm.ErrInvalidSpec},
		{"two disks on one unit", func(v *vm.NewVM) { v.Disks = append(v.Disks, v.Disks[0]) }, vm.ErrInvalidSpec},
		{"disk not a vmdk", func(v *vm.NewVM) { v.Disks[0].Path = "[datastore1] x/x.iso" }, vm.ErrInvalidSpec},
		{"bad vmx path", func(v *vm.NewVM) { v.Path = "datastore1/x.vmx" }, vm.ErrInvalidSpec},
		{"unknown NIC", func(v *vm.NewVM) { v.NICs[0].Kind = "vmxnet2" }, vm.ErrUnsupportedHardware},
		{"NIC without network", func(v *vm.NewVM) { v.NICs[0].Network = "" }, vm.ErrInvalidSpec},
		{"key with a newline", func(v *vm.NewVM) { v.ExtraConfig["guestinfo.x\nnumvcpus"] = "64" }, vm.ErrInvalidSpec},
		{"key overriding hardware", func(v *vm.NewVM) { v.ExtraConfig["memsize"] = "1" }, vm.ErrInvalidSpec},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := testVM("web01")
			tt.change(v)
			if _, err := VMX(v); !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

package vm

import (
	"errors"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/errkind"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
)

func TestGetInfoTemplate(t *testing.T) {
	sim, c := startSim(t, esxisim.Options{})
	info, err := GetInfo(testCtx(t), c, esxisim.TemplateName)
	if err != nil {
		t.Fatal(err)
	}
	if info.Firmware != "efi" || info.GuestOS != "ubuntu64Guest" || info.CPU != 2 || info.MemoryMB != 2048 {
		t.Errorf("hardware %+v", info.Summary)
	}
	if len(info.Disks) != 1 {
		t.Fatalf("disks %+v", info.Disks)
	}
	d := info.Disks[0]
	wantPath := "[" + sim.Datastore() + "] " + esxisim.TemplateName + "/"
	if !strings.HasPrefix(d.Path, wantPath) || !strings.HasSuffix(d.Path, ".vmdk") || !d.Thin || d.CapacityBytes != esxisim.DefaultTemplateDiskSize {
		t.Errorf("disk %+v", d)
	}
	if !strings.Contains(d.Controller, "pvscsi") {
		t.Errorf("controller %q", d.Controller)
	}
	if len(info.NICs) != 1 || info.NICs[0].Type != "vmxnet3" || info.NICs[0].Network != "VM Network" || info.NICs[0].MAC == "" {
		t.Fatalf("nics %+v", info.NICs)
	}
	if info.Tools.RunningStatus != "guestToolsNotRunning" || len(info.IPs) != 0 {
		t.Errorf("a powered-off template has no tools or IPs: %+v %v", info.Tools, info.IPs)
	}
	for _, k := range info.GuestInfoKeys {
		if !strings.HasPrefix(k, "guestinfo.") || info.ExtraConfig[k] == "" && k != "" {
			t.Errorf("guestinfo key %q", k)
		}
	}
}

func TestGetInfoGuestAddresses(t *testing.T) {
	sim, c := startSim(t, esxisim.Options{ExtraVMs: 2})
	if err := sim.SetGuest("vm-0002", esxisim.Guest{IP: "192.0.2.20", ToolsRunning: true, HostName: "web"}); err != nil {
		t.Fatal(err)
	}
	info, err := GetInfo(testCtx(t), c, "vm-0002")
	if err != nil {
		t.Fatal(err)
	}
	if info.IP != "192.0.2.20" || len(info.IPs) == 0 || info.IPs[0] != "192.0.2.20" {
		t.Fatalf("ips %q %v", info.IP, info.IPs)
	}
	if info.Tools.RunningStatus != "guestToolsRunning" {
		t.Errorf("tools %+v", info.Tools)
	}
	if len(info.NICs) == 0 || len(info.NICs[0].IPs) == 0 {
		t.Errorf("the NIC should carry its guest address: %+v", info.NICs)
	}
	if len(info.GuestInfoKeys) == 0 {
		t.Error("seeded VMs carry guestinfo keys")
	}
}

func TestGetInfoUnknown(t *testing.T) {
	_, c := startSim(t, esxisim.Options{})
	_, err := GetInfo(testCtx(t), c, "no-such-vm")
	if !errors.Is(err, ErrNotFound) || errkind.Of(err) != errkind.NotFound {
		t.Fatalf("error %v", err)
	}
	if !strings.Contains(err.Error(), `"no-such-vm"`) {
		t.Errorf("message does not name the VM: %v", err)
	}
}

package esxisim

import (
	"testing"

	"github.com/ceso/ceso/pkg/cloudinit"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

func TestBootedGuestFollowsCloudInit(t *testing.T) {
	static, err := cloudinit.Build(cloudinit.Spec{Hostname: "web01", InstanceID: "i-1",
		NICs: []cloudinit.NIC{{Name: "ens192", Addresses: []string{"2001:db8::10/64", "192.0.2.10/24"}, Gateway4: "192.0.2.1"}}})
	if err != nil {
		t.Fatal(err)
	}
	dhcp, err := cloudinit.Build(cloudinit.Spec{Hostname: "db1", InstanceID: "i-2"})
	if err != nil {
		t.Fatal(err)
	}
	vmWith := func(keys map[string]string) *simulator.VirtualMachine {
		vm := &simulator.VirtualMachine{VirtualMachine: mo.VirtualMachine{Config: &types.VirtualMachineConfigInfo{}}}
		vm.Name = "vm-x"
		for k, v := range keys {
			vm.Config.ExtraConfig = append(vm.Config.ExtraConfig, &types.OptionValue{Key: k, Value: v})
		}
		return vm
	}
	tests := []struct {
		name     string
		keys     map[string]string
		ip, host string
	}{
		{"static", static, "192.0.2.10", "web01"},
		{"dhcp", dhcp, AutoGuestIP("vm-x"), "db1"},
		{"no guestinfo", nil, AutoGuestIP("vm-x"), "vm-x"},
		{"undecodable", map[string]string{"guestinfo.metadata": "!!!", "guestinfo.metadata.encoding": "base64"}, AutoGuestIP("vm-x"), "vm-x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := bootedGuest(vmWith(tt.keys))
			if g.IP != tt.ip || g.HostName != tt.host || !g.ToolsRunning {
				t.Fatalf("guest %+v, want %s %s", g, tt.ip, tt.host)
			}
		})
	}
}

package vm

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

var infoProps = []string{"name", "config", "runtime.powerState", "guest", "summary.config.vmPathName"}

// GetInfo returns the details of the VM named name.
func GetInfo(ctx context.Context, c *client.Client, name string) (*Info, error) {
	ref, err := Find(ctx, c, name)
	if err != nil {
		return nil, err
	}
	vm, err := fetch(ctx, c, ref, infoProps)
	if err != nil {
		return nil, fmt.Errorf("reading VM %q: %w", name, err)
	}
	return describe(vm), nil
}

func describe(vm *mo.VirtualMachine) *Info {
	info := &Info{Summary: summarize(vm), ExtraConfig: map[string]string{}}
	if c := vm.Config; c != nil {
		info.GuestFullName, info.Firmware, info.HardwareVersion = c.GuestFullName, c.Firmware, c.Version
		info.InstanceUUID, info.Annotation = c.InstanceUuid, c.Annotation
		devices := object.VirtualDeviceList(c.Hardware.Device)
		info.Disks = disks(devices)
		info.NICs = nics(devices)
		for _, o := range c.ExtraConfig {
			ov := o.GetOptionValue()
			value, _ := ov.Value.(string)
			info.ExtraConfig[ov.Key] = value
			if strings.HasPrefix(ov.Key, "guestinfo.") {
				info.GuestInfoKeys = append(info.GuestInfoKeys, ov.Key)
			}
		}
		sort.Strings(info.GuestInfoKeys)
	}
	if g := vm.Guest; g != nil {
		info.Tools = Tools{RunningStatus: g.ToolsRunningStatus, Status: string(g.ToolsStatus), Version: g.ToolsVersion}
		byMAC := map[string][]string{}
		for _, n := range g.Net {
			byMAC[strings.ToLower(n.MacAddress)] = append(byMAC[strings.ToLower(n.MacAddress)], n.IpAddress...)
			info.IPs = append(info.IPs, n.IpAddress...)
		}
		for i := range info.NICs {
			info.NICs[i].IPs = byMAC[strings.ToLower(info.NICs[i].MAC)]
		}
		if len(info.IPs) == 0 && g.IpAddress != "" {
			info.IPs = []string{g.IpAddress}
		}
	}
	if info.IPs == nil {
		info.IPs = []string{}
	}
	return info
}

func disks(devices object.VirtualDeviceList) []Disk {
	out := []Disk{}
	for _, d := range devices.SelectByType((*types.VirtualDisk)(nil)) {
		disk := d.(*types.VirtualDisk)
		item := Disk{Label: devices.Name(disk), CapacityBytes: disk.CapacityInBytes, Key: disk.Key}
		if item.CapacityBytes == 0 {
			item.CapacityBytes = disk.CapacityInKB * 1024
		}
		if b, ok := disk.Backing.(types.BaseVirtualDeviceFileBackingInfo); ok {
			item.Path = b.GetVirtualDeviceFileBackingInfo().FileName
		}
		if b, ok := disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo); ok && b.ThinProvisioned != nil {
			item.Thin = *b.ThinProvisioned
		}
		if ctrl := devices.FindByKey(disk.ControllerKey); ctrl != nil {
			item.Controller = devices.Name(ctrl)
		}
		out = append(out, item)
	}
	return out
}

func nics(devices object.VirtualDeviceList) []NIC {
	out := []NIC{}
	for _, d := range devices.SelectByType((*types.VirtualEthernetCard)(nil)) {
		card := d.(types.BaseVirtualEthernetCard).GetVirtualEthernetCard()
		n := NIC{Label: devices.Name(d), Type: nicType(d), MAC: card.MacAddress}
		if b, ok := card.Backing.(*types.VirtualEthernetCardNetworkBackingInfo); ok {
			n.Network = b.DeviceName
		}
		if card.Connectable != nil {
			n.Connected = card.Connectable.Connected || card.Connectable.StartConnected
		}
		out = append(out, n)
	}
	return out
}

// nicType names an adapter as the vSphere client does: vmxnet3, e1000e, ...
func nicType(d types.BaseVirtualDevice) string {
	t := reflect.TypeOf(d)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return strings.ToLower(strings.TrimPrefix(t.Name(), "Virtual"))
}

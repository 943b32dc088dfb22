package vm

import (
	"fmt"
	"sort"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"
)

// Temporary device keys of a CreateVM spec: negative and unique.
const (
	controllerKeyBase = -100
	diskKeyBase       = -200
	nicKeyBase        = -300
	// ideKeyBase is the key of the IDE controllers every new VM has.
	ideKeyBase = 200
)

// configSpec turns a NewVM into the CreateVM_Task spec: the template's
// hardware, the disks attached as they are, and network adapters whose MAC
// addresses the host generates.
func configSpec(vm *NewVM, inv *inventory) (types.VirtualMachineConfigSpec, error) {
	ds, err := inv.datastore(vm.Datastore)
	if err != nil {
		return types.VirtualMachineConfigSpec{}, err
	}
	spec := types.VirtualMachineConfigSpec{
		Name:                vm.Name,
		GuestId:             vm.GuestID,
		Version:             vm.Version,
		Firmware:            vm.Firmware,
		NumCPUs:             vm.CPU,
		MemoryMB:            vm.MemoryMB,
		NestedHVEnabled:     types.NewBool(vm.NestedHV),
		CpuHotAddEnabled:    types.NewBool(vm.CPUHotAdd),
		MemoryHotAddEnabled: types.NewBool(vm.MemoryHotAdd),
		Files:               &types.VirtualMachineFileInfo{VmPathName: vm.Path},
		ExtraConfig:         extraConfig(withNVRAM(vm.ExtraConfig, vm.NVRAM)),
	}
	if vm.CoresPerSocket > 0 {
		spec.NumCoresPerSocket = types.NewInt32(vm.CoresPerSocket)
	}
	if vm.Firmware == string(types.GuestOsDescriptorFirmwareTypeEfi) {
		spec.BootOptions = &types.VirtualMachineBootOptions{EfiSecureBootEnabled: types.NewBool(vm.SecureBoot)}
	}
	ctrlKeys := make([]int32, len(vm.Controllers))
	for i, c := range vm.Controllers {
		dev, key, err := controllerDevice(c, int32(controllerKeyBase-i))
		if err != nil {
			return spec, err
		}
		ctrlKeys[i] = key
		if dev != nil {
			spec.DeviceChange = append(spec.DeviceChange, addDevice(dev))
		}
	}
	for i, d := range vm.Disks {
		if d.Controller < 0 || d.Controller >= len(ctrlKeys) {
			return spec, fmt.Errorf("%w: disk %s names controller %d of %d", ErrInvalidSpec, d.Path, d.Controller, len(ctrlKeys))
		}
		spec.DeviceChange = append(spec.DeviceChange, addDevice(diskDevice(d, int32(diskKeyBase-i), ctrlKeys[d.Controller], ds.ref)))
	}
	for i, n := range vm.NICs {
		netRef, err := inv.network(n.Network)
		if err != nil {
			return spec, err
		}
		dev, err := nicDevice(n, int32(nicKeyBase-i), netRef)
		if err != nil {
			return spec, err
		}
		spec.DeviceChange = append(spec.DeviceChange, addDevice(dev))
	}
	return spec, nil
}

func addDevice(d types.BaseVirtualDevice) types.BaseVirtualDeviceConfigSpec {
	return &types.VirtualDeviceConfigSpec{Operation: types.VirtualDeviceConfigSpecOperationAdd, Device: d}
}

// controllerDevice builds a storage controller. IDE controllers exist on
// every VM already: it returns no device, only the key to attach to.
func controllerDevice(c Controller, key int32) (types.BaseVirtualDevice, int32, error) {
	base := types.VirtualController{BusNumber: c.Bus, VirtualDevice: types.VirtualDevice{Key: key}}
	scsi := types.VirtualSCSIController{VirtualController: base, SharedBus: types.VirtualSCSISharingNoSharing}
	switch c.Kind {
	case "pvscsi":
		return &types.ParaVirtualSCSIController{VirtualSCSIController: scsi}, key, nil
	case "lsilogic":
		return &types.VirtualLsiLogicController{VirtualSCSIController: scsi}, key, nil
	case "lsilogic-sas":
		return &types.VirtualLsiLogicSASController{VirtualSCSIController: scsi}, key, nil
	case "buslogic":
		return &types.VirtualBusLogicController{VirtualSCSIController: scsi}, key, nil
	case "nvme":
		return &types.VirtualNVMEController{VirtualController: base}, key, nil
	case "sata":
		return &types.VirtualAHCIController{VirtualSATAController: types.VirtualSATAController{VirtualController: base}}, key, nil
	case "ide":
		if c.Bus < 0 || c.Bus > 1 {
			return nil, 0, fmt.Errorf("%w: IDE bus %d", ErrUnsupportedHardware, c.Bus)
		}
		return nil, ideKeyBase + c.Bus, nil
	}
	return nil, 0, fmt.Errorf("%w: storage controller %q", ErrUnsupportedHardware, c.Kind)
}

func diskDevice(d DiskAttachment, key, ctrlKey int32, ds types.ManagedObjectReference) *types.VirtualDisk {
	mode := d.Mode
	if mode == "" {
		mode = string(types.VirtualDiskModePersistent)
	}
	unit := d.Unit
	return &types.VirtualDisk{
		VirtualDevice: types.VirtualDevice{
			Key:           key,
			ControllerKey: ctrlKey,
			UnitNumber:    &unit,
			Backing: &types.VirtualDiskFlatVer2BackingInfo{
				VirtualDeviceFileBackingInfo: types.VirtualDeviceFileBackingInfo{FileName: d.Path, Datastore: &ds},
				DiskMode:                     mode,
				ThinProvisioned:              types.NewBool(true),
			},
		},
		CapacityInBytes: d.CapacityBytes,
		CapacityInKB:    d.CapacityBytes / 1024,
	}
}

// nicDevice builds a network adapter on a standard port group, with a MAC
// address the host generates.
func nicDevice(n NetworkAdapter, key int32, network types.ManagedObjectReference) (types.BaseVirtualDevice, error) {
	backing := &types.VirtualEthernetCardNetworkBackingInfo{
		VirtualDeviceDeviceBackingInfo: types.VirtualDeviceDeviceBackingInfo{DeviceName: n.Network},
		Network:                        &network,
	}
	dev, err := object.VirtualDeviceList(nil).CreateEthernetCard(n.Kind, backing)
	if err != nil {
		return nil, fmt.Errorf("%w: network adapter %q", ErrUnsupportedHardware, n.Kind)
	}
	card := dev.(types.BaseVirtualEthernetCard).GetVirtualEthernetCard()
	card.Key = key
	card.AddressType = string(types.VirtualEthernetCardMacTypeGenerated)
	card.MacAddress = ""
	card.Connectable = &types.VirtualDeviceConnectInfo{StartConnected: true, AllowGuestControl: true}
	return dev, nil
}

// withNVRAM adds the nvram key to the advanced settings when the new VM
// has a copied NVRAM file.
func withNVRAM(m map[string]string, nvram string) map[string]string {
	if nvram == "" {
		return m
	}
	out := make(map[string]string, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	out[nvramKey] = nvram
	return out
}

// extraConfig renders settings sorted by key, so specs are stable.
func extraConfig(m map[string]string) []types.BaseOptionValue {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]types.BaseOptionValue, 0, len(keys))
	for _, k := range keys {
		out = append(out, &types.OptionValue{Key: k, Value: m[k]})
	}
	return out
}

// findDisk returns the disk whose backing file is path.
func findDisk(devices object.VirtualDeviceList, path string) *types.VirtualDisk {
	for _, d := range devices.SelectByType((*types.VirtualDisk)(nil)) {
		disk := d.(*types.VirtualDisk)
		if b, ok := disk.Backing.(types.BaseVirtualDeviceFileBackingInfo); ok && b.GetVirtualDeviceFileBackingInfo().FileName == path {
			return disk
		}
	}
	return nil
}

func diskCapacity(d *types.VirtualDisk) int64 {
	if d.CapacityInBytes > 0 {
		return d.CapacityInBytes
	}
	return d.CapacityInKB * 1024
}

package esxisim

import (
	"fmt"
	"os"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// vmFile is one file-backed device of a VM (a disk or an ISO image) and
// the local file that holds its bytes.
type vmFile struct {
	device    types.BaseVirtualDevice
	disk      *types.VirtualDisk // nil for other devices
	key       string             // "/vm-1/disk:0", the device key in lease URLs
	importKey string             // "/web/disk:0", as OvfManager.CreateImportSpec names it
	path      string             // local -flat.vmdk of a disk, the file itself otherwise
	desc      string             // local descriptor of a disk's newest file
}

// vmFiles lists the VM's file-backed devices, keyed per device kind in
// device order. Call with the VM locked.
func vmFiles(ctx *simulator.Context, vm *simulator.VirtualMachine) []vmFile {
	if vm.Config == nil {
		return nil
	}
	devices := object.VirtualDeviceList(vm.Config.Hardware.Device)
	count := make(map[string]int)
	var out []vmFile
	for _, d := range devices {
		b, ok := d.GetVirtualDevice().Backing.(types.BaseVirtualDeviceFileBackingInfo)
		if !ok {
			continue
		}
		local, ok := localPath(ctx, b.GetVirtualDeviceFileBackingInfo().FileName)
		if !ok {
			continue
		}
		kind := devices.Type(d)
		n := count[kind]
		count[kind]++
		f := vmFile{
			device:    d,
			key:       fmt.Sprintf("/%s/%s:%d", vm.Self.Value, kind, n),
			importKey: fmt.Sprintf("/%s/%s:%d", vm.Name, kind, n),
			path:      local,
		}
		if disk, ok := d.(*types.VirtualDisk); ok {
			f.disk = disk
			f.desc = local
			f.path = simulator.VirtualDiskBackingFileName(local)
		}
		out = append(out, f)
	}
	return out
}

// vmDisks is vmFiles without the devices that are not disks.
func vmDisks(ctx *simulator.Context, vm *simulator.VirtualMachine) []vmFile {
	var out []vmFile
	for _, f := range vmFiles(ctx, vm) {
		if f.disk != nil {
			out = append(out, f)
		}
	}
	return out
}

func diskCapacity(d *types.VirtualDisk) int64 {
	if d.CapacityInBytes > 0 {
		return d.CapacityInBytes
	}
	return d.CapacityInKB * 1024
}

// ExportVm hands out an export lease, as ESXi does: one device URL per disk
// ("disk-N.vmdk", served as a streamOptimized VMDK of the disk's current
// state, through its snapshot deltas) and, when the VM has an NVRAM file,
// one more for it ("disk-N.nvram", key "/vm-N/nvram", not a disk, its size
// in fileSize, no targetId), as an ESXi 6.7 lease listed it (nutanix/curie,
// curie/vsphere_vcenter.py). ESXi refuses to export a VM that is not
// powered off.
func (d *detour) ExportVm(ctx *simulator.Context, req *types.ExportVm) soap.HasFault {
	vm, ok := ctx.Map.Get(req.This).(*simulator.VirtualMachine)
	if !ok {
		return &methods.ExportVmBody{Fault_: faultOnly(&types.ManagedObjectNotFound{Obj: req.This})}
	}
	var disks []vmFile
	var power types.VirtualMachinePowerState
	var nvram string
	ctx.WithLock(vm, func() {
		power = vm.Runtime.PowerState
		disks = vmDisks(ctx, vm)
		nvram, _ = localPath(ctx, nvramFile(&vm.VirtualMachine))
	})
	if power != types.VirtualMachinePowerStatePoweredOff {
		return &methods.ExportVmBody{Fault_: faultOnly(&types.InvalidPowerState{
			RequestedState: types.VirtualMachinePowerStatePoweredOff,
			ExistingState:  power,
		})}
	}
	lease := d.sim.newLease(ctx, true)
	var urls []types.HttpNfcLeaseDeviceUrl
	var capacityKB int64
	for i, dk := range disks {
		name := fmt.Sprintf("disk-%d.vmdk", i)
		lease.addFile(name, &leaseFile{desc: dk.desc, capacity: diskCapacity(dk.disk), key: dk.key, disk: true})
		capacityKB += diskCapacity(dk.disk) / 1024
		urls = append(urls, types.HttpNfcLeaseDeviceUrl{
			Key:       dk.key,
			ImportKey: dk.importKey,
			Url:       fmt.Sprintf("https://*/nfc/%s/%s", lease.id, name),
			TargetId:  name,
			Disk:      types.NewBool(true),
		})
	}
	if st, err := os.Stat(nvram); err == nil && nvram != "" {
		name := fmt.Sprintf("disk-%d.nvram", len(disks))
		key := fmt.Sprintf("/%s/nvram", vm.Self.Value)
		lease.addFile(name, &leaseFile{path: nvram, key: key})
		urls = append(urls, types.HttpNfcLeaseDeviceUrl{
			Key:      key,
			Url:      fmt.Sprintf("https://*/nfc/%s/%s", lease.id, name),
			Disk:     types.NewBool(false),
			FileSize: st.Size(),
		})
	}
	lease.ready(ctx, vm.Self, urls, capacityKB)
	return &methods.ExportVmBody{Res: &types.ExportVmResponse{Returnval: lease.Self}}
}

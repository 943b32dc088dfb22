package esxihost

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// DiskFile is one virtual disk of a VM, as a backup that reads its files
// sees it.
type DiskFile struct {
	// Path is the datastore path of the disk's descriptor, the top of its
	// chain: "[datastore1] web/web.vmdk".
	Path     string
	Capacity int64
	// Backing names the kind of backing: "flat" (VMFS flat, thin or
	// thick), "seSparse", "sparse", "rdm" or the API's type name.
	Backing string
	// Parent is true when the disk is a delta on a parent disk (the VM
	// has snapshots).
	Parent bool
	// DeviceKey is how an export lease and OvfManager.CreateDescriptor
	// name the disk on ESXi: "/<vm id>/<controller type><bus>:<unit>".
	DeviceKey string
	// Data is the datastore path of the disk's data extent ("[ds]
	// web/web-flat.vmdk") as the host lists it among the VM's files, or
	// ESXi's name for it beside the descriptor when the host lists none.
	Data string
	// IDE is true for a disk on an IDE controller.
	IDE bool
}

// Layout is where a VM's files are.
type Layout struct {
	// VMX is the datastore path of the .vmx.
	VMX      string
	Firmware string
	Disks    []DiskFile
	// NVRAM is the datastore path of the VM's NVRAM file: the one the
	// host lists among the VM's files (then NVRAMListed), else the one
	// the .vmx names, else "<vmx name>.nvram" beside the .vmx.
	NVRAM       string
	NVRAMListed bool
}

// Layout reads where the VM's files are, in one call.
func (h *Host) Layout(ctx context.Context, v VM) (Layout, error) {
	var m mo.VirtualMachine
	err := property.DefaultCollector(h.c.Vim()).RetrieveOne(ctx, v.Reference(),
		[]string{"config.files.vmPathName", "config.firmware", "config.hardware.device", "config.extraConfig", "layoutEx"}, &m)
	if err != nil {
		return Layout{}, fmt.Errorf("reading the VM's files: %w", client.Classify(err))
	}
	if m.Config == nil {
		return Layout{}, fmt.Errorf("reading the VM's files: the host gave no configuration")
	}
	l := Layout{VMX: m.Config.Files.VmPathName, Firmware: m.Config.Firmware}
	devices := object.VirtualDeviceList(m.Config.Hardware.Device)
	for _, d := range devices.SelectByType((*types.VirtualDisk)(nil)) {
		disk := d.(*types.VirtualDisk)
		f := diskFile(v, devices, disk)
		f.Data = dataExtent(m.LayoutEx, disk.Key, f.Path)
		l.Disks = append(l.Disks, f)
	}
	l.NVRAM, l.NVRAMListed = nvramPath(m)
	return l, nil
}

func diskFile(v VM, devices object.VirtualDeviceList, disk *types.VirtualDisk) DiskFile {
	f := DiskFile{Capacity: disk.CapacityInBytes}
	if f.Capacity == 0 {
		f.Capacity = disk.CapacityInKB * 1024
	}
	if b, ok := disk.Backing.(types.BaseVirtualDeviceFileBackingInfo); ok {
		f.Path = b.GetVirtualDeviceFileBackingInfo().FileName
	}
	switch b := disk.Backing.(type) {
	case *types.VirtualDiskFlatVer2BackingInfo:
		f.Backing, f.Parent = "flat", b.Parent != nil
	case *types.VirtualDiskSeSparseBackingInfo:
		f.Backing, f.Parent = "seSparse", b.Parent != nil
	case *types.VirtualDiskSparseVer2BackingInfo:
		f.Backing, f.Parent = "sparse", b.Parent != nil
	case *types.VirtualDiskRawDiskMappingVer1BackingInfo:
		f.Backing, f.Parent = "rdm", b.Parent != nil
	default:
		f.Backing = strings.TrimPrefix(fmt.Sprintf("%T", disk.Backing), "*types.")
	}
	unit := int32(0)
	if disk.UnitNumber != nil {
		unit = *disk.UnitNumber
	}
	if ctrl, ok := devices.FindByKey(disk.ControllerKey).(types.BaseVirtualController); ok {
		_, f.IDE = ctrl.(*types.VirtualIDEController)
		kind := strings.TrimPrefix(fmt.Sprintf("%T", ctrl), "*types.")
		f.DeviceKey = fmt.Sprintf("/%s/%s%d:%d", v.Reference().Value, kind, ctrl.GetVirtualController().BusNumber, unit)
	}
	return f
}

// dataExtent is the data file of the top of the disk's chain as the host
// lists it (layoutEx: the chain's last unit, its file of type
// diskExtent), else "<descriptor>-flat.vmdk", ESXi's name for a flat disk's
// data beside its descriptor.
func dataExtent(l *types.VirtualMachineFileLayoutEx, key int32, descriptor string) string {
	if l != nil {
		names := map[int32]types.VirtualMachineFileLayoutExFileInfo{}
		for _, f := range l.File {
			names[f.Key] = f
		}
		for _, d := range l.Disk {
			if d.Key != key || len(d.Chain) == 0 {
				continue
			}
			for _, k := range d.Chain[len(d.Chain)-1].FileKey {
				if f, ok := names[k]; ok && f.Type == string(types.VirtualMachineFileLayoutExFileTypeDiskExtent) {
					return f.Name
				}
			}
		}
	}
	return strings.TrimSuffix(descriptor, ".vmdk") + "-flat.vmdk"
}

// nvramPath finds the VM's NVRAM file; see Layout.NVRAM.
func nvramPath(m mo.VirtualMachine) (string, bool) {
	if m.LayoutEx != nil {
		for _, f := range m.LayoutEx.File {
			if f.Type == string(types.VirtualMachineFileLayoutExFileTypeNvram) {
				return f.Name, true
			}
		}
	}
	vmx := m.Config.Files.VmPathName
	dir, base := path.Split(vmx)
	for _, o := range m.Config.ExtraConfig {
		if ov := o.GetOptionValue(); ov.Key == "nvram" {
			if s, _ := ov.Value.(string); s != "" && !strings.Contains(s, "/") {
				return dir + s, false
			}
		}
	}
	if !strings.HasSuffix(base, ".vmx") {
		return "", false
	}
	return dir + strings.TrimSuffix(base, ".vmx") + ".nvram", false
}

// NVRAMDeviceKey is how an export lease names the VM's NVRAM file on ESXi.
func NVRAMDeviceKey(v VM) string { return "/" + v.Reference().Value + "/nvram" }

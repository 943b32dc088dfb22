package esxisim

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vmware/govmomi/ovf"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/simulator/esx"
	"github.com/vmware/govmomi/vim25/types"
)

// cimOSIDs maps guest ids to the CIM operating system ids ESXi writes.
var cimOSIDs = map[string]int{
	"ubuntu64Guest":     94,
	"ubuntuGuest":       93,
	"debian10_64Guest":  96,
	"debian11_64Guest":  96,
	"debian12_64Guest":  96,
	"otherLinux64Guest": 101,
	"otherLinuxGuest":   36,
	"otherGuest64":      102,
	"windows9_64Guest":  103,
}

// buildOVF describes vm for the OVF template. Call with the VM locked.
func buildOVF(ctx *simulator.Context, vm *simulator.VirtualMachine, cdp *types.OvfCreateDescriptorParams) ovfDoc {
	cfg := vm.Config
	doc := ovfDoc{
		BuildID:    esx.HostConfigInfo.Product.Build,
		Name:       vm.Name,
		Annotation: cfg.Annotation,
		OSType:     cfg.GuestId,
		OSID:       1,
		Version:    cfg.Version,
	}
	if cdp.Name != "" {
		doc.Name = cdp.Name
	}
	if cdp.Description != "" {
		doc.Annotation = cdp.Description
	}
	if id, ok := cimOSIDs[cfg.GuestId]; ok {
		doc.OSID = id
	}
	cores := ""
	if c := cfg.Hardware.NumCoresPerSocket; c != nil && *c > 0 {
		cores = fmt.Sprint(*c)
	}
	doc.Items = append(doc.Items,
		ovfItem{AllocationUnits: "hertz * 10^6", Description: "Number of Virtual CPUs",
			ElementName: fmt.Sprintf("%d virtual CPU(s)", cfg.Hardware.NumCPU), InstanceID: 1, ResourceType: 3,
			VirtualQuantity: fmt.Sprint(cfg.Hardware.NumCPU), CoresPerSocket: cores},
		ovfItem{AllocationUnits: "byte * 2^20", Description: "Memory Size",
			ElementName: fmt.Sprintf("%dMB of memory", cfg.Hardware.MemoryMB), InstanceID: 2, ResourceType: 4,
			VirtualQuantity: fmt.Sprint(cfg.Hardware.MemoryMB)},
	)
	ids := addControllers(&doc, cfg.Hardware.Device)
	addDisks(&doc, vmDisks(ctx, vm), cdp.OvfFiles, ids)
	addNICs(&doc, cfg.Hardware.Device)
	if cfg.Firmware != "" {
		doc.Config = append(doc.Config, [2]string{"firmware", cfg.Firmware})
	}
	addNVRAM(&doc, "/"+vm.Self.Value+"/nvram", cdp.OvfFiles)
	return doc
}

// addNVRAM refers to the NVRAM file when the client downloaded it.
func addNVRAM(doc *ovfDoc, key string, files []types.OvfFile) {
	i := slices.IndexFunc(files, func(o types.OvfFile) bool { return o.DeviceId == key })
	if i < 0 {
		return
	}
	id := fmt.Sprintf("file%d", len(doc.Files)+1)
	doc.Files = append(doc.Files, ovfFileRef{ID: id, Href: files[i].Path, Size: files[i].Size})
	doc.Extra = append(doc.Extra, [2]string{nvramKey, "ovf:/file/" + id})
}

// addControllers adds the disk controllers and returns their instance ids
// by device key.
func addControllers(doc *ovfDoc, devices []types.BaseVirtualDevice) map[int32]int {
	ids := make(map[int32]int)
	for _, d := range devices {
		item := ovfItem{}
		switch d.(type) {
		case *types.ParaVirtualSCSIController:
			item = ovfItem{ResourceType: 6, ResourceSubType: "VirtualSCSI", Description: "SCSI Controller"}
		case *types.VirtualLsiLogicController:
			item = ovfItem{ResourceType: 6, ResourceSubType: "lsilogic", Description: "SCSI Controller"}
		case *types.VirtualLsiLogicSASController:
			item = ovfItem{ResourceType: 6, ResourceSubType: "lsilogicsas", Description: "SCSI Controller"}
		case *types.VirtualBusLogicController:
			item = ovfItem{ResourceType: 6, ResourceSubType: "buslogic", Description: "SCSI Controller"}
		case *types.VirtualAHCIController:
			item = ovfItem{ResourceType: 20, ResourceSubType: "vmware.sata.ahci", Description: "SATA Controller"}
		case *types.VirtualNVMEController:
			item = ovfItem{ResourceType: 20, ResourceSubType: "vmware.nvme.controller", Description: "NVME Controller"}
		default:
			continue
		}
		c := d.(types.BaseVirtualController).GetVirtualController()
		item.InstanceID = 3 + len(doc.Items) - 2
		item.Address = fmt.Sprint(c.BusNumber)
		item.ElementName = fmt.Sprintf("%s %d", strings.TrimSuffix(item.Description, " Controller")+" controller", c.BusNumber)
		ids[c.Key] = item.InstanceID
		doc.Items = append(doc.Items, item)
	}
	return ids
}

// addDisks adds the file references, the disk section and the disk items.
func addDisks(doc *ovfDoc, disks []vmFile, files []types.OvfFile, ctrl map[int32]int) {
	for i, f := range disks {
		href, size := fmt.Sprintf("%s-%d.vmdk", doc.Name, i), int64(0)
		if j := slices.IndexFunc(files, func(o types.OvfFile) bool { return o.DeviceId == f.key }); j >= 0 {
			href, size = files[j].Path, files[j].Size
		}
		fileID, diskID := fmt.Sprintf("file%d", i+1), fmt.Sprintf("vmdisk%d", i+1)
		capacity, units := capacityUnits(diskCapacity(f.disk))
		doc.Files = append(doc.Files, ovfFileRef{ID: fileID, Href: href, Size: size})
		doc.Disks = append(doc.Disks, ovfDiskRef{ID: diskID, FileRef: fileID, Capacity: capacity, Units: units})
		unit := int32(0)
		if f.disk.UnitNumber != nil {
			unit = *f.disk.UnitNumber
		}
		item := ovfItem{
			AddressOnParent: fmt.Sprint(unit), Description: "Hard disk",
			ElementName: fmt.Sprintf("Hard disk %d", i+1), HostResource: "ovf:/disk/" + diskID,
			InstanceID: len(doc.Items) + 1, ResourceType: 17,
		}
		if id, ok := ctrl[f.disk.ControllerKey]; ok {
			item.Parent = fmt.Sprint(id)
		}
		doc.Items = append(doc.Items, item)
	}
}

// nicSubTypes maps NIC device types to OVF resource subtypes.
var nicSubTypes = map[string]string{
	"VirtualVmxnet3": "VmxNet3", "VirtualE1000": "E1000", "VirtualE1000e": "E1000e",
	"VirtualVmxnet2": "VmxNet2", "VirtualPCNet32": "PCNet32",
}

func addNICs(doc *ovfDoc, devices []types.BaseVirtualDevice) {
	n := 0
	for _, d := range devices {
		card, ok := d.(types.BaseVirtualEthernetCard)
		if !ok {
			continue
		}
		c := card.GetVirtualEthernetCard()
		sub := nicSubTypes[strings.TrimPrefix(fmt.Sprintf("%T", d), "*types.")]
		network := ""
		if b, ok := c.Backing.(*types.VirtualEthernetCardNetworkBackingInfo); ok {
			network = b.DeviceName
		}
		if network != "" && !slices.Contains(doc.Networks, network) {
			doc.Networks = append(doc.Networks, network)
		}
		auto := "true"
		if c.Connectable != nil && !c.Connectable.StartConnected {
			auto = "false"
		}
		unit := int32(7 + n)
		if c.UnitNumber != nil {
			unit = *c.UnitNumber
		}
		n++
		doc.Items = append(doc.Items, ovfItem{
			Optional: true, AddressOnParent: fmt.Sprint(unit), AutomaticAllocation: auto,
			Connection: network, Description: fmt.Sprintf("%s ethernet adapter on %q", sub, network),
			ElementName: fmt.Sprintf("Network adapter %d", n), InstanceID: len(doc.Items) + 1,
			ResourceSubType: sub, ResourceType: 10,
		})
	}
}

// checkOVF refuses descriptors that vcsim's CreateImportSpec would crash on.
func checkOVF(descriptor string) types.BaseMethodFault {
	bad := &types.InvalidArgument{InvalidProperty: "ovfDescriptor"}
	env, err := ovf.Unmarshal(strings.NewReader(descriptor))
	if err != nil || env.VirtualSystem == nil || len(env.VirtualSystem.VirtualHardware) == 0 {
		return bad
	}
	items := env.VirtualSystem.VirtualHardware[0].Item
	kinds := make(map[string]ovf.CIMResourceType, len(items))
	for _, item := range items {
		if item.ResourceType == nil {
			return bad
		}
		kinds[item.InstanceID] = *item.ResourceType
	}
	for _, item := range items {
		if !itemUsable(env, item, kinds) {
			return bad
		}
	}
	return nil
}

// itemUsable checks what vcsim dereferences without checking.
func itemUsable(env *ovf.Envelope, item ovf.ResourceAllocationSettingData, kinds map[string]ovf.CIMResourceType) bool {
	parent := func() (ovf.CIMResourceType, bool) {
		if item.Parent == nil {
			return 0, false
		}
		k, ok := kinds[*item.Parent]
		return k, ok
	}
	switch *item.ResourceType {
	case 3, 4: // CPU, memory
		return item.VirtualQuantity != nil
	case 15: // CD-ROM: its parent must be an IDE controller
		if item.Parent == nil {
			return false
		}
		k, ok := parent()
		return !ok || k == 5
	case 17: // disk: a controller parent and a disk with a file
		if item.Parent == nil || len(item.HostResource) == 0 {
			return false
		}
		if k, ok := parent(); ok && k != 5 && k != 6 {
			return false
		}
		disk := diskByResource(env, item.HostResource[0])
		return disk != nil && disk.FileRef != nil
	}
	return true
}

func diskByResource(env *ovf.Envelope, resource string) *ovf.VirtualDiskDesc {
	if env.Disk == nil {
		return nil
	}
	for i := range env.Disk.Disks {
		if strings.HasSuffix(resource, "/"+env.Disk.Disks[i].DiskID) {
			return &env.Disk.Disks[i]
		}
	}
	return nil
}

package esxishell

import (
	"context"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/ceso/ceso/pkg/esxi/sshhost/vmx"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"
)

// Temporary device keys of the spec: negative and unique. The IDE
// controllers exist on every new VM with keys 200 and 201.
const (
	ctrlKeyBase = -100
	diskKeyBase = -200
	nicKeyBase  = -300
	ideKeyBase  = 200
)

var (
	controllerKey = regexp.MustCompile(`(?i)^(scsi|nvme|sata|ide)([0-3])\.present$`)
	diskKey       = regexp.MustCompile(`(?i)^(scsi|nvme|sata|ide)([0-3]):([0-9]+)\.filename$`)
	nicKey        = regexp.MustCompile(`(?i)^ethernet([0-9]+)\.present$`)
)

// nicKinds maps a .vmx virtualDev to the adapter kind govmomi creates.
var nicKinds = map[string]string{"vmxnet3": "vmxnet3", "e1000e": "e1000e", "e1000": "e1000", "vlance": "pcnet32"}

// devicesFromVMX builds the controllers, disks and network adapters a .vmx
// lists.
func (s *Shell) devicesFromVMX(ctx context.Context, f *vmx.File, vmxPath string) ([]types.BaseVirtualDeviceConfigSpec, error) {
	get := func(k string) string { v, _ := f.Get(k); return v }
	var changes []types.BaseVirtualDeviceConfigSpec
	add := func(d types.BaseVirtualDevice) {
		changes = append(changes, &types.VirtualDeviceConfigSpec{Operation: types.VirtualDeviceConfigSpecOperationAdd, Device: d})
	}
	keys := map[string]int32{"ide0": ideKeyBase, "ide1": ideKeyBase + 1}
	entries := f.Entries()
	for _, e := range entries {
		m := controllerKey.FindStringSubmatch(e.Key)
		if m == nil || !isTrue(e.Value) || strings.EqualFold(m[1], "ide") {
			continue
		}
		name := strings.ToLower(m[1] + m[2])
		bus, _ := strconv.Atoi(m[2])
		key := int32(ctrlKeyBase - len(keys))
		dev, err := controller(strings.ToLower(m[1]), get(name+".virtualDev"), int32(bus), key)
		if err != nil {
			return nil, err
		}
		keys[name] = key
		add(dev)
	}
	disks := 0
	for _, e := range entries {
		m := diskKey.FindStringSubmatch(e.Key)
		if m == nil {
			continue
		}
		ctrl := strings.ToLower(m[1] + m[2])
		ctrlKey, ok := keys[ctrl]
		if !ok {
			return nil, fmt.Errorf("disk %s is on %s, which the .vmx does not have", e.Value, ctrl)
		}
		unit, _ := strconv.Atoi(m[3])
		disk, err := s.disk(e.Value, vmxPath, get(ctrl+":"+m[3]+".mode"), int32(diskKeyBase-disks), ctrlKey, int32(unit))
		if err != nil {
			return nil, err
		}
		disks++
		add(disk)
	}
	nics, err := s.nics(ctx, f)
	if err != nil {
		return nil, err
	}
	for _, n := range nics {
		add(n)
	}
	return changes, nil
}

// controller makes a storage controller of the .vmx's kind.
func controller(prefix, dev string, bus, key int32) (types.BaseVirtualDevice, error) {
	base := types.VirtualController{BusNumber: bus, VirtualDevice: types.VirtualDevice{Key: key}}
	scsi := types.VirtualSCSIController{VirtualController: base, SharedBus: types.VirtualSCSISharingNoSharing}
	switch {
	case prefix == "nvme":
		return &types.VirtualNVMEController{VirtualController: base}, nil
	case prefix == "sata":
		return &types.VirtualAHCIController{VirtualSATAController: types.VirtualSATAController{VirtualController: base}}, nil
	case dev == "pvscsi":
		return &types.ParaVirtualSCSIController{VirtualSCSIController: scsi}, nil
	case dev == "lsilogic":
		return &types.VirtualLsiLogicController{VirtualSCSIController: scsi}, nil
	case dev == "lsisas1068":
		return &types.VirtualLsiLogicSASController{VirtualSCSIController: scsi}, nil
	case dev == "buslogic":
		return &types.VirtualBusLogicController{VirtualSCSIController: scsi}, nil
	}
	return nil, fmt.Errorf("scsi%d.virtualDev %q", bus, dev)
}

// disk attaches an existing disk, its size read from its descriptor.
func (s *Shell) disk(fileName, vmxPath, mode string, key, ctrlKey, unit int32) (*types.VirtualDisk, error) {
	p := fileName
	if !strings.HasPrefix(p, "/") {
		dir := strings.TrimPrefix(path.Dir("/"+strings.SplitN(vmxPath, "] ", 2)[1]), "/")
		p = volumes + s.sim.Datastore() + "/" + path.Join(dir, fileName)
	}
	f, err := s.resolve(p)
	if err != nil {
		return nil, err
	}
	capacity, err := s.diskCapacity(f.ds)
	if err != nil {
		return nil, fmt.Errorf("disk %s: %w", fileName, err)
	}
	if mode == "" {
		mode = string(types.VirtualDiskModePersistent)
	}
	return &types.VirtualDisk{
		VirtualDevice: types.VirtualDevice{
			Key: key, ControllerKey: ctrlKey, UnitNumber: &unit,
			Backing: &types.VirtualDiskFlatVer2BackingInfo{
				VirtualDeviceFileBackingInfo: types.VirtualDeviceFileBackingInfo{FileName: f.ds},
				DiskMode:                     strings.ReplaceAll(mode, "-", "_"),
				ThinProvisioned:              types.NewBool(true),
			},
		},
		CapacityInBytes: capacity,
		CapacityInKB:    capacity / 1024,
	}, nil
}

// nics makes the network adapters, in the order of their numbers, each on
// its port group with a MAC address the host generates.
func (s *Shell) nics(ctx context.Context, f *vmx.File) ([]types.BaseVirtualDevice, error) {
	var nums []int
	for _, e := range f.Entries() {
		if m := nicKey.FindStringSubmatch(e.Key); m != nil && isTrue(e.Value) {
			n, _ := strconv.Atoi(m[1])
			nums = append(nums, n)
		}
	}
	sort.Ints(nums)
	finder := find.NewFinder(s.vim(), false)
	dc, err := finder.DefaultDatacenter(ctx)
	if err != nil {
		return nil, err
	}
	finder.SetDatacenter(dc)
	var out []types.BaseVirtualDevice
	for i, n := range nums {
		e := fmt.Sprintf("ethernet%d", n)
		dev, _ := f.Get(e + ".virtualDev")
		kind, ok := nicKinds[dev]
		if !ok {
			return nil, fmt.Errorf("%s.virtualDev %q", e, dev)
		}
		name, _ := f.Get(e + ".networkName")
		netw, err := finder.Network(ctx, name)
		if err != nil {
			return nil, fmt.Errorf("%s.networkName %q: %w", e, name, err)
		}
		backing, err := netw.EthernetCardBackingInfo(ctx)
		if err != nil {
			return nil, err
		}
		card, err := object.VirtualDeviceList(nil).CreateEthernetCard(kind, backing)
		if err != nil {
			return nil, err
		}
		c := card.(types.BaseVirtualEthernetCard).GetVirtualEthernetCard()
		c.Key = int32(nicKeyBase - i)
		c.AddressType = string(types.VirtualEthernetCardMacTypeGenerated)
		c.Connectable = &types.VirtualDeviceConnectInfo{StartConnected: true, AllowGuestControl: true}
		out = append(out, card)
	}
	return out, nil
}

package esxisim

import (
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"
)

// Disk backings of a chain. The vSphere API keeps the backing class through
// a chain ("any new delta disk backing which is added is of the same type
// as the original disk", VirtualDiskFlatVer2BackingInfo.parent): a flat
// disk's snapshot delta is a VirtualDiskFlatVer2BackingInfo naming the
// delta's descriptor, with deltaDiskFormat seSparseFormat (the VMFS6
// default) and the previous backing as parent. A disk created as SEsparse
// keeps VirtualDiskSeSparseBackingInfo the same way.

// deltaGrainKB is the grain of an SEsparse delta, in KiB.
const deltaGrainKB = deltaGrain / 1024

// backingFile is the descriptor a disk backing names, "" for backings the
// simulator does not chain.
func backingFile(b types.BaseVirtualDeviceBackingInfo) string {
	switch b := b.(type) {
	case *types.VirtualDiskFlatVer2BackingInfo:
		return b.FileName
	case *types.VirtualDiskSeSparseBackingInfo:
		return b.FileName
	}
	return ""
}

// backingParent is the parent backing of a delta, nil for a base disk.
func backingParent(b types.BaseVirtualDeviceBackingInfo) types.BaseVirtualDeviceBackingInfo {
	switch b := b.(type) {
	case *types.VirtualDiskFlatVer2BackingInfo:
		if b.Parent != nil {
			return b.Parent
		}
	case *types.VirtualDiskSeSparseBackingInfo:
		if b.Parent != nil {
			return b.Parent
		}
	}
	return nil
}

// backingChain lists the files of a backing's chain, newest first.
func backingChain(b types.BaseVirtualDeviceBackingInfo) []string {
	var out []string
	for ; b != nil && len(out) <= maxChain; b = backingParent(b) {
		out = append(out, backingFile(b))
	}
	return out
}

// independent reports a disk that snapshots leave alone.
func independent(b types.BaseVirtualDeviceBackingInfo) bool {
	var mode string
	switch b := b.(type) {
	case *types.VirtualDiskFlatVer2BackingInfo:
		mode = b.DiskMode
	case *types.VirtualDiskSeSparseBackingInfo:
		mode = b.DiskMode
	}
	return mode == string(types.VirtualDiskModeIndependent_persistent) ||
		mode == string(types.VirtualDiskModeIndependent_nonpersistent)
}

// deltaBacking is the backing of a new delta named file over parent.
func deltaBacking(parent types.BaseVirtualDeviceBackingInfo, file string) types.BaseVirtualDeviceBackingInfo {
	switch p := parent.(type) {
	case *types.VirtualDiskFlatVer2BackingInfo:
		b := *p
		b.FileName, b.BackingObjectId, b.ContentId, b.ChangeId = file, nil, "", ""
		b.ThinProvisioned, b.EagerlyScrub = types.NewBool(true), types.NewBool(false)
		b.Parent = p
		b.DeltaDiskFormat = string(types.VirtualDiskDeltaDiskFormatSeSparseFormat)
		b.DeltaGrainSize = deltaGrainKB
		return &b
	case *types.VirtualDiskSeSparseBackingInfo:
		b := *p
		b.FileName, b.BackingObjectId, b.ContentId, b.ChangeId = file, nil, "", ""
		b.Parent = p
		b.DeltaDiskFormat = string(types.VirtualDiskDeltaDiskFormatSeSparseFormat)
		b.GrainSize = deltaGrainKB
		return &b
	}
	return nil
}

// withoutFile returns a copy of a backing chain with the link named file
// taken out: its child (or the top) then hangs on its parent.
func withoutFile(b types.BaseVirtualDeviceBackingInfo, file string) types.BaseVirtualDeviceBackingInfo {
	if b == nil {
		return nil
	}
	if backingFile(b) == file {
		return backingParent(b)
	}
	rest := withoutFile(backingParent(b), file)
	switch b := b.(type) {
	case *types.VirtualDiskFlatVer2BackingInfo:
		c := *b
		c.Parent, _ = rest.(*types.VirtualDiskFlatVer2BackingInfo)
		return &c
	case *types.VirtualDiskSeSparseBackingInfo:
		c := *b
		c.Parent, _ = rest.(*types.VirtualDiskSeSparseBackingInfo)
		return &c
	}
	return b
}

// bottom is the base backing of a chain.
func bottom(b types.BaseVirtualDeviceBackingInfo) types.BaseVirtualDeviceBackingInfo {
	for p := backingParent(b); p != nil; p = backingParent(b) {
		b = p
	}
	return b
}

// withBackings returns a copy of devices where the disks whose key is in
// backings get that backing; the other devices are shared.
func withBackings(devices []types.BaseVirtualDevice, backings map[int32]types.BaseVirtualDeviceBackingInfo) []types.BaseVirtualDevice {
	out := make([]types.BaseVirtualDevice, len(devices))
	for i, d := range devices {
		out[i] = d
		disk, ok := d.(*types.VirtualDisk)
		if !ok {
			continue
		}
		if b, ok := backings[disk.Key]; ok {
			c := *disk
			c.Backing = b
			out[i] = &c
		}
	}
	return out
}

// diskBackings maps each disk's key to its backing.
func diskBackings(devices []types.BaseVirtualDevice) map[int32]types.BaseVirtualDeviceBackingInfo {
	out := map[int32]types.BaseVirtualDeviceBackingInfo{}
	for _, d := range object.VirtualDeviceList(devices).SelectByType((*types.VirtualDisk)(nil)) {
		disk := d.(*types.VirtualDisk)
		if backingFile(disk.Backing) != "" {
			out[disk.Key] = disk.Backing
		}
	}
	return out
}

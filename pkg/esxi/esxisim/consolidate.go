package esxisim

import (
	"maps"
	"slices"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

// The functions below run inside a snapshot task: the VM is locked.

// snapshotDevices returns each snapshot of vm with its devices.
func snapshotDevices(ctx *simulator.Context, vm *simulator.VirtualMachine) map[types.ManagedObjectReference][]types.BaseVirtualDevice {
	out := map[types.ManagedObjectReference][]types.BaseVirtualDevice{}
	if vm.Snapshot == nil {
		return out
	}
	var walk func([]types.VirtualMachineSnapshotTree)
	walk = func(list []types.VirtualMachineSnapshotTree) {
		for _, t := range list {
			if s, ok := ctx.Map.Get(t.Snapshot).(*simulator.VirtualMachineSnapshot); ok {
				ctx.WithLock(s, func() { out[t.Snapshot] = s.Config.Hardware.Device })
			}
			walk(t.ChildSnapshotList)
		}
	}
	walk(vm.Snapshot.RootSnapshotList)
	return out
}

// subtree lists a snapshot and its descendants, children before parents.
func subtree(vm *simulator.VirtualMachine, ref types.ManagedObjectReference) []types.ManagedObjectReference {
	var out []types.ManagedObjectReference
	var walk func([]types.VirtualMachineSnapshotTree, bool)
	walk = func(list []types.VirtualMachineSnapshotTree, in bool) {
		for _, t := range list {
			mine := in || t.Snapshot == ref
			walk(t.ChildSnapshotList, mine)
			if mine {
				out = append(out, t.Snapshot)
			}
		}
	}
	if vm.Snapshot != nil {
		walk(vm.Snapshot.RootSnapshotList, false)
	}
	return out
}

func capacities(devices []types.BaseVirtualDevice) map[int32]int64 {
	out := map[int32]int64{}
	for _, d := range object.VirtualDeviceList(devices).SelectByType((*types.VirtualDisk)(nil)) {
		out[d.GetVirtualDevice().Key] = diskCapacity(d.(*types.VirtualDisk))
	}
	return out
}

// consolidate merges, for each disk, the delta that was created when the
// snapshot ref was taken into the disk state the snapshot keeps, as ESXi
// does when that snapshot is removed; the delta's child (or the VM) then
// hangs on the merged disk. A disk state other snapshots still branch from
// (after a revert) is not modelled: NotSupported.
func consolidate(ctx *simulator.Context, vm *simulator.VirtualMachine, ref types.ManagedObjectReference) types.BaseMethodFault {
	all := snapshotDevices(ctx, vm)
	mine := diskBackings(all[ref])
	delete(all, ref)
	current := diskBackings(vm.Config.Hardware.Device)
	sizes := capacities(vm.Config.Hardware.Device)
	newCurrent := map[int32]types.BaseVirtualDeviceBackingInfo{}
	drops := map[int32]string{}
	for key, sb := range mine {
		vb, ok := current[key]
		if !ok {
			continue
		}
		p := backingFile(sb)
		chain := backingChain(vb)
		i := slices.Index(chain, p)
		if i == 0 {
			continue // no delta over it (an independent disk)
		}
		if i < 0 || branches(all, key, p, chain[i-1]) {
			return &types.NotSupported{}
		}
		child := chain[i-1]
		if err := mergeIntoParent(ctx, child, sizes[key]); err != nil {
			return &types.GenericVmConfigFault{Reason: "consolidating " + child + ": " + err.Error()}
		}
		if i >= 2 {
			if err := reparent(ctx, chain[i-2], p); err != nil {
				return &types.GenericVmConfigFault{Reason: err.Error()}
			}
		}
		newCurrent[key] = withoutFile(vb, child)
		drops[key] = child
	}
	setDevices(ctx, vm, withBackings(vm.Config.Hardware.Device, newCurrent))
	for s, devices := range all {
		m := map[int32]types.BaseVirtualDeviceBackingInfo{}
		for key, b := range diskBackings(devices) {
			if c, ok := drops[key]; ok && slices.Contains(backingChain(b), c) {
				m[key] = withoutFile(b, c)
			}
		}
		if len(m) > 0 {
			setSnapshotDevices(ctx, s, withBackings(devices, m))
		}
	}
	return nil
}

// branches reports whether a chain of another snapshot has a delta over p
// other than child.
func branches(others map[types.ManagedObjectReference][]types.BaseVirtualDevice, key int32, p, child string) bool {
	for _, devices := range others {
		b, ok := diskBackings(devices)[key]
		if !ok {
			continue
		}
		chain := backingChain(b)
		if j := slices.Index(chain, p); j > 0 && chain[j-1] != child {
			return true
		}
	}
	return false
}

func setSnapshotDevices(ctx *simulator.Context, ref types.ManagedObjectReference, devices []types.BaseVirtualDevice) {
	if s, ok := ctx.Map.Get(ref).(*simulator.VirtualMachineSnapshot); ok {
		ctx.WithLock(s, func() {
			ctx.Update(s, []types.PropertyChange{{Name: "config.hardware.device", Val: devices}})
		})
	}
}

// consolidateAll merges every delta of every disk into its base disk and
// deletes all deltas, as RemoveAllSnapshots does.
func consolidateAll(ctx *simulator.Context, vm *simulator.VirtualMachine) types.BaseMethodFault {
	all := snapshotDevices(ctx, vm)
	sizes := capacities(vm.Config.Hardware.Device)
	bases := map[int32]types.BaseVirtualDeviceBackingInfo{}
	for key, vb := range diskBackings(vm.Config.Hardware.Device) {
		base := bottom(vb)
		if base == vb {
			continue
		}
		local, ok := localPath(ctx, backingFile(vb))
		if !ok {
			return checkDatastorePath(ctx, backingFile(vb))
		}
		c, err := openChain(local, sizes[key])
		if err != nil {
			return &types.GenericVmConfigFault{Reason: err.Error()}
		}
		for i := len(c.layers) - 2; i >= 0 && err == nil; i-- {
			err = c.mergeInto(i, len(c.layers)-1)
		}
		if cerr := c.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return &types.GenericVmConfigFault{Reason: err.Error()}
		}
		bases[key] = base
	}
	deltas := map[string]bool{}
	for _, devices := range append(slices.Collect(maps.Values(all)), vm.Config.Hardware.Device) {
		for _, b := range diskBackings(devices) {
			chain := backingChain(b)
			for _, f := range chain[:len(chain)-1] {
				deltas[f] = true
			}
		}
	}
	setDevices(ctx, vm, withBackings(vm.Config.Hardware.Device, bases))
	for f := range deltas {
		if err := deleteDelta(ctx, f); err != nil {
			return &types.GenericVmConfigFault{Reason: err.Error()}
		}
	}
	return nil
}

// revertDisks deletes the VM's current deltas (the state since the last
// snapshot, which no snapshot keeps) and puts each disk on a new delta
// over the disk state of snapshot ref.
func revertDisks(ctx *simulator.Context, vm *simulator.VirtualMachine, ref types.ManagedObjectReference) types.BaseMethodFault {
	all := snapshotDevices(ctx, vm)
	target := diskBackings(all[ref])
	kept := map[string]bool{}
	for _, devices := range all {
		for _, b := range diskBackings(devices) {
			for _, f := range backingChain(b) {
				kept[f] = true
			}
		}
	}
	for _, vb := range diskBackings(vm.Config.Hardware.Device) {
		if f := backingFile(vb); !kept[f] && backingParent(vb) != nil {
			if err := deleteDelta(ctx, f); err != nil {
				return &types.GenericVmConfigFault{Reason: err.Error()}
			}
		}
	}
	deltas, fault := makeDeltas(ctx, vmDir(&vm.VirtualMachine), vm.Config.Hardware.Device, target)
	if fault != nil {
		return fault
	}
	backings := map[int32]types.BaseVirtualDeviceBackingInfo{}
	for _, d := range deltas {
		backings[d.key] = d.backing
	}
	setDevices(ctx, vm, withBackings(vm.Config.Hardware.Device, backings))
	return nil
}

package esxisim

import (
	"fmt"
	"path"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// Snapshots. vcsim keeps the snapshot tree but never touches a disk: the VM
// keeps writing its base disk, so a snapshot preserves nothing and code
// that reads a running VM's base disk sees it change. ESXi moves every
// disk (independent ones excepted) onto a new delta when it takes a
// snapshot and consolidates the delta into its parent when the snapshot is
// removed. Each method below runs vcsim's own task for the tree inside a
// task of its own that also does the disk work, with the VM locked.

// snapshotTask runs work as a task on vm and returns the task.
func snapshotTask(ctx *simulator.Context, vm *simulator.VirtualMachine, name string,
	work func() (types.AnyType, types.BaseMethodFault)) types.ManagedObjectReference {
	return simulator.CreateTask(vm, name, func(*simulator.Task) (types.AnyType, types.BaseMethodFault) {
		return work()
	}).Run(ctx)
}

// CreateSnapshotTask takes the snapshot, then moves the disks onto deltas.
func (d *detour) CreateSnapshotTask(ctx *simulator.Context, req *types.CreateSnapshot_Task) soap.HasFault {
	vm, ok := ctx.Map.Get(req.This).(*simulator.VirtualMachine)
	if !ok {
		return &methods.CreateSnapshot_TaskBody{Fault_: faultOnly(&types.ManagedObjectNotFound{Obj: req.This})}
	}
	ref := snapshotTask(ctx, vm, "createSnapshot", func() (types.AnyType, types.BaseMethodFault) {
		return takeSnapshot(ctx, vm, func() soap.HasFault { return vm.CreateSnapshotTask(ctx, req) })
	})
	return &methods.CreateSnapshot_TaskBody{Res: &types.CreateSnapshot_TaskResponse{Returnval: ref}}
}

// CreateSnapshotExTask is CreateSnapshotTask for the newer method.
func (d *detour) CreateSnapshotExTask(ctx *simulator.Context, req *types.CreateSnapshotEx_Task) soap.HasFault {
	vm, ok := ctx.Map.Get(req.This).(*simulator.VirtualMachine)
	if !ok {
		return &methods.CreateSnapshotEx_TaskBody{Fault_: faultOnly(&types.ManagedObjectNotFound{Obj: req.This})}
	}
	ref := snapshotTask(ctx, vm, "createSnapshotEx", func() (types.AnyType, types.BaseMethodFault) {
		return takeSnapshot(ctx, vm, func() soap.HasFault { return vm.CreateSnapshotExTask(ctx, req) })
	})
	return &methods.CreateSnapshotEx_TaskBody{Res: &types.CreateSnapshotEx_TaskResponse{Returnval: ref}}
}

// takeSnapshot makes the deltas, lets vcsim record the snapshot (whose
// configuration keeps the disks as they were) and moves the VM onto the
// deltas. A failure leaves neither a snapshot nor delta files.
func takeSnapshot(ctx *simulator.Context, vm *simulator.VirtualMachine, record func() soap.HasFault) (types.AnyType, types.BaseMethodFault) {
	devices := vm.Config.Hardware.Device
	deltas, fault := makeDeltas(ctx, vmDir(&vm.VirtualMachine), devices, diskBackings(devices))
	if fault != nil {
		return nil, fault
	}
	snap, fault := waitInner(ctx, record())
	if fault != nil {
		for _, d := range deltas {
			d.remove()
		}
		return nil, fault
	}
	backings := map[int32]types.BaseVirtualDeviceBackingInfo{}
	for _, d := range deltas {
		backings[d.key] = d.backing
	}
	setDevices(ctx, vm, withBackings(vm.Config.Hardware.Device, backings))
	return snap, nil
}

// vmDir is the datastore path of the VM's folder, where ESXi puts deltas.
func vmDir(vm *mo.VirtualMachine) string {
	var dp object.DatastorePath
	dp.FromString(vm.Config.Files.VmPathName)
	dp.Path = path.Dir(dp.Path)
	return dp.String()
}

// RemoveSnapshotTask consolidates the snapshot's disk state (and its
// children's, with removeChildren) and removes it from the tree.
func (d *detour) RemoveSnapshotTask(ctx *simulator.Context, req *types.RemoveSnapshot_Task) soap.HasFault {
	snap, vm := snapshotOf(ctx, req.This)
	if vm == nil {
		return &methods.RemoveSnapshot_TaskBody{Fault_: faultOnly(&types.ManagedObjectNotFound{Obj: req.This})}
	}
	ref := snapshotTask(ctx, vm, "removeSnapshot", func() (types.AnyType, types.BaseMethodFault) {
		order := []types.ManagedObjectReference{req.This}
		if req.RemoveChildren {
			order = subtree(vm, req.This)
		}
		for _, s := range order {
			if fault := consolidate(ctx, vm, s); fault != nil {
				return nil, fault
			}
		}
		return waitInner(ctx, snap.RemoveSnapshotTask(ctx, req))
	})
	return &methods.RemoveSnapshot_TaskBody{Res: &types.RemoveSnapshot_TaskResponse{Returnval: ref}}
}

// RemoveAllSnapshotsTask consolidates every delta into the base disks.
func (d *detour) RemoveAllSnapshotsTask(ctx *simulator.Context, req *types.RemoveAllSnapshots_Task) soap.HasFault {
	vm, ok := ctx.Map.Get(req.This).(*simulator.VirtualMachine)
	if !ok {
		return &methods.RemoveAllSnapshots_TaskBody{Fault_: faultOnly(&types.ManagedObjectNotFound{Obj: req.This})}
	}
	ref := snapshotTask(ctx, vm, "removeAllSnapshots", func() (types.AnyType, types.BaseMethodFault) {
		if fault := consolidateAll(ctx, vm); fault != nil {
			return nil, fault
		}
		return waitInner(ctx, vm.RemoveAllSnapshotsTask(ctx, req))
	})
	return &methods.RemoveAllSnapshots_TaskBody{Res: &types.RemoveAllSnapshots_TaskResponse{Returnval: ref}}
}

// RevertToSnapshotTask discards the current deltas and puts the VM on new
// deltas over the snapshot's disks.
func (d *detour) RevertToSnapshotTask(ctx *simulator.Context, req *types.RevertToSnapshot_Task) soap.HasFault {
	snap, vm := snapshotOf(ctx, req.This)
	if vm == nil {
		return &methods.RevertToSnapshot_TaskBody{Fault_: faultOnly(&types.ManagedObjectNotFound{Obj: req.This})}
	}
	ref := snapshotTask(ctx, vm, "revertToSnapshot", func() (types.AnyType, types.BaseMethodFault) {
		if fault := revertDisks(ctx, vm, req.This); fault != nil {
			return nil, fault
		}
		return waitInner(ctx, snap.RevertToSnapshotTask(ctx, req))
	})
	return &methods.RevertToSnapshot_TaskBody{Res: &types.RevertToSnapshot_TaskResponse{Returnval: ref}}
}

// RevertToCurrentSnapshotTask reverts to the current snapshot.
func (d *detour) RevertToCurrentSnapshotTask(ctx *simulator.Context, req *types.RevertToCurrentSnapshot_Task) soap.HasFault {
	vm, ok := ctx.Map.Get(req.This).(*simulator.VirtualMachine)
	if !ok {
		return &methods.RevertToCurrentSnapshot_TaskBody{Fault_: faultOnly(&types.ManagedObjectNotFound{Obj: req.This})}
	}
	var current *types.ManagedObjectReference
	ctx.WithLock(vm, func() {
		if vm.Snapshot != nil {
			current = vm.Snapshot.CurrentSnapshot
		}
	})
	if current == nil {
		return &methods.RevertToCurrentSnapshot_TaskBody{Fault_: faultOnly(&types.NotFound{})}
	}
	ref := snapshotTask(ctx, vm, "revertToCurrentSnapshot", func() (types.AnyType, types.BaseMethodFault) {
		if fault := revertDisks(ctx, vm, *current); fault != nil {
			return nil, fault
		}
		return waitInner(ctx, vm.RevertToCurrentSnapshotTask(ctx, req))
	})
	return &methods.RevertToCurrentSnapshot_TaskBody{Res: &types.RevertToCurrentSnapshot_TaskResponse{Returnval: ref}}
}

// snapshotOf returns a snapshot and its VM, nil when either is gone.
func snapshotOf(ctx *simulator.Context, ref types.ManagedObjectReference) (*simulator.VirtualMachineSnapshot, *simulator.VirtualMachine) {
	snap, ok := ctx.Map.Get(ref).(*simulator.VirtualMachineSnapshot)
	if !ok {
		return nil, nil
	}
	vm, ok := ctx.Map.Get(snap.Vm).(*simulator.VirtualMachine)
	if !ok {
		return nil, nil
	}
	return snap, vm
}

// waitInner waits for the task a vcsim method answered and returns its
// result or fault.
func waitInner(ctx *simulator.Context, res soap.HasFault) (types.AnyType, types.BaseMethodFault) {
	if f := res.Fault(); f != nil {
		if mf, ok := f.Detail.Fault.(types.BaseMethodFault); ok {
			return nil, mf
		}
		return nil, &types.SystemError{Reason: f.String}
	}
	var ref types.ManagedObjectReference
	switch b := res.(type) {
	case *methods.CreateVM_TaskBody:
		ref = b.Res.Returnval
	case *methods.RegisterVM_TaskBody:
		ref = b.Res.Returnval
	case *methods.CreateSnapshot_TaskBody:
		ref = b.Res.Returnval
	case *methods.CreateSnapshotEx_TaskBody:
		ref = b.Res.Returnval
	case *methods.RemoveSnapshot_TaskBody:
		ref = b.Res.Returnval
	case *methods.RemoveAllSnapshots_TaskBody:
		ref = b.Res.Returnval
	case *methods.RevertToSnapshot_TaskBody:
		ref = b.Res.Returnval
	case *methods.RevertToCurrentSnapshot_TaskBody:
		ref = b.Res.Returnval
	default:
		return nil, &types.SystemError{Reason: fmt.Sprintf("unexpected answer %T", res)}
	}
	task, ok := ctx.Map.Get(ref).(*simulator.Task)
	if !ok {
		return nil, &types.ManagedObjectNotFound{Obj: ref}
	}
	task.Wait()
	var info types.TaskInfo
	ctx.WithLock(task, func() { info = task.Info })
	if info.Error != nil {
		return nil, info.Error.Fault
	}
	return info.Result, nil
}

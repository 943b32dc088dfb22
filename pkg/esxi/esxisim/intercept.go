package esxisim

import (
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// correction answers a call the way a real standalone ESXi does, where vcsim
// differs. It returns (nil, nil) to let vcsim answer, (nil, fault) to answer
// a SOAP fault, or the detour after re-pointing m to it.
type correction func(s *Simulator, ctx *simulator.Context, m *simulator.Method) (mo.Reference, types.BaseMethodFault)

// corrections by SOAP method name.
var corrections = map[string]correction{
	"CreateVM_Task":        viaDetour,
	"RegisterVM_Task":      viaDetour,
	"ReconfigVM_Task":      reconfigCorrection,
	"ImportVApp":           viaDetour,
	"ExportVm":             viaDetour,
	"CreateDescriptor":     viaDetour,
	"CreateImportSpec":     checkImportSpec,
	"CopyVirtualDisk_Task": copyDiskCorrection,
	"Rename_Task":          renameCorrection,
	"Destroy_Task":         destroyCorrection,
	// snapshots move disks onto deltas and consolidate them (snapshot.go)
	"CreateSnapshot_Task":          viaDetour,
	"CreateSnapshotEx_Task":        viaDetour,
	"RemoveSnapshot_Task":          viaDetour,
	"RemoveAllSnapshots_Task":      viaDetour,
	"RevertToSnapshot_Task":        viaDetour,
	"RevertToCurrentSnapshot_Task": viaDetour,
	"ShutdownGuest":                needTools,
	"RebootGuest":                  needTools,
	"StandbyGuest":                 needTools,
}

// intercept is the vcsim Registry.Handler: it runs before every SOAP call.
func (s *Simulator) intercept(ctx *simulator.Context, m *simulator.Method) (mo.Reference, types.BaseMethodFault) {
	if ctx.Session != nil && ctx.Session.UserName == "" {
		return nil, nil // the simulator's own in-process calls
	}
	if d := s.methodDelay(m.Name); d > 0 {
		s.sleep(d)
	}
	if r := s.matchRule(ctx, m); r != nil {
		if r.Delay > 0 {
			s.sleep(r.Delay)
		}
		if r.Fault != nil {
			return nil, r.Fault
		}
	}
	if ctx.Session == nil {
		return nil, nil // vcsim answers NotAuthenticated where needed
	}
	if f := s.matchTaskRule(m.Name); f != nil {
		if !isTaskMethod(m.Name) {
			return nil, f
		}
		return s.detourFailedTask(ctx, m, f)
	}
	if m.Name == "CloneVM_Task" {
		// ESXi without vCenter refuses it whatever the licence.
		return nil, new(types.NotSupported)
	}
	if s.free.Load() && writeMethods[m.Name] && !s.isLocal(ctx) {
		return nil, new(types.RestrictedVersion)
	}
	if fix, ok := corrections[m.Name]; ok {
		return fix(s, ctx, m)
	}
	return nil, nil
}

// viaDetour sends the call to the detour object's method of the same name.
func viaDetour(s *Simulator, _ *simulator.Context, m *simulator.Method) (mo.Reference, types.BaseMethodFault) {
	m.This = s.det.Self
	return s.det, nil
}

// reconfigCorrection fails the task for an unknown datastore (vcsim would
// panic) or a new name already in use.
func reconfigCorrection(s *Simulator, ctx *simulator.Context, m *simulator.Method) (mo.Reference, types.BaseMethodFault) {
	req, ok := m.Body.(*types.ReconfigVM_Task)
	if !ok {
		return nil, nil
	}
	if f := checkSpecDatastores(ctx, &req.Spec); f != nil {
		return s.detourFailedTask(ctx, m, f)
	}
	if req.Spec.Name != "" {
		var f types.BaseMethodFault
		withVMFolder(ctx, func() { f = vmNameTaken(ctx, req.Spec.Name, req.This) })
		if f != nil {
			return s.detourFailedTask(ctx, m, f)
		}
	}
	return nil, nil
}

// renameCorrection refuses a VM rename to a name in use.
func renameCorrection(s *Simulator, ctx *simulator.Context, m *simulator.Method) (mo.Reference, types.BaseMethodFault) {
	if m.This.Type != "VirtualMachine" {
		return nil, nil
	}
	return viaDetour(s, ctx, m)
}

// needTools refuses guest operations when VMware Tools is not running.
func needTools(_ *Simulator, ctx *simulator.Context, m *simulator.Method) (mo.Reference, types.BaseMethodFault) {
	vm, ok := ctx.Map.Get(m.This).(*simulator.VirtualMachine)
	if !ok {
		return nil, nil
	}
	var power types.VirtualMachinePowerState
	var tools string
	ctx.WithLock(vm, func() {
		power = vm.Runtime.PowerState
		if vm.Guest != nil {
			tools = vm.Guest.ToolsRunningStatus
		}
	})
	if power != types.VirtualMachinePowerStatePoweredOn {
		return nil, &types.InvalidPowerState{
			RequestedState: types.VirtualMachinePowerStatePoweredOn,
			ExistingState:  power,
		}
	}
	if tools != string(types.VirtualMachineToolsRunningStatusGuestToolsRunning) {
		return nil, new(types.ToolsUnavailable)
	}
	return nil, nil
}

// checkImportSpec refuses references and descriptors vcsim would panic on,
// then lets the detour complete vcsim's import spec.
func checkImportSpec(s *Simulator, ctx *simulator.Context, m *simulator.Method) (mo.Reference, types.BaseMethodFault) {
	req, ok := m.Body.(*types.CreateImportSpec)
	if !ok {
		return nil, nil
	}
	if _, ok := ctx.Map.Get(req.Datastore).(*simulator.Datastore); !ok {
		return nil, &types.ManagedObjectNotFound{Obj: req.Datastore}
	}
	if _, ok := ctx.Map.Get(req.ResourcePool).(mo.Entity); !ok {
		return nil, &types.ManagedObjectNotFound{Obj: req.ResourcePool}
	}
	if f := checkOVF(req.OvfDescriptor); f != nil {
		return nil, f
	}
	return viaDetour(s, ctx, m)
}

// sleep waits d, or until Close starts: a closing simulator does not keep
// its callers (and Close itself) waiting out an injected delay.
func (s *Simulator) sleep(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.closing:
	}
}

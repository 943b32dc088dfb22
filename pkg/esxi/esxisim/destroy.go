package esxisim

import (
	"os"
	"path"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// destroyCorrection sends a VM's Destroy_Task to the detour; other
// entities' go to vcsim.
func destroyCorrection(s *Simulator, ctx *simulator.Context, m *simulator.Method) (mo.Reference, types.BaseMethodFault) {
	if m.This.Type != "VirtualMachine" {
		return nil, nil
	}
	return viaDetour(s, ctx, m)
}

// DestroyTask destroys a VM so that its task ends once the VM's folder is
// gone, as on ESXi. vcsim's task unregisters the VM and starts deleting
// its folder in a second task that nothing waits for: a client could see
// the destroy done and the folder (.vmx, .nvram, log) still there for a
// moment. The call returns when vcsim's task has ended and, if it worked,
// the folder is deleted.
func (d *detour) DestroyTask(ctx *simulator.Context, req *types.Destroy_Task) soap.HasFault {
	vm, ok := ctx.Map.Get(req.This).(*simulator.VirtualMachine)
	if !ok {
		return &methods.Destroy_TaskBody{Fault_: faultOnly(&types.ManagedObjectNotFound{Obj: req.This})}
	}
	var dir string
	var res soap.HasFault
	ctx.WithLock(vm, func() {
		if vm.Config != nil {
			dir = vm.Config.Files.LogDirectory
		}
		res = vm.DestroyTask(ctx, req)
	})
	body, ok := res.(*methods.Destroy_TaskBody)
	if !ok || body.Res == nil {
		return res
	}
	task, ok := ctx.Map.Get(body.Res.Returnval).(*simulator.Task)
	if !ok {
		return res
	}
	task.Wait()
	var failed bool
	ctx.WithLock(task, func() { failed = task.Info.Error != nil })
	if local, ok := vmFolderPath(ctx, dir); ok && !failed {
		// vcsim's own deletion of the same folder may run meanwhile:
		// RemoveAll ends with the folder gone either way.
		_ = os.RemoveAll(local)
	}
	return res
}

// vmFolderPath maps a VM's folder to its local directory; never the
// datastore's root, which a VM placed there would name.
func vmFolderPath(ctx *simulator.Context, dir string) (string, bool) {
	var dp object.DatastorePath
	if !dp.FromString(dir) {
		return "", false
	}
	if p := path.Clean(dp.Path); p == "." || p == "/" {
		return "", false
	}
	return localPath(ctx, dir)
}

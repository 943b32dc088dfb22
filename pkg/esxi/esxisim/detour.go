package esxisim

import (
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/simulator/esx"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vmware/govmomi/vim25/xml"
)

// detour is a managed object that answers the calls the corrections re-point
// to it (vcsim ignores a replacement object returned by Registry.Handler for
// a logged-in call, but follows a changed Method.This). Its methods take the
// locks of the objects they work on themselves.
type detour struct {
	Self types.ManagedObjectReference
	sim  *Simulator
	seq  atomic.Int64
}

func (d *detour) Reference() types.ManagedObjectReference { return d.Self }

// Lock and Unlock opt out of vcsim's per-object locking: calls through the
// detour must not serialise on it.
func (d *detour) Lock()   {}
func (d *detour) Unlock() {}

func newDetour(s *Simulator) *detour {
	d := &detour{sim: s, Self: types.ManagedObjectReference{Type: "EsxiSimDetour", Value: "esxisim-detour"}}
	s.reg.Put(d)
	return d
}

// failedTaskRequest is the body of a call re-pointed to detour.FailTask.
type failedTaskRequest struct {
	Method string
	Target types.ManagedObjectReference
	Fault  types.BaseMethodFault
}

// detourFailedTask re-points m so that it answers a Task ending in fault.
func (s *Simulator) detourFailedTask(_ *simulator.Context, m *simulator.Method, fault types.BaseMethodFault) (mo.Reference, types.BaseMethodFault) {
	m.Body = &failedTaskRequest{Method: m.Name, Target: m.This, Fault: fault}
	m.Name = "FailTask"
	m.This = s.det.Self
	return s.det, nil
}

// FailTask answers the original method with a new Task in error.
func (d *detour) FailTask(ctx *simulator.Context, req *failedTaskRequest) soap.HasFault {
	return taskBody(req.Method, d.failedTask(ctx, req.Method, req.Target, req.Fault))
}

// failedTask registers a Task that ended in error with fault and returns it.
func (d *detour) failedTask(ctx *simulator.Context, method string, target types.ManagedObjectReference, fault types.BaseMethodFault) types.ManagedObjectReference {
	id := strings.TrimSuffix(method, "_Task")
	t := simulator.CreateTask(target, id+"Task", nil)
	now := time.Now()
	t.Self = types.ManagedObjectReference{
		Type:  "Task",
		Value: fmt.Sprintf("haTask-%s-vim.%s.%s-%d", target.Value, target.Type, lowerFirst(id), 1000+d.seq.Add(1)),
	}
	t.Info.Key = t.Self.Value
	t.Info.Task = t.Self
	t.Info.StartTime = &now
	t.Info.CompleteTime = &now
	t.Info.State = types.TaskInfoStateError
	t.Info.Error = &types.LocalizedMethodFault{Fault: fault, LocalizedMessage: faultMessage(fault)}
	ctx.Map.Put(t)
	return t.Self
}

// taskBodyT is a SOAP response holding a Task for any "*_Task" method.
type taskBodyT struct {
	Res    *taskResponse
	Fault_ *soap.Fault `xml:"http://schemas.xmlsoap.org/soap/envelope/ Fault,omitempty"`
}

func (b *taskBodyT) Fault() *soap.Fault { return b.Fault_ }

func taskBody(method string, task types.ManagedObjectReference) soap.HasFault {
	return &taskBodyT{Res: &taskResponse{method: method, Returnval: task}}
}

type taskResponse struct {
	method    string
	Returnval types.ManagedObjectReference
}

// MarshalXML names the element after the method, e.g. CreateVM_TaskResponse.
func (r *taskResponse) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	start.Name.Local = r.method + "Response"
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	if err := e.EncodeElement(r.Returnval, xml.StartElement{Name: xml.Name{Local: "returnval"}}); err != nil {
		return err
	}
	return e.EncodeToken(start.End())
}

// faultOnly wraps a fault for a method body.
func faultOnly(f types.BaseMethodFault) *soap.Fault {
	return simulator.Fault("", f)
}

// CreateVMTask refuses a name in use and unknown datastores, then creates.
// The check and the creation run under the folder lock, which the task
// keeps until the VM exists, so concurrent creates of one name cannot both
// pass.
func (d *detour) CreateVMTask(ctx *simulator.Context, req *types.CreateVM_Task) soap.HasFault {
	folder, ok := ctx.Map.Get(req.This).(*simulator.Folder)
	if !ok {
		return &methods.CreateVM_TaskBody{Fault_: faultOnly(&types.ManagedObjectNotFound{Obj: req.This})}
	}
	var res soap.HasFault
	ctx.WithLock(folder, func() {
		fault := checkSpecDatastores(ctx, &req.Config)
		if fault == nil {
			fault = vmNameTaken(ctx, req.Config.Name, types.ManagedObjectReference{})
		}
		if fault != nil {
			res = taskBody("CreateVM_Task", d.failedTask(ctx, "CreateVM_Task", req.This, fault))
			return
		}
		res = taskBody("CreateVM_Task", createThen(ctx, folder, "createVm", func() soap.HasFault { return folder.CreateVMTask(ctx, req) }))
	})
	return res
}

// RegisterVMTask refuses a name in use and an unknown datastore.
func (d *detour) RegisterVMTask(ctx *simulator.Context, req *types.RegisterVM_Task) soap.HasFault {
	folder, ok := ctx.Map.Get(req.This).(*simulator.Folder)
	if !ok {
		return &methods.RegisterVM_TaskBody{Fault_: faultOnly(&types.ManagedObjectNotFound{Obj: req.This})}
	}
	var res soap.HasFault
	ctx.WithLock(folder, func() {
		fault := checkDatastorePath(ctx, req.Path)
		if fault == nil && req.Name != "" {
			fault = vmNameTaken(ctx, req.Name, types.ManagedObjectReference{})
		}
		if fault != nil {
			res = taskBody("RegisterVM_Task", d.failedTask(ctx, "RegisterVM_Task", req.This, fault))
			return
		}
		res = taskBody("RegisterVM_Task", createThen(ctx, folder, "registerVm", func() soap.HasFault { return folder.RegisterVMTask(ctx, req) }))
	})
	return res
}

// createThen runs vcsim's creation inside a task of the simulator's that
// ends once the new VM looks as ESXi leaves it (see afterCreate).
func createThen(ctx *simulator.Context, folder *simulator.Folder, name string, create func() soap.HasFault) types.ManagedObjectReference {
	return simulator.CreateTask(folder, name, func(*simulator.Task) (types.AnyType, types.BaseMethodFault) {
		res, fault := waitInner(ctx, create())
		if fault != nil {
			return nil, fault
		}
		ref, _ := res.(types.ManagedObjectReference)
		if vm, ok := ctx.Map.Get(ref).(*simulator.VirtualMachine); ok {
			ctx.WithLock(vm, func() { afterCreate(ctx, vm) })
		}
		return ref, nil
	}).Run(ctx)
}

// RenameTask refuses renaming a VM to a name in use.
func (d *detour) RenameTask(ctx *simulator.Context, req *types.Rename_Task) soap.HasFault {
	vm, ok := ctx.Map.Get(req.This).(*simulator.VirtualMachine)
	if !ok {
		return &methods.Rename_TaskBody{Fault_: faultOnly(&types.ManagedObjectNotFound{Obj: req.This})}
	}
	var fault types.BaseMethodFault
	withVMFolder(ctx, func() { fault = vmNameTaken(ctx, req.NewName, req.This) })
	if fault != nil {
		return taskBody("Rename_Task", d.failedTask(ctx, "Rename_Task", req.This, fault))
	}
	var res soap.HasFault
	ctx.WithLock(vm, func() { res = vm.RenameTask(ctx, req) })
	return res
}

// withVMFolder runs f holding the lock of the host's VM folder, which every
// VM creation holds until the VM exists.
func withVMFolder(ctx *simulator.Context, f func()) {
	folder := ctx.Map.Get(esx.Datacenter.VmFolder)
	if folder == nil {
		f()
		return
	}
	ctx.WithLock(folder, f)
}

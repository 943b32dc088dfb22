package vm

import (
	"context"
	"fmt"
	"sync"

	"github.com/ceso/ceso/pkg/errkind"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/ops"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"
)

// APIHost makes the lifecycle's changes over the vSphere API of a host.
type APIHost struct {
	c *client.Client

	mu  sync.Mutex
	inv *inventory
}

var _ Host = (*APIHost)(nil)

// NewAPIHost returns the Host that works over c's API session.
func NewAPIHost(c *client.Client) *APIHost { return &APIHost{c: c} }

// hostFor returns h, or the API host of c when h is nil, primed with an
// inventory already read.
func hostFor(h Host, c *client.Client, inv *inventory) Host {
	if h == nil {
		h = NewAPIHost(c)
	}
	if a, ok := h.(*APIHost); ok && inv != nil {
		a.mu.Lock()
		if a.inv == nil {
			a.inv = inv
		}
		a.mu.Unlock()
	}
	return h
}

// inventory returns the host's inventory, read once.
func (h *APIHost) inventory(ctx context.Context) (*inventory, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.inv != nil {
		return h.inv, nil
	}
	inv, err := loadInventory(ctx, h.c)
	if err != nil {
		return nil, err
	}
	h.inv = inv
	return inv, nil
}

func (h *APIHost) datacenter(ctx context.Context) (*object.Datacenter, error) {
	inv, err := h.inventory(ctx)
	if err != nil {
		return nil, err
	}
	return object.NewDatacenter(h.c.Vim(), inv.datacenter), nil
}

// MakeDir calls FileManager.MakeDirectory.
func (h *APIHost) MakeDir(ctx context.Context, dir string) error {
	dc, err := h.datacenter(ctx)
	if err != nil {
		return err
	}
	if err := object.NewFileManager(h.c.Vim()).MakeDirectory(ctx, dir, dc, false); err != nil {
		return fmt.Errorf("making folder %s: %w", dir, client.Classify(err))
	}
	return nil
}

// DeleteDir calls FileManager.DeleteDatastoreFile_Task on the folder.
func (h *APIHost) DeleteDir(ctx context.Context, dir string) error {
	dc, err := h.datacenter(ctx)
	if err != nil {
		return err
	}
	_, err = runTask(ctx, h.c, func(ctx context.Context) (*object.Task, error) {
		return object.NewFileManager(h.c.Vim()).DeleteDatastoreFile(ctx, dir, dc)
	})
	if err != nil {
		return fmt.Errorf("deleting folder %s: %w", dir, err)
	}
	return nil
}

// CopyDisk calls VirtualDiskManager.CopyVirtualDisk_Task with a thin spec.
func (h *APIHost) CopyDisk(ctx context.Context, src, dst, controller string) error {
	dc, err := h.datacenter(ctx)
	if err != nil {
		return err
	}
	spec := &types.VirtualDiskSpec{DiskType: string(types.VirtualDiskTypeThin), AdapterType: adapterType(controller)}
	_, err = runTask(ctx, h.c, func(ctx context.Context) (*object.Task, error) {
		return object.NewVirtualDiskManager(h.c.Vim()).CopyVirtualDisk(ctx, src, dc, dst, dc, spec, false)
	})
	if err != nil {
		return fmt.Errorf("copying disk %s to %s: %w", src, dst, err)
	}
	return nil
}

// CopyFile calls FileManager.CopyDatastoreFile_Task, never overwriting.
func (h *APIHost) CopyFile(ctx context.Context, src, dst string) error {
	dc, err := h.datacenter(ctx)
	if err != nil {
		return err
	}
	_, err = runTask(ctx, h.c, func(ctx context.Context) (*object.Task, error) {
		return object.NewFileManager(h.c.Vim()).CopyDatastoreFile(ctx, src, dc, dst, dc, false)
	})
	if err != nil {
		return fmt.Errorf("copying %s to %s: %w", src, dst, err)
	}
	return nil
}

// adapterType is the descriptor adapter type of a disk on that controller.
func adapterType(controller string) string {
	switch controller {
	case "ide":
		return string(types.VirtualDiskAdapterTypeIde)
	case "buslogic":
		return string(types.VirtualDiskAdapterTypeBusLogic)
	}
	return string(types.VirtualDiskAdapterTypeLsiLogic)
}

// DeleteDisk calls VirtualDiskManager.DeleteVirtualDisk_Task.
func (h *APIHost) DeleteDisk(ctx context.Context, path string) error {
	dc, err := h.datacenter(ctx)
	if err != nil {
		return err
	}
	_, err = runTask(ctx, h.c, func(ctx context.Context) (*object.Task, error) {
		return object.NewVirtualDiskManager(h.c.Vim()).DeleteVirtualDisk(ctx, path, dc)
	})
	if err != nil {
		return fmt.Errorf("deleting disk %s: %w", path, err)
	}
	return nil
}

// CreateVM calls Folder.CreateVM_Task in the host's VM folder and resource pool.
func (h *APIHost) CreateVM(ctx context.Context, vm *NewVM) (VMRef, error) {
	inv, err := h.inventory(ctx)
	if err != nil {
		return VMRef{}, err
	}
	spec, err := configSpec(vm, inv)
	if err != nil {
		return VMRef{}, err
	}
	req := types.CreateVM_Task{This: inv.vmFolder, Config: spec, Pool: inv.pool}
	if inv.host.Value != "" {
		req.Host = &inv.host
	}
	res, err := runTask(ctx, h.c, func(ctx context.Context) (*object.Task, error) {
		r, err := methods.CreateVM_Task(ctx, h.c.Vim(), &req)
		if err != nil {
			return nil, err
		}
		return object.NewTask(h.c.Vim(), r.Returnval), nil
	})
	if err != nil {
		return VMRef{}, fmt.Errorf("creating VM %q: %w", vm.Name, err)
	}
	ref, ok := res.(types.ManagedObjectReference)
	if !ok {
		return VMRef{}, fmt.Errorf("creating VM %q: the task returned %T, not a VM", vm.Name, res)
	}
	return VMRef{ID: ref.Value, Name: vm.Name}, nil
}

func vmObject(c *client.Client, ref VMRef) *object.VirtualMachine {
	return object.NewVirtualMachine(c.Vim(), types.ManagedObjectReference{Type: "VirtualMachine", Value: ref.ID})
}

// GrowDisk calls VirtualMachine.ReconfigVM_Task with the disk's new capacity.
func (h *APIHost) GrowDisk(ctx context.Context, ref VMRef, path string, capacity int64) error {
	vm := vmObject(h.c, ref)
	devices, err := vm.Device(ctx)
	if err != nil {
		return fmt.Errorf("reading the disks of VM %q: %w", ref.Name, client.Classify(err))
	}
	disk := findDisk(devices, path)
	if disk == nil {
		return fmt.Errorf("%w: VM %q has no disk %s", ErrNotFound, ref.Name, path)
	}
	if capacity < diskCapacity(disk) {
		return fmt.Errorf("%w: disk %s of VM %q has %d bytes, asked for %d", ErrShrink, path, ref.Name, diskCapacity(disk), capacity)
	}
	disk.CapacityInBytes, disk.CapacityInKB = capacity, capacity/1024
	spec := types.VirtualMachineConfigSpec{DeviceChange: []types.BaseVirtualDeviceConfigSpec{
		&types.VirtualDeviceConfigSpec{Operation: types.VirtualDeviceConfigSpecOperationEdit, Device: disk},
	}}
	if _, err := runTask(ctx, h.c, func(ctx context.Context) (*object.Task, error) { return vm.Reconfigure(ctx, spec) }); err != nil {
		return fmt.Errorf("growing disk %s of VM %q: %w", path, ref.Name, err)
	}
	return nil
}

// Power calls PowerOnVM_Task, PowerOffVM_Task, ResetVM_Task, SuspendVM_Task
// or ShutdownGuest.
func (h *APIHost) Power(ctx context.Context, ref VMRef, op PowerOp) error {
	vm := vmObject(h.c, ref)
	var err error
	switch op {
	case PowerOn:
		_, err = runTask(ctx, h.c, func(ctx context.Context) (*object.Task, error) { return vm.PowerOn(ctx) })
	case PowerOff:
		_, err = runTask(ctx, h.c, vm.PowerOff)
	case PowerReset:
		_, err = runTask(ctx, h.c, vm.Reset)
	case PowerSuspend:
		_, err = runTask(ctx, h.c, vm.Suspend)
	case PowerShutdown:
		err = classifyTask(vm.ShutdownGuest(ctx))
	default:
		return fmt.Errorf("%w: power operation %q", ErrInvalidSpec, op)
	}
	if err != nil {
		if k := errkind.Of(err); k == errkind.Timeout || k == errkind.Canceled {
			// The request may have reached the host before the deadline.
			return fmt.Errorf("%s VM %q: %w; the host may still carry it out: see ceso vm info %s", op.verb(), ref.Name, err, ref.Name)
		}
		return fmt.Errorf("%s VM %q: %w", op.verb(), ref.Name, err)
	}
	return nil
}

// Destroy calls VirtualMachine.Destroy_Task.
func (h *APIHost) Destroy(ctx context.Context, ref VMRef) error {
	if _, err := runTask(ctx, h.c, vmObject(h.c, ref).Destroy); err != nil {
		return fmt.Errorf("destroying VM %q: %w", ref.Name, err)
	}
	return nil
}

// CreateSnapshot calls VirtualMachine.CreateSnapshot_Task without memory or quiescing.
func (h *APIHost) CreateSnapshot(ctx context.Context, ref VMRef, name string) (string, error) {
	vm := vmObject(h.c, ref)
	res, err := runTask(ctx, h.c, func(ctx context.Context) (*object.Task, error) {
		return vm.CreateSnapshot(ctx, name, "taken by ceso to copy the disks; removed when done", false, false)
	})
	if err != nil {
		return "", fmt.Errorf("taking snapshot of VM %q: %w", ref.Name, err)
	}
	snap, ok := res.(types.ManagedObjectReference)
	if !ok {
		return "", fmt.Errorf("taking snapshot of VM %q: the task returned %T, not a snapshot", ref.Name, res)
	}
	return snap.Value, nil
}

// RemoveSnapshot calls VirtualMachineSnapshot.RemoveSnapshot_Task with consolidation.
func (h *APIHost) RemoveSnapshot(ctx context.Context, ref VMRef, id string) error {
	req := types.RemoveSnapshot_Task{
		This:           types.ManagedObjectReference{Type: "VirtualMachineSnapshot", Value: id},
		RemoveChildren: false,
		Consolidate:    types.NewBool(true),
	}
	_, err := runTask(ctx, h.c, func(ctx context.Context) (*object.Task, error) {
		r, err := methods.RemoveSnapshot_Task(ctx, h.c.Vim(), &req)
		if err != nil {
			return nil, err
		}
		return object.NewTask(h.c.Vim(), r.Returnval), nil
	})
	if err != nil {
		return fmt.Errorf("removing snapshot %s of VM %q: %w", id, ref.Name, err)
	}
	return nil
}

// DryRun returns a Host that describes the API calls without making them.
func (h *APIHost) DryRun(record func(ops.Step)) Host { return apiPlan{record: record} }

package esxishell

import (
	"context"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"
)

// powerOps are vim-cmd's power operations: the banner printed first, the
// prefix of a failure, and the API call that does it.
var powerOps = map[string]struct {
	banner, failure string
	call            func(ctx context.Context, vm *object.VirtualMachine) error
}{
	"on":       {"Powering on VM:\n", "Power on failed", func(ctx context.Context, vm *object.VirtualMachine) error { return wait(ctx)(vm.PowerOn(ctx)) }},
	"off":      {"Powering off VM:\n", "Power off failed", func(ctx context.Context, vm *object.VirtualMachine) error { return wait(ctx)(vm.PowerOff(ctx)) }},
	"reset":    {"Reset VM:\n", "Reset failed", func(ctx context.Context, vm *object.VirtualMachine) error { return wait(ctx)(vm.Reset(ctx)) }},
	"suspend":  {"Suspending VM:\n", "Suspend failed", func(ctx context.Context, vm *object.VirtualMachine) error { return wait(ctx)(vm.Suspend(ctx)) }},
	"shutdown": {"", "", func(ctx context.Context, vm *object.VirtualMachine) error { return vm.ShutdownGuest(ctx) }},
	"reboot":   {"", "", func(ctx context.Context, vm *object.VirtualMachine) error { return vm.RebootGuest(ctx) }},
}

// wait returns a function that waits for a task started by an object
// method: wait(ctx)(vm.PowerOn(ctx)).
func wait(ctx context.Context) func(*object.Task, error) error {
	return func(task *object.Task, err error) error {
		if err != nil {
			return err
		}
		return task.Wait(ctx)
	}
}

// power runs vim-cmd vmsvc/power.OP VMID.
func (s *Shell) power(ctx context.Context, op string, args []string) result {
	if len(args) != 1 {
		return failed("Insufficient arguments.\n", 1)
	}
	if op == "getstate" {
		return s.getState(ctx, args[0])
	}
	p, known := powerOps[op]
	if !known {
		return failed("Unknown command: 'vmsvc/power."+op+"'\n", 1)
	}
	v, fail := s.vm(ctx, args[0])
	if fail != nil {
		return *fail
	}
	err := p.call(ctx, object.NewVirtualMachine(s.vim(), v.Self))
	if err != nil {
		r := callResult(p.failure, err)
		r.stdout = p.banner + r.stdout
		return r
	}
	return ok(p.banner)
}

// getState runs vim-cmd vmsvc/power.getstate VMID.
func (s *Shell) getState(ctx context.Context, vmid string) result {
	v, fail := s.vm(ctx, vmid, "runtime.powerState")
	if fail != nil {
		return *fail
	}
	return ok("Retrieved runtime info\n" + stateWords(v.Runtime.PowerState) + "\n")
}

// vmLifecycle runs vim-cmd vmsvc/destroy, unregister or reload VMID.
func (s *Shell) vmLifecycle(ctx context.Context, sub string, args []string) result {
	if len(args) != 1 {
		return failed("Insufficient arguments.\n", 1)
	}
	v, fail := s.vm(ctx, args[0])
	if fail != nil {
		return *fail
	}
	vm := object.NewVirtualMachine(s.vim(), v.Self)
	var err error
	switch sub {
	case "destroy":
		err = wait(ctx)(vm.Destroy(ctx))
	case "unregister":
		err = vm.Unregister(ctx)
	case "reload":
		err = s.reload(ctx, vm)
	}
	if err != nil {
		return callResult("", err)
	}
	return ok("")
}

// reload makes the VM's disks show the size their descriptors give, as
// hostd does when it re-reads a VM whose disk vmkfstools -X grew.
func (s *Shell) reload(ctx context.Context, vm *object.VirtualMachine) error {
	devices, err := vm.Device(ctx)
	if err != nil {
		return err
	}
	var changes []types.BaseVirtualDeviceConfigSpec
	for _, d := range devices.SelectByType((*types.VirtualDisk)(nil)) {
		disk := d.(*types.VirtualDisk)
		b, ok := disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo)
		if !ok {
			continue
		}
		capacity, err := s.diskCapacity(b.FileName)
		if err != nil || capacity <= disk.CapacityInBytes {
			continue
		}
		disk.CapacityInBytes, disk.CapacityInKB = capacity, capacity/1024
		changes = append(changes, &types.VirtualDeviceConfigSpec{Operation: types.VirtualDeviceConfigSpecOperationEdit, Device: disk})
	}
	if len(changes) == 0 {
		return nil
	}
	return wait(ctx)(vm.Reconfigure(ctx, types.VirtualMachineConfigSpec{DeviceChange: changes}))
}

package sshhost

import (
	"context"
	"fmt"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/ssh"
	"github.com/ceso/ceso/pkg/esxi/vm"
)

// powerOps maps the lifecycle's power operations to vim-cmd's.
var powerOps = map[vm.PowerOp]ssh.PowerOp{
	vm.PowerOn:       ssh.PowerOpOn,
	vm.PowerOff:      ssh.PowerOpOff,
	vm.PowerShutdown: ssh.PowerOpShutdown,
	vm.PowerReset:    ssh.PowerOpReset,
	vm.PowerSuspend:  ssh.PowerOpSuspend,
}

// Power runs vim-cmd vmsvc/power.on (off, shutdown, reset, suspend). A VM
// already in the state asked for is success, as it is what the caller
// wants. When the host answers with a bare "Power on failed" (ESXi 6.x
// does so for a VM already on, and sometimes when the operation worked),
// vim-cmd vmsvc/power.getstate decides.
func (h *Host) Power(ctx context.Context, ref vm.VMRef, op vm.PowerOp) error {
	fail := func(err error) error { return fmt.Errorf("%s VM %q over ssh: %w", verb(op), ref.Name, err) }
	sop, ok := powerOps[op]
	if !ok {
		return fail(fmt.Errorf("%w: power operation %q", vm.ErrInvalidSpec, op))
	}
	vmid, err := h.vmid(ctx, ref)
	if err != nil {
		return fail(err)
	}
	cmd, err := ssh.Power(sop, vmid)
	if err != nil {
		return fail(err)
	}
	res, err := h.exec(ctx, cmd)
	if err != nil {
		return fail(err)
	}
	outcome, err := ssh.ClassifyPowerResult(sop, res)
	if err != nil {
		return fail(classify(err))
	}
	if outcome != ssh.PowerRecheck {
		return nil
	}
	state, err := h.powerState(ctx, vmid)
	if err != nil {
		return fail(err)
	}
	if want, _ := sop.Target(); state != want {
		return fail(fmt.Errorf("%w: the host refused without a reason and the VM is %s", client.ErrInvalidPowerState, state))
	}
	return nil
}

// powerState runs vim-cmd vmsvc/power.getstate.
func (h *Host) powerState(ctx context.Context, vmid string) (ssh.PowerState, error) {
	cmd, err := ssh.PowerGetState(vmid)
	if err != nil {
		return "", err
	}
	res, err := h.exec(ctx, cmd)
	if err != nil {
		return "", err
	}
	state, err := ssh.ParsePowerState(res.Output())
	return state, classify(err)
}

func verb(op vm.PowerOp) string {
	switch op {
	case vm.PowerOn:
		return "powering on"
	case vm.PowerOff:
		return "powering off"
	case vm.PowerShutdown:
		return "shutting down"
	case vm.PowerReset:
		return "resetting"
	case vm.PowerSuspend:
		return "suspending"
	}
	return string(op)
}

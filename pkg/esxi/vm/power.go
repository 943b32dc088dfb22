package vm

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/ops"
	"github.com/vmware/govmomi/vim25/types"
)

// PowerOp is a power operation.
type PowerOp string

// The power operations.
const (
	PowerOn       PowerOp = "on"       // power on, or resume a suspended VM
	PowerOff      PowerOp = "off"      // hard power-off
	PowerShutdown PowerOp = "shutdown" // ask the guest to shut down (VMware Tools)
	PowerReset    PowerOp = "reset"    // hard reset of a running VM
	PowerSuspend  PowerOp = "suspend"  // suspend to disk
)

// DefaultShutdownTimeout is how long a guest shutdown is awaited when the
// options do not say.
const DefaultShutdownTimeout = 2 * time.Minute

// ParsePowerOp accepts on, off, shutdown, reset and suspend.
func ParsePowerOp(s string) (PowerOp, error) {
	op := PowerOp(strings.ToLower(strings.TrimSpace(s)))
	switch op {
	case PowerOn, PowerOff, PowerShutdown, PowerReset, PowerSuspend:
		return op, nil
	}
	return "", fmt.Errorf("%w: power operation %q: want on, off, shutdown, reset or suspend", ErrInvalidSpec, s)
}

func (op PowerOp) verb() string {
	switch op {
	case PowerOn:
		return "powering on"
	case PowerOff:
		return "powering off"
	case PowerShutdown:
		return "shutting down"
	case PowerReset:
		return "resetting"
	case PowerSuspend:
		return "suspending"
	}
	return string(op)
}

func (op PowerOp) apiMethod() string {
	switch op {
	case PowerOn:
		return "PowerOnVM_Task"
	case PowerOff:
		return "PowerOffVM_Task"
	case PowerShutdown:
		return "ShutdownGuest"
	case PowerReset:
		return "ResetVM_Task"
	case PowerSuspend:
		return "SuspendVM_Task"
	}
	return string(op)
}

// State is the power state the operation leaves a VM in.
func (op PowerOp) State() string {
	switch op {
	case PowerOn, PowerReset:
		return PoweredOn
	case PowerSuspend:
		return Suspended
	}
	return PoweredOff
}

// PowerOptions tune Power and PowerMany.
type PowerOptions struct {
	// Timeout is how long a shutdown waits for the guest to power off;
	// DefaultShutdownTimeout when 0.
	Timeout time.Duration
	// Force lets a shutdown end in a hard power-off: when the guest has no
	// running VMware Tools, or has not powered off after Timeout.
	Force bool
	// Host makes the change; nil means over the API of the client.
	Host Host
	// HostFor, used by PowerMany instead of Host, makes the Host of each
	// VM on the session that VM's worker borrowed: a Host never outlives
	// the session it was made on.
	HostFor func(*client.Client) (Host, error)
}

// PowerResult is the outcome of a power operation on one VM. Its JSON
// field names are an API: fields are never removed.
type PowerResult struct {
	Name string  `json:"name"`
	Op   PowerOp `json:"op"`
	// State is the power state after the operation (before it, on failure).
	State string `json:"power_state"`
	// AlreadyInState: the VM was already in the requested state; nothing was done.
	AlreadyInState bool `json:"already_in_state"`
	// Forced: a shutdown ended in a hard power-off.
	Forced bool `json:"forced"`
	// Err is why it failed; Error is its text.
	Err   error  `json:"-"`
	Error string `json:"error"`
}

// powerTarget is what a power operation reads first.
type powerTarget struct {
	inv   *inventory
	ref   VMRef
	power string
	tools bool
	tasks []types.ManagedObjectReference
	vmx   string
}

func readPowerTarget(ctx context.Context, c *client.Client, name string) (*powerTarget, error) {
	inv, err := loadInventory(ctx, c)
	if err != nil {
		return nil, err
	}
	ref, err := inv.vm(name)
	if err != nil {
		return nil, err
	}
	vm, err := fetch(ctx, c, ref, []string{"runtime.powerState", "recentTask", "guest.toolsRunningStatus", "summary.config.vmPathName"})
	if err != nil {
		return nil, fmt.Errorf("reading VM %q: %w", name, err)
	}
	t := &powerTarget{inv: inv, ref: VMRef{ID: ref.Value, Name: name}, power: string(vm.Runtime.PowerState), tasks: vm.RecentTask,
		vmx: vm.Summary.Config.VmPathName}
	t.tools = vm.Guest != nil && vm.Guest.ToolsRunningStatus == string(types.VirtualMachineToolsRunningStatusGuestToolsRunning)
	return t, nil
}

// decide says whether op has nothing to do on t, or cannot be done.
func decide(op PowerOp, t *powerTarget, force bool) (already bool, err error) {
	name := t.ref.Name
	switch {
	case op == PowerOn && t.power == PoweredOn, op == PowerOff && t.power == PoweredOff,
		op == PowerSuspend && t.power == Suspended, op == PowerShutdown && t.power == PoweredOff:
		return true, nil
	case op == PowerSuspend && t.power == PoweredOff:
		return false, fmt.Errorf("%w: VM %q is powered off and cannot be suspended", client.ErrInvalidPowerState, name)
	case op == PowerReset && t.power != PoweredOn:
		return false, fmt.Errorf("%w: VM %q is %s; reset needs it running (use on)", client.ErrInvalidPowerState, name, t.power)
	case op == PowerShutdown && t.power == Suspended && !force:
		return false, fmt.Errorf("%w: VM %q is suspended and its guest cannot shut down; use off, or force", client.ErrInvalidPowerState, name)
	case op == PowerShutdown && !t.tools && !force:
		return false, fmt.Errorf("%w: VM %q cannot be asked to shut down; use off for a hard power-off, or force",
			client.ErrToolsUnavailable, name)
	}
	return false, nil
}

// Power changes the power state of the VM called name. A request for the
// state the VM is in already succeeds with AlreadyInState set. A shutdown
// asks the guest through VMware Tools (client.ErrToolsUnavailable when they
// do not run) and waits up to opts.Timeout for the VM to power off
// (ErrWaitTimeout otherwise); with opts.Force it then powers off. Reset
// needs a running VM, suspend a running or suspended one
// (client.ErrInvalidPowerState).
func Power(ctx context.Context, c *client.Client, name string, op PowerOp, opts PowerOptions) (*PowerResult, error) {
	if _, err := ParsePowerOp(string(op)); err != nil {
		return nil, err
	}
	unlock, err := lockVMs(ctx, c.Host(), nil, name)
	if err != nil {
		return nil, err
	}
	defer unlock()
	return power(ctx, c, name, op, opts, nil)
}

// PlanPower reads the VM as Power does and returns the calls Power would
// make; none (a "nothing to do" step) when it is in that state already.
func PlanPower(ctx context.Context, c *client.Client, name string, op PowerOp, opts PowerOptions) ([]ops.Step, error) {
	if _, err := ParsePowerOp(string(op)); err != nil {
		return nil, err
	}
	var steps []ops.Step
	if _, err := power(ctx, c, name, op, opts, func(s ops.Step) { steps = append(steps, s) }); err != nil {
		return nil, err
	}
	return steps, nil
}

func power(ctx context.Context, c *client.Client, name string, op PowerOp, opts PowerOptions, record func(ops.Step)) (*PowerResult, error) {
	t, err := readPowerTarget(ctx, c, name)
	if err != nil {
		return nil, err
	}
	res := &PowerResult{Name: name, Op: op, State: t.power}
	already, err := decide(op, t, opts.Force)
	if err != nil {
		return res, err
	}
	if already {
		res.AlreadyInState = true
		if record != nil {
			record(ops.Step{Via: "local", Action: "nothing to do", Detail: fmt.Sprintf("%s is already %s", name, t.power)})
		}
		return res, nil
	}
	if err := checkNoTasks(ctx, c, name, t.tasks); err != nil {
		return res, err
	}
	h := hostFor(opts.Host, c, t.inv)
	if record != nil {
		h = h.DryRun(record)
	}
	if op == PowerShutdown {
		res.Forced, err = shutdown(ctx, c, h, t, opts, record)
	} else {
		err = h.Power(ctx, t.ref, op)
	}
	if err != nil && op != PowerReset && client.IsFault(err, &types.InvalidPowerState{}) {
		// Someone else changed it meanwhile: fine if it is where we wanted it.
		if now, rerr := readPowerTarget(ctx, c, name); rerr == nil && now.power == op.State() {
			res.State, res.AlreadyInState = now.power, true
			return res, nil
		}
	}
	if err != nil {
		return res, err
	}
	res.State = op.State()
	return res, nil
}

// shutdown asks the guest to shut down and waits for the power-off; with
// opts.Force it powers off when the guest cannot or does not.
func shutdown(ctx context.Context, c *client.Client, h Host, t *powerTarget, opts PowerOptions, record func(ops.Step)) (forced bool, err error) {
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultShutdownTimeout
	}
	note := func(format string, a ...any) {
		if record == nil {
			ops.Note(ctx, format, a...)
		}
	}
	if !t.tools || t.power == Suspended {
		note("%s: the guest cannot shut down (no VMware Tools running, or suspended); powered off instead", t.ref.Name)
		return true, h.Power(ctx, t.ref, PowerOff)
	}
	if err := h.Power(ctx, t.ref, PowerShutdown); err != nil {
		if !opts.Force || !errors.Is(err, client.ErrToolsUnavailable) {
			return false, err
		}
		note("%s: VMware Tools refused the shutdown; powered off instead", t.ref.Name)
		return true, h.Power(ctx, t.ref, PowerOff)
	}
	if record != nil {
		record(ops.Step{Via: "api", Action: fmt.Sprintf("PropertyCollector.WaitForUpdatesEx %s runtime.powerState = poweredOff (up to %s)", t.ref.Name, timeout)})
		if opts.Force {
			record(ops.Step{Via: "api", Action: "VirtualMachine.PowerOffVM_Task " + t.ref.Name, Detail: "only if the guest is still running then"})
		}
		return false, nil
	}
	err = waitPowerState(ctx, c, moRef(t.ref), t.ref.Name, PoweredOff, timeout)
	if errors.Is(err, ErrWaitTimeout) && opts.Force {
		note("%s: the guest did not shut down within %s; powered off", t.ref.Name, timeout)
		return true, ignorePowerState(h.Power(ctx, t.ref, PowerOff))
	}
	if errors.Is(err, ErrWaitTimeout) {
		return false, fmt.Errorf("%w; power it off with force", err)
	}
	return false, err
}

package esxihost

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/ceso/ceso/pkg/ops"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// Host is one ESXi host reached through a client session.
type Host struct {
	c *client.Client
	// record, when set, makes the Host a dry run (see DryRun).
	record func(ops.Step)
	// names are the names VMs were found or imported by, for plans.
	names sync.Map

	once   sync.Once
	finder *find.Finder
	err    error
}

// New wraps a connected client.
func New(c *client.Client) *Host { return &Host{c: c} }

// Client is the session the host is reached through.
func (h *Host) Client() *client.Client { return h.c }

// About is the host's product information.
func (h *Host) About() types.AboutInfo { return h.c.Vim().ServiceContent.About }

// find returns a finder set to the host's datacenter.
func (h *Host) find(ctx context.Context) (*find.Finder, error) {
	h.once.Do(func() {
		f := find.NewFinder(h.c.Vim(), false)
		dc, err := f.DefaultDatacenter(ctx)
		if err != nil {
			h.err = fmt.Errorf("finding the host's datacenter: %w", client.Classify(err))
			return
		}
		f.SetDatacenter(dc)
		h.finder = f
	})
	return h.finder, h.err
}

// Find returns the VM named name.
func (h *Host) Find(ctx context.Context, name string) (*object.VirtualMachine, error) {
	ref, err := vm.Find(ctx, h.c, name)
	if err != nil {
		return nil, err
	}
	v := object.NewVirtualMachine(h.c.Vim(), ref)
	h.remember(v, name)
	return v, nil
}

// VMByID is the VM whose managed object id is id (on a standalone host,
// its vmid), known as name in plans.
func (h *Host) VMByID(id, name string) VM {
	v := object.NewVirtualMachine(h.c.Vim(), types.ManagedObjectReference{Type: "VirtualMachine", Value: id})
	h.remember(v, name)
	return v
}

// Info reads the VM's configuration as ceso's VM layer describes it.
func (h *Host) Info(ctx context.Context, name string) (*vm.Info, error) {
	return vm.GetInfo(ctx, h.c, name)
}

// State is a VM's power and tools state.
type State struct {
	Name         string
	Power        string // vm.PoweredOn, vm.PoweredOff, vm.Suspended
	ToolsRunning bool
	UUID         string
}

// State reads the VM's power state, tools state and BIOS UUID.
func (h *Host) State(ctx context.Context, v *object.VirtualMachine) (State, error) {
	if planned(v) {
		return State{Name: h.nameOf(v), Power: string(types.VirtualMachinePowerStatePoweredOff)}, nil
	}
	var m mo.VirtualMachine
	err := property.DefaultCollector(h.c.Vim()).RetrieveOne(ctx, v.Reference(),
		[]string{"name", "runtime.powerState", "guest.toolsRunningStatus", "config.uuid"}, &m)
	if err != nil {
		return State{}, fmt.Errorf("reading VM state: %w", client.Classify(err))
	}
	s := State{Name: m.Name, Power: string(m.Runtime.PowerState)}
	if m.Guest != nil {
		s.ToolsRunning = m.Guest.ToolsRunningStatus == string(types.VirtualMachineToolsRunningStatusGuestToolsRunning)
	}
	if m.Config != nil {
		s.UUID = m.Config.Uuid
	}
	return s, nil
}

// ShutdownGuest asks VMware Tools to shut the guest down and returns at
// once; wait with WaitPower.
func (h *Host) ShutdownGuest(ctx context.Context, v *object.VirtualMachine) error {
	if h.dry() {
		h.step("ShutdownGuest", v, "")
		return nil
	}
	if err := v.ShutdownGuest(ctx); err != nil {
		return fmt.Errorf("shutting down the guest: %w", client.Classify(err))
	}
	return nil
}

// PowerOff powers the VM off at once (a hard power-off). A VM already off
// is not an error.
func (h *Host) PowerOff(ctx context.Context, v *object.VirtualMachine) error {
	return h.powerTask(ctx, v, "powering off", types.VirtualMachinePowerStatePoweredOff, v.PowerOff)
}

// PowerOn powers the VM on. A VM already on is not an error.
func (h *Host) PowerOn(ctx context.Context, v *object.VirtualMachine) error {
	return h.powerTask(ctx, v, "powering on", types.VirtualMachinePowerStatePoweredOn, v.PowerOn)
}

func (h *Host) powerTask(ctx context.Context, v *object.VirtualMachine, what string, want types.VirtualMachinePowerState,
	start func(context.Context) (*object.Task, error)) error {
	if h.dry() {
		method := "PowerOnVM_Task"
		if want == types.VirtualMachinePowerStatePoweredOff {
			method = "PowerOffVM_Task"
		}
		h.step(method, v, "")
		return nil
	}
	err := waitTask(ctx, start)
	if err != nil && client.IsFault(err, &types.InvalidPowerState{}) {
		if st, serr := v.PowerState(ctx); serr == nil && st == want {
			return nil
		}
	}
	if err != nil {
		return fmt.Errorf("%s: %w", what, client.Classify(err))
	}
	return nil
}

// WaitPower waits until the VM reaches state, or timeout passes; it
// reports whether it did. Errors other than the timeout are returned.
func (h *Host) WaitPower(ctx context.Context, v *object.VirtualMachine, state string, timeout time.Duration) (bool, error) {
	if h.dry() {
		h.step("wait for", v, "%s, up to %s", state, timeout)
		return true, nil
	}
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err := v.WaitForPowerState(wctx, types.VirtualMachinePowerState(state))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
		return false, nil
	}
	return false, fmt.Errorf("waiting for the VM to be %s: %w", state, client.Classify(err))
}

// Rename gives the VM a new name.
func (h *Host) Rename(ctx context.Context, v *object.VirtualMachine, name string) error {
	if h.dry() {
		h.step("Rename_Task", v, "to %q", name)
		h.remember(v, name)
		return nil
	}
	if err := waitTask(ctx, func(ctx context.Context) (*object.Task, error) { return v.Rename(ctx, name) }); err != nil {
		return fmt.Errorf("renaming VM to %q: %w", name, client.Classify(err))
	}
	return nil
}

// Destroy removes a powered-off VM and its files.
func (h *Host) Destroy(ctx context.Context, v *object.VirtualMachine) error {
	if h.dry() {
		h.step("Destroy_Task", v, "")
		return nil
	}
	if err := waitTask(ctx, v.Destroy); err != nil {
		return fmt.Errorf("destroying VM: %w", client.Classify(err))
	}
	return nil
}

// Reconfigure applies spec to the VM.
func (h *Host) Reconfigure(ctx context.Context, v *object.VirtualMachine, spec types.VirtualMachineConfigSpec) error {
	if h.dry() {
		h.step("ReconfigVM_Task", v, "%s", describe(spec))
		return nil
	}
	err := waitTask(ctx, func(ctx context.Context) (*object.Task, error) { return v.Reconfigure(ctx, spec) })
	if err != nil {
		return fmt.Errorf("reconfiguring VM: %w", client.Classify(err))
	}
	return nil
}

// Devices returns the VM's virtual devices.
func (h *Host) Devices(ctx context.Context, v *object.VirtualMachine) (object.VirtualDeviceList, error) {
	if planned(v) {
		return nil, nil
	}
	devices, err := v.Device(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading VM devices: %w", client.Classify(err))
	}
	return devices, nil
}

// ExtraConfig reads the VM's extraConfig keys and values.
func (h *Host) ExtraConfig(ctx context.Context, v *object.VirtualMachine) (map[string]string, error) {
	if planned(v) {
		return map[string]string{}, nil
	}
	var m mo.VirtualMachine
	if err := property.DefaultCollector(h.c.Vim()).RetrieveOne(ctx, v.Reference(), []string{"config.extraConfig"}, &m); err != nil {
		return nil, fmt.Errorf("reading VM extraConfig: %w", client.Classify(err))
	}
	out := map[string]string{}
	if m.Config != nil {
		for _, o := range m.Config.ExtraConfig {
			ov := o.GetOptionValue()
			s, _ := ov.Value.(string)
			out[ov.Key] = s
		}
	}
	return out, nil
}

func waitTask(ctx context.Context, start func(context.Context) (*object.Task, error)) error {
	task, err := start(ctx)
	if err != nil {
		return err
	}
	return task.Wait(ctx)
}

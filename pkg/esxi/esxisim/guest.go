package esxisim

import (
	"context"
	"fmt"
	"hash/fnv"
	"net/netip"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// Guest is what VMware Tools reports about a running guest.
type Guest struct {
	// IP is the primary address (guest.ipAddress).
	IP string
	// IPs are per-NIC addresses, in device order (guest.net); when empty the
	// first NIC gets IP.
	IPs []string
	// ToolsRunning reports VMware Tools as running (and installed, current).
	ToolsRunning bool
	// HostName is the guest's host name (guest.hostName).
	HostName string
}

// toolsVersion is the version a current VMware Tools (12.x) reports.
const toolsVersion = "12389"

// SetGuest sets the guest information of a VM as VMware Tools would report
// it. It does not check the power state: a real host only reports this while
// the VM runs, and clears it on power-off.
func (s *Simulator) SetGuest(vmName string, g Guest) error {
	if s.closed.Load() {
		return ErrClosed
	}
	for _, ip := range append([]string{g.IP}, g.IPs...) {
		if ip == "" {
			continue
		}
		if _, err := netip.ParseAddr(ip); err != nil {
			return fmt.Errorf("%w: address %q of %s", ErrInvalidGuest, ip, vmName)
		}
	}
	ctx := s.internalContext(context.Background())
	vm := s.findVM(ctx, vmName)
	if vm == nil {
		return fmt.Errorf("%w: %s", ErrNoSuchVM, vmName)
	}
	ctx.WithLock(vm, func() {
		ctx.Update(vm, guestChanges(vm, g))
	})
	return nil
}

// guestChanges are the property changes that make vm report g.
func guestChanges(vm *simulator.VirtualMachine, g Guest) []types.PropertyChange {
	tools := types.VirtualMachineToolsStatusToolsNotRunning
	running := types.VirtualMachineToolsRunningStatusGuestToolsNotRunning
	state := "notRunning"
	version := "0"
	if g.ToolsRunning {
		tools = types.VirtualMachineToolsStatusToolsOk
		running = types.VirtualMachineToolsRunningStatusGuestToolsRunning
		state = "running"
		version = toolsVersion
	}
	var nics []types.GuestNicInfo
	ips := g.IPs
	if len(ips) == 0 && g.IP != "" {
		ips = []string{g.IP}
	}
	for i, dev := range ethernetCards(vm) {
		nic := types.GuestNicInfo{
			Network:        dev.network,
			MacAddress:     dev.mac,
			Connected:      true,
			DeviceConfigId: dev.key,
		}
		if i < len(ips) && ips[i] != "" {
			nic.IpAddress = []string{ips[i]}
			nic.IpConfig = &types.NetIpConfigInfo{IpAddress: []types.NetIpConfigInfoIpAddress{{
				IpAddress: ips[i], PrefixLength: 24, State: string(types.NetIpConfigInfoIpAddressStatusPreferred),
			}}}
		}
		nics = append(nics, nic)
	}
	return []types.PropertyChange{
		{Name: "guest.ipAddress", Val: g.IP},
		{Name: "guest.hostName", Val: g.HostName},
		{Name: "guest.net", Val: nics},
		{Name: "guest.toolsStatus", Val: tools},
		{Name: "guest.toolsRunningStatus", Val: string(running)},
		{Name: "guest.toolsVersion", Val: version},
		{Name: "guest.guestState", Val: state},
		{Name: "summary.guest.ipAddress", Val: g.IP},
		{Name: "summary.guest.hostName", Val: g.HostName},
		{Name: "summary.guest.toolsStatus", Val: tools},
		{Name: "summary.guest.toolsRunningStatus", Val: string(running)},
	}
}

type nicInfo struct {
	key          int32
	mac, network string
}

// ethernetCards lists the VM's NICs in device order. Call with the VM locked.
func ethernetCards(vm *simulator.VirtualMachine) []nicInfo {
	if vm.Config == nil {
		return nil
	}
	var out []nicInfo
	for _, d := range vm.Config.Hardware.Device {
		card, ok := d.(types.BaseVirtualEthernetCard)
		if !ok {
			continue
		}
		c := card.GetVirtualEthernetCard()
		n := nicInfo{key: c.Key, mac: c.MacAddress}
		if b, ok := c.Backing.(*types.VirtualEthernetCardNetworkBackingInfo); ok {
			n.network = b.DeviceName
		}
		out = append(out, n)
	}
	return out
}

// findVM returns the VM of that name, if any.
func (s *Simulator) findVM(ctx *simulator.Context, name string) *simulator.VirtualMachine {
	for _, e := range ctx.Map.All("VirtualMachine") {
		if vm, ok := e.(*simulator.VirtualMachine); ok && vm.Name == name {
			return vm
		}
	}
	return nil
}

// internalContext is a vcsim context for calls the simulator makes itself.
// Its session has no user name, which intercept lets through.
func (s *Simulator) internalContext(ctx context.Context) *simulator.Context {
	return &simulator.Context{Context: ctx, Map: s.reg, Session: s.session}
}

// SetAutoGuest turns on or off the automatic guest: while on, a VM that
// powers on reports, after a few milliseconds, VMware Tools running, its name
// as host name and a stable address in 192.168.100.0/24 derived from its
// name. Off, guests report nothing until SetGuest.
func (s *Simulator) SetAutoGuest(on bool) { s.autoGuest.Store(on) }

// AutoGuestIP is the address SetAutoGuest gives a VM of that name.
func AutoGuestIP(vmName string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(vmName))
	return fmt.Sprintf("192.168.100.%d", 10+h.Sum32()%240)
}

// autoGuestDelay is how long after power-on the automatic guest appears.
const autoGuestDelay = 20 * time.Millisecond

// watcher follows property changes: a VM that stops running loses its guest
// information, as on a real host, and may get an automatic guest on start.
type watcher struct{ sim *Simulator }

func (w *watcher) Reference() types.ManagedObjectReference {
	return types.ManagedObjectReference{Type: "EsxiSimWatcher", Value: "esxisim-watcher"}
}

func (w *watcher) PutObject(*simulator.Context, mo.Reference)                    {}
func (w *watcher) RemoveObject(*simulator.Context, types.ManagedObjectReference) {}

func (w *watcher) UpdateObject(ctx *simulator.Context, obj mo.Reference, changes []types.PropertyChange) {
	vm, ok := obj.(*mo.VirtualMachine)
	if !ok {
		return
	}
	for _, c := range changes {
		if c.Name != "runtime.powerState" {
			continue
		}
		state, _ := c.Val.(types.VirtualMachinePowerState)
		if state == types.VirtualMachinePowerStatePoweredOn {
			// The host writes the NVRAM file at the first power-on; if
			// that fails (a full disk), the VM runs without one, as the
			// firmware then keeps its variables in memory only.
			_ = ensureNVRAM(ctx, vm)
			if w.sim.autoGuest.Load() {
				w.sim.scheduleAutoGuest(vm.Self)
			}
			return
		}
		if vm.Guest == nil {
			return
		}
		ctx.Map.Update(ctx, obj, []types.PropertyChange{
			{Name: "guest.ipAddress", Val: ""},
			{Name: "guest.hostName", Val: ""},
			{Name: "guest.net", Val: []types.GuestNicInfo(nil)},
			{Name: "guest.toolsRunningStatus", Val: string(types.VirtualMachineToolsRunningStatusGuestToolsNotRunning)},
			{Name: "guest.toolsStatus", Val: stoppedToolsStatus(vm.Guest.ToolsStatus)},
			{Name: "guest.guestState", Val: "notRunning"},
			{Name: "summary.guest.ipAddress", Val: ""},
			{Name: "summary.guest.hostName", Val: ""},
			{Name: "summary.guest.toolsRunningStatus", Val: string(types.VirtualMachineToolsRunningStatusGuestToolsNotRunning)},
			{Name: "summary.guest.toolsStatus", Val: stoppedToolsStatus(vm.Guest.ToolsStatus)},
		})
		return
	}
}

func stoppedToolsStatus(s types.VirtualMachineToolsStatus) types.VirtualMachineToolsStatus {
	if s == "" || s == types.VirtualMachineToolsStatusToolsNotInstalled {
		return types.VirtualMachineToolsStatusToolsNotInstalled
	}
	return types.VirtualMachineToolsStatusToolsNotRunning
}

// scheduleAutoGuest gives a VM that just powered on its automatic guest.
func (s *Simulator) scheduleAutoGuest(ref types.ManagedObjectReference) {
	s.afterFunc(autoGuestDelay, func() {
		ctx := s.internalContext(context.Background())
		vm, ok := ctx.Map.Get(ref).(*simulator.VirtualMachine)
		if !ok {
			return
		}
		ctx.WithLock(vm, func() {
			if vm.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOn {
				return
			}
			ctx.Update(vm, guestChanges(vm, bootedGuest(vm)))
		})
	})
}

// afterFunc runs f after d unless the simulator closes first.
func (s *Simulator) afterFunc(d time.Duration, f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.timers == nil {
		return
	}
	var t *time.Timer
	t = time.AfterFunc(d, func() {
		s.mu.Lock()
		_, live := s.timers[t]
		delete(s.timers, t)
		s.mu.Unlock()
		if live && !s.closed.Load() {
			f()
		}
	})
	s.timers[t] = struct{}{}
}

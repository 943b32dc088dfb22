package esxisim

import (
	"net/netip"

	"github.com/ceso/ceso/pkg/cloudinit"
	"github.com/vmware/govmomi/simulator"
)

// bootedGuest is what a guest reports once cloud-init has applied its
// guestinfo on the first boot: the host name and the first static IPv4
// address of its network config; without one (DHCP), the VM's AutoGuestIP.
func bootedGuest(vm *simulator.VirtualMachine) Guest {
	g := Guest{IP: AutoGuestIP(vm.Name), ToolsRunning: true, HostName: vm.Name}
	if vm.Config == nil {
		return g
	}
	extra := map[string]string{}
	for _, o := range vm.Config.ExtraConfig {
		ov := o.GetOptionValue()
		if v, ok := ov.Value.(string); ok {
			extra[ov.Key] = v
		}
	}
	if extra[cloudinit.KeyMetadata] == "" {
		return g
	}
	d := cloudinit.Decode(extra)
	if d.Err() != nil {
		return g // cloud-init ignores undecodable guestinfo: the image's defaults apply
	}
	s := d.Summary()
	if s.Hostname != "" {
		g.HostName = s.Hostname
	}
	for _, n := range s.NICs {
		for _, a := range n.Addresses {
			if p, err := netip.ParsePrefix(a); err == nil && p.Addr().Is4() {
				g.IP = p.Addr().String()
				return g
			}
		}
	}
	return g
}

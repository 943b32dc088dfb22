package vm

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/mo"
)

// summaryProps are the properties a list needs, fetched for every VM at once.
var summaryProps = []string{
	"name", "config.uuid", "config.template", "config.hardware.numCPU", "config.hardware.memoryMB",
	"config.guestId", "config.guestFullName", "runtime.powerState", "guest.ipAddress", "summary.config.vmPathName",
}

// Filter selects VMs in a list. The zero Filter selects all.
type Filter struct {
	Name       string // shell glob on the name ("web*"); "" = any
	PowerState string // poweredOn, poweredOff, suspended (or on/off); "" = any
}

// NormalizePowerState accepts the API words and the short ones (on, off,
// suspended) and returns the API word.
func NormalizePowerState(s string) (string, error) {
	switch strings.ToLower(s) {
	case "":
		return "", nil
	case "on", "poweredon", "powered-on":
		return PoweredOn, nil
	case "off", "poweredoff", "powered-off":
		return PoweredOff, nil
	case "suspended":
		return Suspended, nil
	}
	return "", fmt.Errorf("%w: power state %q: want on, off or suspended", ErrInvalidFilter, s)
}

// Validate checks the filter before anything is asked of a host.
func (f *Filter) Validate() error {
	if _, err := path.Match(f.Name, ""); err != nil {
		return fmt.Errorf("%w: name pattern %q: %v", ErrInvalidFilter, f.Name, err)
	}
	ps, err := NormalizePowerState(f.PowerState)
	f.PowerState = ps
	return err
}

func (f Filter) match(s Summary) bool {
	if f.Name != "" {
		if ok, _ := path.Match(f.Name, s.Name); !ok {
			return false
		}
	}
	return f.PowerState == "" || f.PowerState == s.PowerState
}

// List returns the VMs of the host that match f, sorted by name, in one
// property-collector retrieval: the number of round trips does not grow with
// the number of VMs.
func List(ctx context.Context, c *client.Client, f Filter) ([]Summary, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	vms, err := retrieveAll(ctx, c.Vim(), summaryProps)
	if err != nil {
		return nil, fmt.Errorf("listing VMs: %w", err)
	}
	out := make([]Summary, 0, len(vms))
	for i := range vms {
		s := summarize(&vms[i])
		if f.match(s) {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// retrieveAll fetches props of every VM through a container view.
func retrieveAll(ctx context.Context, vc *vim25.Client, props []string) ([]mo.VirtualMachine, error) {
	m := view.NewManager(vc)
	v, err := m.CreateContainerView(ctx, vc.ServiceContent.RootFolder, []string{"VirtualMachine"}, true)
	if err != nil {
		return nil, client.Classify(err)
	}
	defer func() { _ = v.Destroy(context.WithoutCancel(ctx)) }()
	var vms []mo.VirtualMachine
	if err := v.Retrieve(ctx, []string{"VirtualMachine"}, props, &vms); err != nil {
		return nil, client.Classify(err)
	}
	return vms, nil
}

func summarize(vm *mo.VirtualMachine) Summary {
	s := Summary{Name: vm.Name, ID: vm.Self.Value, PowerState: string(vm.Runtime.PowerState)}
	if c := vm.Config; c != nil {
		s.UUID, s.Template, s.GuestOS = c.Uuid, c.Template, c.GuestId
		s.CPU, s.MemoryMB = c.Hardware.NumCPU, c.Hardware.MemoryMB
	}
	if g := vm.Guest; g != nil {
		s.IP = g.IpAddress
	}
	s.Path = vm.Summary.Config.VmPathName
	return s
}

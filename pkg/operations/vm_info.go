package operations

import (
	"context"
	"fmt"
	"strings"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/cloudinit"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/ceso/ceso/pkg/ops"
)

// VMInfoParams are the params of vm.info.
type VMInfoParams struct {
	Name string `json:"name" jsonschema:"the VM's name"`
}

// Validate implements Params.
func (p VMInfoParams) Validate() error {
	if strings.TrimSpace(p.Name) == "" {
		return fmt.Errorf("name: a VM name cannot be empty")
	}
	return nil
}

// Target implements Params.
func (p VMInfoParams) Target() string { return p.Name }

// VMDetails is a VM's details and, when it carries cloud-init guestinfo, the
// decoded summary of it.
type VMDetails struct {
	vm.Info
	CloudInit *cloudinit.Summary `json:"cloud_init"`
}

// VMInfo shows one VM.
var VMInfo = &Op[VMInfoParams, *VMDetails]{
	name:    "vm.info",
	summary: "Show a VM's hardware, disks, NICs, addresses, tools and decoded cloud-init guestinfo",
	class:   ops.ClassRead,
	plan: func(_ context.Context, _ *app.App, p VMInfoParams) ([]ops.Step, error) {
		return []ops.Step{
			{Via: "api", Action: "PropertyCollector.RetrievePropertiesEx", Detail: "names of every VM, through a container view, to find " + p.Name},
			{Via: "api", Action: "PropertyCollector.RetrievePropertiesEx", Detail: "config, guest, runtime of " + p.Name},
		}, nil
	},
	run: func(ctx context.Context, a *app.App, p VMInfoParams) (*VMDetails, error) {
		in, cached := (*vm.Info)(nil), false
		if inv := a.Inventory(); inv != nil {
			in, cached = inv.Info(p.Name) // the daemon's cache, current: no round trip
		}
		if !cached {
			var err error
			if in, err = app.WithSession(ctx, a, func(c *client.Client) (*vm.Info, error) { return vm.GetInfo(ctx, c, p.Name) }); err != nil {
				return nil, err
			}
		}
		out := &VMDetails{Info: *in}
		if in.ExtraConfig[cloudinit.KeyMetadata] != "" || in.ExtraConfig[cloudinit.KeyUserData] != "" {
			s := cloudinit.Decode(in.ExtraConfig).Summary()
			out.CloudInit = &s
		}
		return out, nil
	},
}

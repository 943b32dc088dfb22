package operations

import (
	"context"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/ceso/ceso/pkg/ops"
)

// VMSummary is one VM of a listing.
type VMSummary = vm.Summary

// VMListParams are the params of vm.list.
type VMListParams struct {
	Name       string `json:"name,omitempty" jsonschema:"only VMs whose name matches this shell glob, e.g. web*"`
	PowerState string `json:"power_state,omitempty" jsonschema:"only VMs in this power state: on, off or suspended"`
}

func (p VMListParams) filter() vm.Filter { return vm.Filter{Name: p.Name, PowerState: p.PowerState} }

// Validate implements Params.
func (p VMListParams) Validate() error { f := p.filter(); return f.Validate() }

// Target implements Params.
func (p VMListParams) Target() string {
	if p.Name == "" {
		return "*"
	}
	return p.Name
}

// VMList lists the host's VMs in one property-collector retrieval.
var VMList = &Op[VMListParams, []VMSummary]{
	name:    "vm.list",
	summary: "List the host's VMs (name, power state, CPU, memory, IP, guest OS) in one retrieval",
	class:   ops.ClassRead,
	plan: func(context.Context, *app.App, VMListParams) ([]ops.Step, error) {
		return []ops.Step{
			{Via: "api", Action: "ViewManager.CreateContainerView", Detail: "root folder, VirtualMachine, recursive"},
			{Via: "api", Action: "PropertyCollector.RetrievePropertiesEx", Detail: "name, config, runtime.powerState, guest.ipAddress of every VM at once"},
			{Via: "api", Action: "ContainerView.DestroyView"},
		}, nil
	},
	run: func(ctx context.Context, a *app.App, p VMListParams) ([]VMSummary, error) {
		f := p.filter()
		if err := f.Validate(); err != nil {
			return nil, err
		}
		if inv := a.Inventory(); inv != nil {
			if list, ok := inv.List(f); ok {
				return list, nil // the daemon's cache, current: no round trip
			}
		}
		list, err := app.WithSession(ctx, a, func(c *client.Client) ([]VMSummary, error) { return vm.List(ctx, c, f) })
		if list == nil && err == nil {
			list = []VMSummary{}
		}
		return list, err
	},
}

package operations

import (
	"context"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/ceso/ceso/pkg/ops"
)

// VMDeleteParams are the params of vm.delete.
type VMDeleteParams struct {
	Name  string `json:"name" jsonschema:"the VM to remove with all its files"`
	Force bool   `json:"force,omitempty" jsonschema:"power a running VM off first"`
}

// Validate implements Params.
func (p VMDeleteParams) Validate() error { return vm.ValidateName(p.Name) }

// Target implements Params.
func (p VMDeleteParams) Target() string { return p.Name }

// Deleted says what a deletion removed.
type Deleted struct {
	Name    string `json:"name"`
	Deleted bool   `json:"deleted"`
}

// VMDelete removes a VM and its files.
var VMDelete = &Op[VMDeleteParams, Deleted]{
	name:    "vm.delete",
	summary: "Remove a VM and every file of its folder (a running VM only with force)",
	class:   ops.ClassDestructive,
	plan: func(ctx context.Context, a *app.App, p VMDeleteParams) ([]ops.Step, error) {
		return withVMHost(ctx, a, func(c *client.Client, h vm.Host) ([]ops.Step, error) {
			return vm.PlanDelete(ctx, c, p.Name, vm.DeleteOptions{Force: p.Force, Host: h})
		})
	},
	run: func(ctx context.Context, a *app.App, p VMDeleteParams) (Deleted, error) {
		return withVMHost(ctx, a, func(c *client.Client, h vm.Host) (Deleted, error) {
			err := vm.DeleteWith(ctx, c, p.Name, vm.DeleteOptions{Force: p.Force, Host: h})
			return Deleted{Name: p.Name, Deleted: err == nil}, err
		})
	},
}

package operations

import (
	"context"
	"errors"
	"time"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/cloudinit"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/ceso/ceso/pkg/ops"
)

// VMResult is the VM a create, clone or restore made.
type VMResult = vm.Result

// VMCreateParams are the params of vm.create.
type VMCreateParams struct {
	Name      string `json:"name" jsonschema:"name of the new VM"`
	Template  string `json:"template,omitempty" jsonschema:"powered-off template VM to copy; defaults.template when absent"`
	Network   string `json:"network,omitempty" jsonschema:"port group of the first NIC; defaults.network or the template's when absent"`
	Datastore string `json:"datastore,omitempty" jsonschema:"datastore of the new VM; defaults.datastore or the template's when absent"`
	Hardware
	PowerOnWait
	CloudInit cloudinit.Spec `json:"cloud_init,omitzero" jsonschema:"cloud-init guestinfo: host name (default: the VM name), users, SSH keys, network"`
}

// Validate implements Params.
func (p VMCreateParams) Validate() error {
	if err := vm.ValidateName(p.Name); err != nil {
		return err
	}
	if p.Template == "" {
		return errors.New("template: no template given and defaults.template is not set")
	}
	return errors.Join(p.Hardware.Validate(), p.PowerOnWait.Validate(), withHostname(p.CloudInit, p.Name).Validate())
}

// Target implements Params.
func (p VMCreateParams) Target() string { return p.Name }

func (p VMCreateParams) spec() (vm.CreateSpec, error) {
	keys, err := cloudinit.Build(withHostname(p.CloudInit, p.Name))
	if err != nil {
		return vm.CreateSpec{}, err
	}
	return vm.CreateSpec{
		Name: p.Name, Template: p.Template, CPU: p.CPU, MemoryMB: p.MemoryMB, DiskSizeBytes: p.DiskSizeBytes,
		Network: p.Network, Datastore: p.Datastore, GuestInfo: keys, PowerOn: p.PowerOn, WaitIP: time.Duration(p.WaitIP),
	}, nil
}

// VMCreate makes a VM from a template by disk copy, with cloud-init guestinfo.
var VMCreate = &Op[VMCreateParams, *VMResult]{
	name:    "vm.create",
	summary: "Create a VM from a powered-off template by disk copy, with cloud-init guestinfo (host name, users, keys, addresses)",
	class:   ops.ClassWrite,
	complete: func(a *app.App, p VMCreateParams) VMCreateParams {
		d := a.Config().Defaults
		fillDefault(&p.Template, d.Template)
		fillDefault(&p.Datastore, d.Datastore)
		fillDefault(&p.Network, d.Network)
		return p
	},
	plan: func(ctx context.Context, a *app.App, p VMCreateParams) ([]ops.Step, error) {
		p.CloudInit = planned(p.CloudInit)
		spec, err := p.spec()
		if err != nil {
			return nil, err
		}
		return withVMHost(ctx, a, func(c *client.Client, h vm.Host) ([]ops.Step, error) {
			spec.Host = h
			return vm.PlanCreate(ctx, c, spec)
		})
	},
	run: func(ctx context.Context, a *app.App, p VMCreateParams) (*VMResult, error) {
		spec, err := p.spec()
		if err != nil {
			return nil, err
		}
		return withVMHost(ctx, a, func(c *client.Client, h vm.Host) (*VMResult, error) {
			spec.Host = reported(a, h)
			return vm.Create(ctx, c, spec)
		})
	},
}

// withVMHost runs fn with a pooled session and the Host the configured
// transport makes changes through; both live until fn returns.
func withVMHost[T any](ctx context.Context, a *app.App, fn func(*client.Client, vm.Host) (T, error)) (T, error) {
	return app.WithSession(ctx, a, func(c *client.Client) (T, error) {
		h, err := a.VMHost(c)
		if err != nil {
			var zero T
			return zero, err
		}
		return fn(c, h)
	})
}

// reported is h with its changes shown as they happen, on a terminal.
func reported(a *app.App, h vm.Host) vm.Host {
	if report := a.StepReporter(); report != nil {
		return vm.Reporting(h, report)
	}
	return h
}

func fillDefault(dst *string, def string) {
	if *dst == "" {
		*dst = def
	}
}

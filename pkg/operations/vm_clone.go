package operations

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/cloudinit"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/ceso/ceso/pkg/ops"
)

// VMCloneParams are the params of vm.clone.
type VMCloneParams struct {
	Source    string `json:"source" jsonschema:"the VM to copy"`
	Name      string `json:"name" jsonschema:"name of the copy"`
	Network   string `json:"network,omitempty" jsonschema:"port group of the first NIC; the source's when absent"`
	Datastore string `json:"datastore,omitempty" jsonschema:"datastore of the copy; the source's when absent"`
	Hardware
	PowerOffSource  bool     `json:"power_off_source,omitempty" jsonschema:"shut a running source down for the copy and power it on again afterwards"`
	Snapshot        bool     `json:"snapshot,omitempty" jsonschema:"copy a running source under a temporary snapshot (crash-consistent)"`
	ShutdownTimeout Duration `json:"shutdown_timeout,omitempty" jsonschema:"with power_off_source: wait this long for the guest, then power off (default 5m)"`
	PowerOnWait
	CloudInit cloudinit.Spec `json:"cloud_init,omitzero" jsonschema:"new identity and network (DHCP when none); users, keys or user-data replace the source's accounts, otherwise they are kept"`
}

// Validate implements Params.
func (p VMCloneParams) Validate() error {
	if err := vm.ValidateName(p.Name); err != nil {
		return err
	}
	if strings.TrimSpace(p.Source) == "" {
		return fmt.Errorf("source: name the VM to copy")
	}
	var errs []error
	if p.PowerOffSource && p.Snapshot {
		errs = append(errs, errors.New("power_off_source and snapshot exclude each other"))
	}
	if p.ShutdownTimeout < 0 {
		errs = append(errs, errors.New("shutdown_timeout: must be positive"))
	}
	errs = append(errs, p.Hardware.Validate(), p.PowerOnWait.Validate(), withHostname(p.CloudInit, p.Name).Validate())
	return errors.Join(errs...)
}

// Target implements Params.
func (p VMCloneParams) Target() string { return p.Name }

func (p VMCloneParams) spec() (vm.CloneSpec, error) {
	s := vm.CloneSpec{
		Name: p.Name, Source: p.Source, CPU: p.CPU, MemoryMB: p.MemoryMB, DiskSizeBytes: p.DiskSizeBytes,
		Network: p.Network, Datastore: p.Datastore, PowerOffSource: p.PowerOffSource, Snapshot: p.Snapshot,
		ShutdownTimeout: time.Duration(p.ShutdownTimeout), PowerOn: p.PowerOn, WaitIP: time.Duration(p.WaitIP),
	}
	if s.ShutdownTimeout == 0 {
		s.ShutdownTimeout = vm.DefaultShutdownTimeout
	}
	spec := withHostname(p.CloudInit, p.Name)
	if !changesAccounts(spec) {
		s.Identity = &spec
		return s, nil
	}
	keys, err := cloudinit.Build(spec)
	if err != nil {
		return vm.CloneSpec{}, err
	}
	s.GuestInfo = keys
	return s, nil
}

// VMClone copies a VM by disk copy under a new name and identity.
var VMClone = &Op[VMCloneParams, *VMResult]{
	name:    "vm.clone",
	summary: "Copy a VM by disk copy under a new name, with a new instance-id, MAC addresses, UUID and address",
	class:   ops.ClassWrite,
	plan: func(ctx context.Context, a *app.App, p VMCloneParams) ([]ops.Step, error) {
		p.CloudInit = planned(p.CloudInit)
		spec, err := p.spec()
		if err != nil {
			return nil, err
		}
		return withVMHost(ctx, a, func(c *client.Client, h vm.Host) ([]ops.Step, error) {
			spec.Host = h
			return vm.PlanClone(ctx, c, spec)
		})
	},
	run: func(ctx context.Context, a *app.App, p VMCloneParams) (*VMResult, error) {
		spec, err := p.spec()
		if err != nil {
			return nil, err
		}
		return withVMHost(ctx, a, func(c *client.Client, h vm.Host) (*VMResult, error) {
			spec.Host = reported(a, h)
			return vm.Clone(ctx, c, spec)
		})
	},
}

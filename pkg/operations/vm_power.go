package operations

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/ceso/ceso/pkg/ops"
)

// PowerResult is the outcome of a power action on one VM.
type PowerResult = vm.PowerResult

// MaxParallel bounds the VMs a batch handles at once.
const MaxParallel = 64

// VMPowerParams are the params of vm.power.
type VMPowerParams struct {
	Action          string   `json:"action" jsonschema:"on, off, shutdown, reset or suspend"`
	Names           []string `json:"names,omitempty" jsonschema:"the VMs; or all"`
	All             bool     `json:"all,omitempty" jsonschema:"every VM but templates and defaults.template (narrowed by match)"`
	Match           string   `json:"match,omitempty" jsonschema:"with all, only VMs whose name matches this shell glob"`
	Parallel        int      `json:"parallel,omitempty" jsonschema:"VMs handled at once, 1 to 64 (default 4)"`
	ShutdownTimeout Duration `json:"shutdown_timeout,omitempty" jsonschema:"shutdown: how long to wait for the guest to power off (default 2m)"`
	Force           bool     `json:"force,omitempty" jsonschema:"shutdown: power off when the guest has no tools or does not stop in time"`
}

// Validate implements Params.
func (p VMPowerParams) Validate() error {
	if _, err := vm.ParsePowerOp(p.Action); err != nil {
		return fmt.Errorf("action: %w", err)
	}
	switch {
	case p.All && len(p.Names) > 0:
		return errors.New("name VMs or use all, not both")
	case !p.All && len(p.Names) == 0:
		return errors.New("name at least one VM, or use all")
	case p.Match != "" && !p.All:
		return errors.New("match goes with all")
	case p.Parallel < 0 || p.Parallel > MaxParallel:
		return fmt.Errorf("parallel %d: want 1 to %d", p.Parallel, MaxParallel)
	case p.ShutdownTimeout < 0:
		return errors.New("shutdown_timeout must be positive")
	}
	if _, err := path.Match(p.Match, ""); err != nil {
		return fmt.Errorf("match %q: %v", p.Match, err)
	}
	for _, n := range p.Names {
		if err := vm.ValidateName(n); err != nil {
			return err
		}
	}
	return nil
}

// Target implements Params.
func (p VMPowerParams) Target() string {
	if p.All {
		return "all:" + p.Match
	}
	return strings.Join(p.Names, ",")
}

func (p VMPowerParams) options() (vm.PowerOp, vm.PowerOptions) {
	op, _ := vm.ParsePowerOp(p.Action)
	o := vm.PowerOptions{Timeout: time.Duration(p.ShutdownTimeout), Force: p.Force}
	if o.Timeout == 0 {
		o.Timeout = vm.DefaultShutdownTimeout
	}
	return op, o
}

// VMPower changes the power state of VMs, in parallel.
var VMPower = &Op[VMPowerParams, []PowerResult]{
	name:    "vm.power",
	summary: "Power VMs on, off, shut them down, reset or suspend them, in parallel; one result per VM",
	class:   ops.ClassWrite,
	classes: []ops.Class{ops.ClassWrite, ops.ClassDestructive},
	// A hard power-off or reset loses what the guest had not written, and
	// so does a shutdown that may end in one.
	classOf: func(p VMPowerParams) ops.Class {
		op, _ := vm.ParsePowerOp(p.Action)
		if op == vm.PowerOff || op == vm.PowerReset || (op == vm.PowerShutdown && p.Force) {
			return ops.ClassDestructive
		}
		return ops.ClassWrite
	},
	complete: func(_ *app.App, p VMPowerParams) VMPowerParams {
		if p.Parallel == 0 {
			p.Parallel = 4
		}
		return p
	},
	plan: func(ctx context.Context, a *app.App, p VMPowerParams) ([]ops.Step, error) {
		op, o := p.options()
		return withVMHost(ctx, a, func(c *client.Client, h vm.Host) ([]ops.Step, error) {
			names, err := powerTargets(ctx, a, c, p)
			if err != nil {
				return nil, err
			}
			o.Host = h
			var steps []ops.Step
			for _, n := range names {
				s, err := vm.PlanPower(ctx, c, n, op, o)
				if err != nil {
					return nil, err
				}
				steps = append(steps, s...)
			}
			return steps, nil
		})
	},
	run: func(ctx context.Context, a *app.App, p VMPowerParams) ([]PowerResult, error) {
		op, o := p.options()
		names, err := app.WithSession(ctx, a, func(c *client.Client) ([]string, error) { return powerTargets(ctx, a, c, p) })
		if err != nil {
			return nil, err
		}
		pool, err := a.Pool(ctx)
		if err != nil {
			return nil, err
		}
		o.HostFor = a.VMHost
		results := vm.PowerMany(ctx, pool, names, op, o, p.Parallel)
		if results == nil {
			results = []PowerResult{}
		}
		return results, vm.BatchError(results)
	},
}

// powerTargets resolves all into names (see everyVM).
func powerTargets(ctx context.Context, a *app.App, c *client.Client, p VMPowerParams) ([]string, error) {
	if !p.All {
		return p.Names, nil
	}
	return everyVM(ctx, a, c, p.Match)
}

// everyVM is what "all" means to a batch: every VM whose name matches the
// glob match ("" matches all), but templates and the configured template.
func everyVM(ctx context.Context, a *app.App, c *client.Client, match string) ([]string, error) {
	list, err := vm.List(ctx, c, vm.Filter{Name: match})
	if err != nil {
		return nil, err
	}
	var names []string
	for _, s := range list {
		if !s.Template && s.Name != a.Config().Defaults.Template {
			names = append(names, s.Name)
		}
	}
	return names, nil
}

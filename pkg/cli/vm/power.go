package vm

import (
	"context"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/ceso/ceso/pkg/ops"
	"github.com/spf13/cobra"
)

// PowerOptions are the options of `ceso vm power`.
type PowerOptions struct {
	Factory  *cmdutil.Factory
	Op       vm.PowerOp
	Names    []string
	All      bool
	Match    string
	Parallel int
	Wait     time.Duration
	Force    bool
	JSON     bool
}

// NewCmdPower makes `ceso vm power on|off|shutdown|reset|suspend NAME...`.
func NewCmdPower(f *cmdutil.Factory, runF func(*PowerOptions) error) *cobra.Command {
	opts := &PowerOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "power on|off|shutdown|reset|suspend NAME... | --all",
		Short: "Power VMs on, off, shut them down, reset or suspend them, in parallel",
		Long: `Change the power state of one or more VMs, in parallel (--parallel, default 4,
through the session pool). A VM already in the requested state is a success
with a note. shutdown asks the guest through VMware Tools and waits up to
--timeout for it to power off; with --force it then powers the VM off (also
when the guest has no tools). The result is reported per VM; when some VMs
fail the exit code is 7 (partial failure).

--all selects every VM (narrowed by --match GLOB) except the configured
template (defaults.template), which is never powered by --all.`,
		Example: `  ceso vm power on web01 web02 db1
  ceso vm power shutdown --all --match 'lab-*' --timeout 3m --force
  ceso vm power off web01 --json`,
		Args: cmdutil.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			op, err := vm.ParsePowerOp(args[0])
			if err != nil {
				return cmdutil.FlagError(err)
			}
			opts.Op, opts.Names = op, args[1:]
			if err := opts.validate(); err != nil {
				return cmdutil.FlagError(err)
			}
			if runF != nil {
				return runF(opts)
			}
			return powerRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.All, "all", false, "every VM but the template (see --match)")
	fl.StringVar(&opts.Match, "match", "", "with --all, only VMs whose name matches this glob")
	fl.IntVar(&opts.Parallel, "parallel", 4, "VMs handled at once (1 to 64)")
	fl.DurationVar(&opts.Wait, "timeout", vm.DefaultShutdownTimeout, "shutdown: how long to wait for the guest to power off")
	fl.BoolVar(&opts.Force, "force", false, "shutdown: power off when the guest has no tools or does not stop in time")
	fl.BoolVar(&opts.JSON, "json", false, "print JSON")
	return cmd
}

func (o *PowerOptions) validate() error {
	switch {
	case o.All && len(o.Names) > 0:
		return fmt.Errorf("name VMs or use --all, not both")
	case !o.All && len(o.Names) == 0:
		return fmt.Errorf("name at least one VM, or use --all")
	case o.Match != "" && !o.All:
		return fmt.Errorf("--match goes with --all")
	case o.Parallel < 1 || o.Parallel > 64:
		return fmt.Errorf("--parallel %d: want 1 to 64", o.Parallel)
	case o.Wait <= 0:
		return fmt.Errorf("--timeout must be positive")
	}
	if _, err := path.Match(o.Match, ""); err != nil {
		return fmt.Errorf("--match %q: %v", o.Match, err)
	}
	for _, n := range o.Names {
		if err := vm.ValidateName(n); err != nil {
			return err
		}
	}
	return nil
}

// PowerOp is the vm.power.<op> operation on a batch of VMs.
func PowerOp(f *cmdutil.Factory, o *PowerOptions) *ops.Op {
	popts := vm.PowerOptions{Timeout: o.Wait, Force: o.Force}
	return &ops.Op{
		Name:   "vm.power." + string(o.Op),
		Target: strings.Join(o.Names, ","),
		Params: map[string]any{"all": o.All, "match": o.Match, "parallel": o.Parallel, "force": o.Force},
		Plan: func(ctx context.Context) ([]ops.Step, error) {
			names, err := o.targets(ctx, f)
			if err != nil {
				return nil, err
			}
			var steps []ops.Step
			for _, n := range names {
				s, err := withHost(ctx, f, func(c hostClient) ([]ops.Step, error) {
					p := popts
					p.Host = c.host
					return vm.PlanPower(ctx, c.Client, n, o.Op, p)
				})
				if err != nil {
					return nil, err
				}
				steps = append(steps, s...)
			}
			return steps, nil
		},
		Run: func(ctx context.Context) (any, error) {
			names, err := o.targets(ctx, f)
			if err != nil {
				return nil, err
			}
			pool, err := f.Pool(ctx)
			if err != nil {
				return nil, err
			}
			// One Host serves every worker: it is safe for concurrent use,
			// and over SSH it shares one connection.
			p := popts
			if p.Host, err = withHost(ctx, f, func(c hostClient) (vm.Host, error) { return c.host, nil }); err != nil {
				return nil, err
			}
			results := vm.PowerMany(ctx, pool, names, o.Op, p, o.Parallel)
			return results, vm.BatchError(results)
		},
	}
}

// targets resolves --all into names.
func (o *PowerOptions) targets(ctx context.Context, f *cmdutil.Factory) ([]string, error) {
	if !o.All {
		return o.Names, nil
	}
	cfg, err := f.Config()
	if err != nil {
		return nil, err
	}
	c, release, err := f.Client(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	list, err := vm.List(ctx, c, vm.Filter{Name: o.Match})
	if err != nil {
		return nil, err
	}
	var names []string
	for _, s := range list {
		if !s.Template && s.Name != cfg.Defaults.Template {
			names = append(names, s.Name)
		}
	}
	return names, nil
}

func powerRun(ctx context.Context, opts *PowerOptions) error {
	f := opts.Factory
	value, done, err := f.RunOp(ctx, PowerOp(f, opts), opts.JSON)
	results, _ := value.([]vm.PowerResult)
	if done && results == nil {
		return err
	}
	if opts.JSON {
		if jerr := cmdutil.WriteJSON(f.IO.Out, results); jerr != nil {
			return jerr
		}
		return err
	}
	t := cmdutil.NewTable(f.IO, "NAME", "OPERATION", "STATE", "RESULT")
	for _, r := range results {
		t.Row(r.Name, r.Op, dash(r.State), powerNote(r))
	}
	if ferr := t.Flush(); ferr != nil {
		return ferr
	}
	return err
}

func powerNote(r vm.PowerResult) string {
	switch {
	case r.Err != nil:
		return "failed: " + r.Error
	case r.AlreadyInState:
		return "already " + r.State + ", nothing done"
	case r.Forced:
		return "ok (powered off: the guest did not shut down)"
	}
	return "ok"
}

package vm

import (
	"context"
	"fmt"
	"time"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/ceso/ceso/pkg/operations"
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
		Use:         "power on|off|shutdown|reset|suspend NAME... | --all",
		Annotations: cmdutil.Operation("vm.power"),
		Short:       "Power VMs on, off, shut them down, reset or suspend them, in parallel",
		Long: `Change the power state of one or more VMs, in parallel (--parallel, default 4,
through the session pool). A VM already in the requested state is a success
with a note. shutdown asks the guest through VMware Tools and waits up to
--shutdown-timeout for it to power off; with --force it then powers the VM off (also
when the guest has no tools). The result is reported per VM; when some VMs
fail the exit code is 7 (partial failure).

--all selects every VM (narrowed by --match GLOB) except the configured
template (defaults.template), which is never powered by --all.`,
		Example: `  ceso vm power on web01 web02 db1
  ceso vm power shutdown --all --match 'lab-*' --shutdown-timeout 3m --force
  ceso vm power off web01 --json`,
		Args:              cmdutil.MinimumNArgs(1),
		ValidArgsFunction: cmdutil.CompletePowerAction(f),
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
	fl.DurationVar(&opts.Wait, "shutdown-timeout", vm.DefaultShutdownTimeout, "shutdown: how long to wait for the guest to power off (the global --timeout bounds the whole command)")
	fl.BoolVar(&opts.Force, "force", false, "shutdown: power off when the guest has no tools or does not stop in time")
	fl.BoolVar(&opts.JSON, "json", false, "print JSON")
	return cmd
}

func (o *PowerOptions) validate() error {
	if o.Wait <= 0 {
		return fmt.Errorf("--shutdown-timeout must be positive")
	}
	return nil
}

func (o *PowerOptions) params() operations.VMPowerParams {
	return operations.VMPowerParams{
		Action: string(o.Op), Names: o.Names, All: o.All, Match: o.Match, Parallel: o.Parallel,
		ShutdownTimeout: operations.Duration(o.Wait), Force: o.Force,
	}
}

func powerRun(ctx context.Context, opts *PowerOptions) error {
	f := opts.Factory
	results, done, err := cmdutil.Run(ctx, f, operations.VMPower, opts.params(), opts.JSON)
	if done && results == nil {
		return err
	}
	if opts.JSON {
		if jerr := cmdutil.WriteJSON(f.IO.Out, results); jerr != nil {
			return jerr
		}
		return err
	}
	if len(results) == 0 && err == nil {
		if f.IO.OutTTY {
			fmt.Fprintf(f.IO.ErrOut, "no VM matches --all%s: nothing was done\n", matchNote(opts.Match))
		}
		return nil
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

func matchNote(glob string) string {
	if glob == "" {
		return " (but the template)"
	}
	return fmt.Sprintf(" --match %q", glob)
}

func powerNote(r operations.PowerResult) string {
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

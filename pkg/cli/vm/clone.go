package vm

import (
	"context"
	"os"
	"time"

	"github.com/ceso/ceso/pkg/cli/cliflags"
	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/ceso/ceso/pkg/operations"
	"github.com/spf13/cobra"
)

// CloneOptions are the options of `ceso vm clone`.
type CloneOptions struct {
	Factory   *cmdutil.Factory
	Params    operations.VMCloneParams
	Memory    string
	DiskSize  string
	CloudInit cliflags.CloudInit
	JSON      bool
	ReadFile  func(string) ([]byte, error)
}

// NewCmdClone makes `ceso vm clone SOURCE NEW`.
func NewCmdClone(f *cmdutil.Factory, runF func(*CloneOptions) error) *cobra.Command {
	opts := &CloneOptions{Factory: f, ReadFile: os.ReadFile}
	cmd := &cobra.Command{
		Use:         "clone SOURCE NEW",
		Annotations: cmdutil.Operation("vm.clone"),
		Short:       "Copy a VM under a new name with a new identity and address",
		Long: `Copy a VM by disk copy (a standalone host refuses CloneVM_Task) under a new
name, with a new instance-id, MAC addresses and UUID, and the address given by
the cloud-init flags (DHCP when none). The clone keeps the source's users and
SSH keys unless --user, --ssh-key, --no-default-user or --cloud-config give new
ones.

The copy is cold: a powered-on source is refused unless --power-off-source
(shut it down, copy, power it on again, also on failure) or --snapshot (copy
its disks under a temporary snapshot while it runs; crash-consistent).`,
		Example: `  ceso vm clone web01 web02 --ip 192.0.2.11/24 --gateway 192.0.2.1 --power-on
  ceso vm clone db1 db1-test --snapshot --dhcp`,
		Args:              cmdutil.ExactArgs(2),
		ValidArgsFunction: cmdutil.CompleteVM(f, operations.CompleteAnyVM, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Params.Source, opts.Params.Name = args[0], args[1]
			if err := opts.complete(cmd); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cloneRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.Int32Var(&opts.Params.CPU, "cpu", 0, "virtual CPUs (default: the source's)")
	fl.StringVar(&opts.Memory, "memory", "", "memory in MiB or with a unit (default: the source's)")
	fl.StringVar(&opts.DiskSize, "disk-size", "", "grow the first disk to this size, in GiB or with a unit")
	fl.StringVar(&opts.Params.Network, "network", "", "port group of the first NIC (default: the source's)")
	fl.StringVar(&opts.Params.Datastore, "datastore", "", "datastore of the clone (default: the source's)")
	fl.BoolVar(&opts.Params.PowerOffSource, "power-off-source", false, "shut a running source down for the copy and power it on again afterwards")
	fl.BoolVar(&opts.Params.Snapshot, "snapshot", false, "copy a running source under a temporary snapshot")
	fl.DurationVar((*time.Duration)(&opts.Params.ShutdownTimeout), "shutdown-timeout", vm.DefaultShutdownTimeout, "with --power-off-source: wait this long for the guest, then power off")
	fl.BoolVar(&opts.Params.PowerOn, "power-on", false, "power the clone on")
	fl.DurationVar((*time.Duration)(&opts.Params.WaitIP), "wait-ip", 0, "with --power-on, wait up to this long for the guest's IP address")
	fl.BoolVar(&opts.JSON, "json", false, "print JSON")
	opts.CloudInit.AddFlags(fl)
	return cmd
}

func (o *CloneOptions) complete(cmd *cobra.Command) error {
	if err := vm.ValidateName(o.Params.Name); err != nil {
		return cmdutil.FlagError(err)
	}
	if err := parseHardware(cmd.Flags(), &o.Params.Hardware, o.Memory, o.DiskSize); err != nil {
		return cmdutil.FlagError(err)
	}
	spec, err := o.CloudInit.Spec(o.ReadFile)
	if err != nil {
		return cmdutil.FlagError(err)
	}
	o.Params.CloudInit = spec
	return nil
}

func cloneRun(ctx context.Context, opts *CloneOptions) error {
	f := opts.Factory
	r, done, err := cmdutil.Run(ctx, f, operations.VMClone, opts.Params, opts.JSON)
	if r != nil && err != nil {
		_ = printResult(f, r, opts.JSON, "cloned")
	}
	if done || err != nil {
		return err
	}
	return printResult(f, r, opts.JSON, "cloned")
}

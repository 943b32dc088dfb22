package vm

import (
	"context"
	"fmt"
	"os"

	"github.com/ceso/ceso/pkg/cli/cliflags"
	"github.com/ceso/ceso/pkg/cli/cloudinitcmd"
	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/cloudinit"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/ceso/ceso/pkg/ops"
	"github.com/spf13/cobra"
)

// CloneOptions are the options of `ceso vm clone`.
type CloneOptions struct {
	Factory   *cmdutil.Factory
	Spec      vm.CloneSpec
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
		Use:   "clone SOURCE NEW",
		Short: "Copy a VM under a new name with a new identity and address",
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
		Args: cmdutil.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Spec.Source, opts.Spec.Name = args[0], args[1]
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
	fl.Int32Var(&opts.Spec.CPU, "cpu", 0, "virtual CPUs (default: the source's)")
	fl.StringVar(&opts.Memory, "memory", "", "memory in MiB or with a unit (default: the source's)")
	fl.StringVar(&opts.DiskSize, "disk-size", "", "grow the first disk to this size, in GiB or with a unit")
	fl.StringVar(&opts.Spec.Network, "network", "", "port group of the first NIC (default: the source's)")
	fl.StringVar(&opts.Spec.Datastore, "datastore", "", "datastore of the clone (default: the source's)")
	fl.BoolVar(&opts.Spec.PowerOffSource, "power-off-source", false, "shut a running source down for the copy and power it on again afterwards")
	fl.BoolVar(&opts.Spec.Snapshot, "snapshot", false, "copy a running source under a temporary snapshot")
	fl.DurationVar(&opts.Spec.ShutdownTimeout, "shutdown-timeout", vm.DefaultShutdownTimeout, "with --power-off-source: wait this long for the guest, then power off")
	fl.BoolVar(&opts.Spec.PowerOn, "power-on", false, "power the clone on")
	fl.DurationVar(&opts.Spec.WaitIP, "wait-ip", 0, "with --power-on, wait up to this long for the guest's IP address")
	fl.BoolVar(&opts.JSON, "json", false, "print JSON")
	opts.CloudInit.AddFlags(fl)
	return cmd
}

func (o *CloneOptions) complete(cmd *cobra.Command) error {
	if err := vm.ValidateName(o.Spec.Name); err != nil {
		return cmdutil.FlagError(err)
	}
	if o.Spec.PowerOffSource && o.Spec.Snapshot {
		return cmdutil.FlagError(fmt.Errorf("--power-off-source and --snapshot exclude each other"))
	}
	if err := completeHardware(&o.Spec.CPU, &o.Spec.MemoryMB, &o.Spec.DiskSizeBytes, o.Memory, o.DiskSize, o.Spec.PowerOn, o.Spec.WaitIP); err != nil {
		return cmdutil.FlagError(err)
	}
	if o.CloudInit.ChangesAccounts(cmd.Flags()) {
		keys, err := cloudinitcmd.BuildKeys(&o.CloudInit, o.Spec.Name, o.ReadFile)
		if err != nil {
			return err
		}
		o.Spec.GuestInfo = keys
		return nil
	}
	spec, err := o.CloudInit.Spec(o.ReadFile)
	if err != nil {
		return cmdutil.FlagError(err)
	}
	if spec.Hostname == "" {
		spec.Hostname = cloudinit.HostnameFromName(o.Spec.Name)
	}
	o.Spec.Identity = &spec
	return nil
}

// CloneOp is the vm.clone operation.
func CloneOp(f *cmdutil.Factory, spec vm.CloneSpec) *ops.Op {
	return &ops.Op{
		Name:   "vm.clone",
		Target: spec.Name,
		Params: map[string]any{"source": spec.Source, "cpu": spec.CPU, "memory_mb": spec.MemoryMB, "disk_size": spec.DiskSizeBytes,
			"network": spec.Network, "datastore": spec.Datastore, "power_off_source": spec.PowerOffSource, "snapshot": spec.Snapshot, "power_on": spec.PowerOn},
		Plan: func(ctx context.Context) ([]ops.Step, error) {
			return withHost(ctx, f, func(c hostClient) ([]ops.Step, error) {
				spec.Host = c.host
				return vm.PlanClone(ctx, c.Client, spec)
			})
		},
		Run: func(ctx context.Context) (any, error) {
			return withHost(ctx, f, func(c hostClient) (*vm.Result, error) {
				spec.Host = c.host
				return vm.Clone(ctx, c.Client, spec)
			})
		},
	}
}

func cloneRun(ctx context.Context, opts *CloneOptions) error {
	f := opts.Factory
	value, done, err := f.RunOp(ctx, CloneOp(f, opts.Spec), opts.JSON)
	if r, ok := value.(*vm.Result); ok && r != nil && err != nil {
		_ = printResult(f, r, opts.JSON, "cloned")
	}
	if done || err != nil {
		return err
	}
	return printResult(f, value.(*vm.Result), opts.JSON, "cloned")
}

package vm

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/ceso/ceso/pkg/cli/cliflags"
	"github.com/ceso/ceso/pkg/cli/cloudinitcmd"
	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/ceso/ceso/pkg/ops"
	"github.com/spf13/cobra"
)

// CreateOptions are the options of `ceso vm create`.
type CreateOptions struct {
	Factory   *cmdutil.Factory
	Spec      vm.CreateSpec
	Memory    string
	DiskSize  string
	CloudInit cliflags.CloudInit
	JSON      bool
	ReadFile  func(string) ([]byte, error)
}

// NewCmdCreate makes `ceso vm create NAME`.
func NewCmdCreate(f *cmdutil.Factory, runF func(*CreateOptions) error) *cobra.Command {
	opts := &CreateOptions{Factory: f, ReadFile: os.ReadFile}
	cmd := &cobra.Command{
		Use:   "create NAME",
		Short: "Create a VM from a golden template, with cloud-init guestinfo",
		Long: `Create a VM from a powered-off template the way a standalone ESXi host
allows (it refuses CloneVM_Task): make the folder [datastore] NAME, copy each
disk thin, create a VM with the template's hardware, new MAC addresses and UUID,
and write the cloud-init guestinfo (hostname, instance-id, users, keys, static
or DHCP addresses). On the free licence the writes go over SSH (see
esxi.transport). If any step fails, what was done is undone and the error says
which step failed.

--memory takes MiB or a unit (4G); --disk-size grows the first disk (GiB or a
unit: 40G). The hostname defaults to NAME.`,
		Example: `  ceso vm create web01 --template ubuntu-24.04-template --ip 192.0.2.10/24 --gateway 192.0.2.1 --dns 192.0.2.53 --ssh-key ~/.ssh/id_ed25519.pub --power-on --wait-ip 5m
  ceso vm create build7 --cpu 4 --memory 8G --disk-size 60G --dhcp --dry-run`,
		Args: cmdutil.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Spec.Name = args[0]
			if err := opts.complete(); err != nil {
				return cmdutil.FlagError(err)
			}
			keys, err := cloudinitcmd.BuildKeys(&opts.CloudInit, opts.Spec.Name, opts.ReadFile)
			if err != nil {
				return err
			}
			opts.Spec.GuestInfo = keys
			if runF != nil {
				return runF(opts)
			}
			return createRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Spec.Template, "template", "", "template VM (default defaults.template)")
	fl.Int32Var(&opts.Spec.CPU, "cpu", 0, "virtual CPUs (default: the template's)")
	fl.StringVar(&opts.Memory, "memory", "", "memory in MiB or with a unit, e.g. 4096 or 4G (default: the template's)")
	fl.StringVar(&opts.DiskSize, "disk-size", "", "grow the first disk to this size, in GiB or with a unit, e.g. 40G")
	fl.StringVar(&opts.Spec.Network, "network", "", "port group of the first NIC (default: the template's)")
	fl.StringVar(&opts.Spec.Datastore, "datastore", "", "datastore of the new VM (default: the template's)")
	fl.BoolVar(&opts.Spec.PowerOn, "power-on", false, "power the VM on once created")
	fl.DurationVar(&opts.Spec.WaitIP, "wait-ip", 0, "with --power-on, wait up to this long for the guest's IP address")
	fl.BoolVar(&opts.JSON, "json", false, "print JSON")
	opts.CloudInit.AddFlags(fl)
	return cmd
}

func (o *CreateOptions) complete() error {
	if err := vm.ValidateName(o.Spec.Name); err != nil {
		return err
	}
	cfg, err := o.Factory.Config()
	if err != nil {
		return err
	}
	fillDefault(&o.Spec.Template, cfg.Defaults.Template)
	fillDefault(&o.Spec.Datastore, cfg.Defaults.Datastore)
	fillDefault(&o.Spec.Network, cfg.Defaults.Network)
	return completeHardware(&o.Spec.CPU, &o.Spec.MemoryMB, &o.Spec.DiskSizeBytes, o.Memory, o.DiskSize, o.Spec.PowerOn, o.Spec.WaitIP)
}

// completeHardware parses the size flags shared by create and clone.
func completeHardware(cpu *int32, memoryMB, diskBytes *int64, memory, disk string, powerOn bool, waitIP time.Duration) error {
	if *cpu < 0 || *cpu > 768 {
		return fmt.Errorf("--cpu %d: want 1 to 768", *cpu)
	}
	if memory != "" {
		b, err := parseSize(memory, 1<<20)
		if err != nil {
			return fmt.Errorf("--memory: %w", err)
		}
		if b%(1<<20) != 0 || b < 4<<20 {
			return fmt.Errorf("--memory %s: want whole MiB, at least 4", memory)
		}
		*memoryMB = b >> 20
	}
	if disk != "" {
		b, err := parseSize(disk, 1<<30)
		if err != nil {
			return fmt.Errorf("--disk-size: %w", err)
		}
		*diskBytes = b
	}
	if waitIP < 0 || (waitIP > 0 && !powerOn) {
		return fmt.Errorf("--wait-ip needs --power-on and a positive duration")
	}
	return nil
}

// CreateOp is the vm.create operation.
func CreateOp(f *cmdutil.Factory, spec vm.CreateSpec) *ops.Op {
	return &ops.Op{
		Name:   "vm.create",
		Target: spec.Name,
		Params: map[string]any{"template": spec.Template, "cpu": spec.CPU, "memory_mb": spec.MemoryMB,
			"disk_size": spec.DiskSizeBytes, "network": spec.Network, "datastore": spec.Datastore, "power_on": spec.PowerOn},
		Plan: func(ctx context.Context) ([]ops.Step, error) {
			return withHost(ctx, f, func(c hostClient) ([]ops.Step, error) {
				spec.Host = c.host
				return vm.PlanCreate(ctx, c.Client, spec)
			})
		},
		Run: func(ctx context.Context) (any, error) {
			return withHost(ctx, f, func(c hostClient) (*vm.Result, error) {
				spec.Host = c.host
				return vm.Create(ctx, c.Client, spec)
			})
		},
	}
}

func createRun(ctx context.Context, opts *CreateOptions) error {
	f := opts.Factory
	value, done, err := f.RunOp(ctx, CreateOp(f, opts.Spec), opts.JSON)
	if done || err != nil {
		return err
	}
	return printResult(f, value.(*vm.Result), opts.JSON, "created")
}

// printResult prints the VM that create or clone made.
func printResult(f *cmdutil.Factory, r *vm.Result, asJSON bool, verb string) error {
	if asJSON {
		return cmdutil.WriteJSON(f.IO.Out, r)
	}
	fmt.Fprintf(f.IO.Out, "%s %s (id %s, %s)\n", verb, r.Name, r.ID, r.PowerState)
	fmt.Fprintf(f.IO.Out, "  path  %s\n  uuid  %s\n", r.Path, r.UUID)
	for _, m := range r.MACs {
		fmt.Fprintf(f.IO.Out, "  mac   %s\n", m)
	}
	if r.IP != "" {
		fmt.Fprintf(f.IO.Out, "  ip    %s\n", r.IP)
	}
	return nil
}

func fillDefault(dst *string, def string) {
	if *dst == "" {
		*dst = def
	}
}

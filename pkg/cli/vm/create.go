package vm

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/ceso/ceso/pkg/cli/cliflags"
	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/ceso/ceso/pkg/operations"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// CreateOptions are the options of `ceso vm create`.
type CreateOptions struct {
	Factory   *cmdutil.Factory
	Params    operations.VMCreateParams
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
		Use:         "create NAME",
		Annotations: cmdutil.Operation("vm.create"),
		Short:       "Create a VM from a golden template, with cloud-init guestinfo",
		Long: `Create a VM from a powered-off template the way a standalone ESXi host
allows (it refuses CloneVM_Task): make the folder [datastore] NAME, copy each
disk thin, create a VM with the template's hardware, new MAC addresses and UUID,
and write the cloud-init guestinfo (hostname, instance-id, users, keys, static
or DHCP addresses). On the free licence the writes go over SSH (see
esxi.transport). If any step fails, what was done is undone and the error says
which step failed.

--memory takes MiB or a unit (4G); --disk-size grows the first disk (GiB or a
unit: 40G). Sizes are bounded by ESXi's maximums (768 vCPUs, 24 TiB of memory,
62 TiB per disk) and, before anything is made, by the host: no more vCPUs than
its logical CPUs, no more memory than it has, no disk larger than the
datastore. The hostname defaults to NAME.`,
		Example: `  ceso vm create web01 --template ubuntu-24.04-template --ip 192.0.2.10/24 --gateway 192.0.2.1 --dns 192.0.2.53 --ssh-key ~/.ssh/id_ed25519.pub --power-on --wait-ip 5m
  ceso vm create build7 --cpu 4 --memory 8G --disk-size 60G --dhcp --dry-run`,
		Args: cmdutil.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Params.Name = args[0]
			if err := opts.complete(cmd.Flags()); err != nil {
				return cmdutil.FlagError(err)
			}
			if runF != nil {
				return runF(opts)
			}
			return createRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Params.Template, "template", "", "template VM (default defaults.template)")
	fl.Int32Var(&opts.Params.CPU, "cpu", 0, "virtual CPUs (default: the template's)")
	fl.StringVar(&opts.Memory, "memory", "", "memory in MiB or with a unit, e.g. 4096 or 4G (default: the template's)")
	fl.StringVar(&opts.DiskSize, "disk-size", "", "grow the first disk to this size, in GiB or with a unit, e.g. 40G")
	fl.StringVar(&opts.Params.Network, "network", "", "port group of the first NIC (default: the template's)")
	fl.StringVar(&opts.Params.Datastore, "datastore", "", "datastore of the new VM (default: the template's)")
	fl.BoolVar(&opts.Params.PowerOn, "power-on", false, "power the VM on once created")
	fl.DurationVar((*time.Duration)(&opts.Params.WaitIP), "wait-ip", 0, "with --power-on, wait up to this long for the guest's IP address")
	fl.BoolVar(&opts.JSON, "json", false, "print JSON")
	opts.CloudInit.AddFlags(fl)
	_ = cmd.RegisterFlagCompletionFunc("template", cmdutil.CompleteVM(f, operations.CompleteTemplates, 0))
	cmd.ValidArgsFunction = cobra.NoFileCompletions
	return cmd
}

// complete turns the flags into params: sizes with units, the cloud-init
// flags (key and cloud-config files read here).
func (o *CreateOptions) complete(fl *pflag.FlagSet) error {
	if err := vm.ValidateName(o.Params.Name); err != nil {
		return err
	}
	if err := parseHardware(fl, &o.Params.Hardware, o.Memory, o.DiskSize); err != nil {
		return err
	}
	spec, err := o.CloudInit.Spec(o.ReadFile)
	if err != nil {
		return err
	}
	o.Params.CloudInit = spec
	return nil
}

// parseHardware reads the size flags shared by create and clone. An
// explicit --cpu 0 is an error: leaving --cpu out keeps the source's.
func parseHardware(fl *pflag.FlagSet, h *operations.Hardware, memory, disk string) error {
	if fl.Changed("cpu") && h.CPU < 1 {
		return fmt.Errorf("--cpu %d: want 1 to %d virtual CPUs; leave --cpu out to keep the source's", h.CPU, operations.MaxCPU)
	}
	if memory != "" {
		b, err := parseSize(memory, 1<<20)
		if err != nil {
			return fmt.Errorf("--memory: %w", err)
		}
		if b%(1<<20) != 0 || b < 4<<20 {
			return fmt.Errorf("--memory %s: want whole MiB, at least 4", memory)
		}
		h.MemoryMB = b >> 20
	}
	if disk != "" {
		b, err := parseSize(disk, 1<<30)
		if err != nil {
			return fmt.Errorf("--disk-size: %w", err)
		}
		h.DiskSizeBytes = b
	}
	return nil
}

func createRun(ctx context.Context, opts *CreateOptions) error {
	f := opts.Factory
	r, done, err := cmdutil.Run(ctx, f, operations.VMCreate, opts.Params, opts.JSON)
	if done || err != nil {
		return err
	}
	return printResult(f, r, opts.JSON, "created")
}

// printResult prints the VM that create or clone made.
func printResult(f *cmdutil.Factory, r *operations.VMResult, asJSON bool, verb string) error {
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

package vm

import (
	"context"
	"fmt"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/ceso/ceso/pkg/operations"
	"github.com/spf13/cobra"
)

// ListOptions are the options of `ceso vm list`.
type ListOptions struct {
	Factory *cmdutil.Factory
	Filter  vm.Filter
	JSON    bool
}

// NewCmdList makes `ceso vm list`. runF, when set, receives the options
// instead of running (for tests of flag parsing).
func NewCmdList(f *cmdutil.Factory, runF func(*ListOptions) error) *cobra.Command {
	opts := &ListOptions{Factory: f}
	cmd := &cobra.Command{
		Use:         "list [NAME-GLOB]",
		Annotations: cmdutil.Operation("vm.list"),
		Short:       "List the host's VMs",
		Long: `List every VM of the host in one property-collector retrieval: the number
of API round trips does not grow with the number of VMs.

JSON output (--json) is an array of objects with the fields name, uuid,
power_state (poweredOn, poweredOff, suspended), cpu, memory_mb, ip, guest_os,
template, id and path; fields are never removed.`,
		Example: `  ceso vm list
  ceso vm list 'web*' --power-state on
  ceso vm list --json | jq -r '.[] | select(.power_state=="poweredOff") | .name'`,
		Args: cmdutil.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Filter.Name = args[0]
			}
			if err := opts.Filter.Validate(); err != nil {
				return cmdutil.FlagError(err)
			}
			if runF != nil {
				return runF(opts)
			}
			return listRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Filter.PowerState, "power-state", "", "only VMs in this state: on, off or suspended")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	return cmd
}

func listRun(ctx context.Context, opts *ListOptions) error {
	f := opts.Factory
	vms, done, err := cmdutil.Run(ctx, f, operations.VMList, operations.VMListParams{Name: opts.Filter.Name, PowerState: opts.Filter.PowerState}, opts.JSON)
	if done || err != nil {
		return err
	}
	if opts.JSON {
		return cmdutil.WriteJSON(f.IO.Out, vms)
	}
	if len(vms) == 0 && f.IO.OutTTY {
		fmt.Fprintln(f.IO.ErrOut, "no VMs match")
		return nil
	}
	t := cmdutil.NewTable(f.IO, "NAME", "POWER", "CPU", "MEMORY", "IP", "GUEST OS", "ID")
	for _, v := range vms {
		t.Row(v.Name, v.PowerState, v.CPU, fmt.Sprintf("%d MiB", v.MemoryMB), dash(v.IP), v.GuestOS, v.ID)
	}
	return t.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

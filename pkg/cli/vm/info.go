package vm

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/ceso/ceso/pkg/operations"
	"github.com/spf13/cobra"
)

// InfoOptions are the options of `ceso vm info`.
type InfoOptions struct {
	Factory *cmdutil.Factory
	Name    string
	JSON    bool
}

// NewCmdInfo makes `ceso vm info NAME`.
func NewCmdInfo(f *cmdutil.Factory, runF func(*InfoOptions) error) *cobra.Command {
	opts := &InfoOptions{Factory: f}
	cmd := &cobra.Command{
		Use:         "info NAME",
		Annotations: cmdutil.Operation("vm.info"),
		Short:       "Show a VM's hardware, disks, NICs, addresses, tools and guestinfo",
		Example: `  ceso vm info web01
  ceso vm info web01 --json | jq .disks`,
		Args:              cmdutil.ExactArgs(1),
		ValidArgsFunction: cmdutil.CompleteVM(f, operations.CompleteAnyVM, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			if strings.TrimSpace(opts.Name) == "" {
				return cmdutil.FlagError(fmt.Errorf("a VM name cannot be empty"))
			}
			if runF != nil {
				return runF(opts)
			}
			return infoRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	return cmd
}

func infoRun(ctx context.Context, opts *InfoOptions) error {
	f := opts.Factory
	out, done, err := cmdutil.Run(ctx, f, operations.VMInfo, operations.VMInfoParams{Name: opts.Name}, opts.JSON)
	if done || err != nil {
		return err
	}
	if opts.JSON {
		return cmdutil.WriteJSON(f.IO.Out, out)
	}
	printInfo(f.IO.Out, &out.Info)
	if out.CloudInit != nil {
		fmt.Fprintf(f.IO.Out, "Cloud-init:\n%s", indent(out.CloudInit.String()))
	}
	return nil
}

func indent(s string) string {
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = "  " + l
		}
	}
	return strings.Join(lines, "")
}

func printInfo(w io.Writer, in *vm.Info) {
	kv := func(k string, v any) { fmt.Fprintf(w, "%-18s %v\n", k+":", v) }
	kv("Name", in.Name)
	kv("Power", in.PowerState)
	guest := in.GuestOS
	if in.GuestFullName != "" && in.GuestFullName != in.GuestOS {
		guest = fmt.Sprintf("%s (%s)", in.GuestFullName, in.GuestOS)
	}
	kv("Guest OS", guest)
	kv("CPU", in.CPU)
	kv("Memory", fmt.Sprintf("%d MiB", in.MemoryMB))
	kv("Firmware", in.Firmware)
	kv("Hardware version", in.HardwareVersion)
	kv("UUID", in.UUID)
	kv("ID", in.ID)
	kv("Path", in.Path)
	kv("Tools", fmt.Sprintf("%s, %s", dash(in.Tools.RunningStatus), dash(in.Tools.Status)))
	kv("IP addresses", dash(strings.Join(in.IPs, ", ")))
	fmt.Fprintln(w, "Disks:")
	for _, d := range in.Disks {
		thin := "thick"
		if d.Thin {
			thin = "thin"
		}
		fmt.Fprintf(w, "  %-14s %s  %s  %s  on %s\n", d.Label, cmdutil.HumanBytes(d.CapacityBytes), thin, d.Path, d.Controller)
	}
	fmt.Fprintln(w, "NICs:")
	for _, n := range in.NICs {
		fmt.Fprintf(w, "  %-14s %s  %s  %q  %s\n", n.Label, n.Type, n.MAC, n.Network, dash(strings.Join(n.IPs, ", ")))
	}
	kv("Guestinfo keys", dash(strings.Join(in.GuestInfoKeys, ", ")))
}

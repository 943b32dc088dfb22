package vm

import (
	"context"
	"fmt"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/ceso/ceso/pkg/operations"
	"github.com/spf13/cobra"
)

// DeleteOptions are the options of `ceso vm delete`.
type DeleteOptions struct {
	Factory *cmdutil.Factory
	Name    string
	Force   bool
	Yes     bool
	JSON    bool
}

// NewCmdDelete makes `ceso vm delete NAME`.
func NewCmdDelete(f *cmdutil.Factory, runF func(*DeleteOptions) error) *cobra.Command {
	opts := &DeleteOptions{Factory: f}
	cmd := &cobra.Command{
		Use:         "delete NAME",
		Annotations: cmdutil.Operation("vm.delete"),
		Short:       "Remove a VM and all its files",
		Long: `Remove a VM and every file of its folder. A powered-on VM is refused unless
--force, which powers it off first. On a terminal ceso asks you to type the
VM's name; elsewhere --yes is required.`,
		Example: `  ceso vm delete web02
  ceso vm delete web02 --force --yes`,
		Args:              cmdutil.ExactArgs(1),
		ValidArgsFunction: cmdutil.CompleteVM(f, operations.CompleteVMs, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			if err := vm.ValidateName(opts.Name); err != nil {
				return cmdutil.FlagError(err)
			}
			if runF != nil {
				return runF(opts)
			}
			return deleteRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Force, "force", false, "power a running VM off first")
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "do not ask for confirmation")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON: {name, deleted}")
	return cmd
}

func deleteRun(ctx context.Context, opts *DeleteOptions) error {
	f := opts.Factory
	if !f.Global.DryRun {
		if err := cmdutil.Confirm(f.IO, opts.Yes, fmt.Sprintf("Delete VM %q and all its files?", opts.Name), opts.Name); err != nil {
			return err
		}
		ctx = cmdutil.WithConfirmed(ctx)
	}
	r, done, err := cmdutil.Run(ctx, f, operations.VMDelete, operations.VMDeleteParams{Name: opts.Name, Force: opts.Force}, opts.JSON)
	if done || err != nil {
		return err
	}
	if opts.JSON {
		return cmdutil.WriteJSON(f.IO.Out, r)
	}
	fmt.Fprintf(f.IO.Out, "deleted %s\n", opts.Name)
	return nil
}

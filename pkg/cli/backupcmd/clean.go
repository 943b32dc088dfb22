package backupcmd

import (
	"context"
	"fmt"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/operations"
	"github.com/spf13/cobra"
)

// CleanOptions are the options of `ceso backup clean`.
type CleanOptions struct {
	Factory *cmdutil.Factory
	JSON    bool
}

// NewCmdClean makes `ceso backup clean`.
func NewCmdClean(f *cmdutil.Factory, runF func(*CleanOptions) error) *cobra.Command {
	opts := &CleanOptions{Factory: f}
	cmd := &cobra.Command{
		Use:         "clean",
		Annotations: cmdutil.Operation("backup.clean"),
		Short:       "Remove what interrupted backups left and finish interrupted deletions",
		Long: `Remove the temporary files (*.partial) that interrupted backups left on every
target, except those of a VM another process is backing up right now, and
finish the deletions a crash interrupted (entries shown as deleting). backup
delete and backup prune do this first on their own; a read (list, --dry-run)
never does.`,
		Example: `  ceso backup clean --dry-run
  ceso backup clean --json`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return cleanRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	return cmd
}

func cleanRun(ctx context.Context, opts *CleanOptions) error {
	f := opts.Factory
	rep, done, err := cmdutil.Run(ctx, f, operations.BackupClean, operations.BackupCleanParams{}, opts.JSON)
	if done || err != nil {
		return err
	}
	if opts.JSON {
		return cmdutil.WriteJSON(f.IO.Out, rep)
	}
	n := 0
	for _, c := range rep.Cleaned {
		for _, p := range c.Removed {
			fmt.Fprintf(f.IO.Out, "removed %s (target %s)\n", p, c.Target)
			n++
		}
		for _, p := range c.InUse {
			fmt.Fprintf(f.IO.Out, "left %s: a backup of its VM is running\n", p)
		}
	}
	for _, id := range rep.Deleted {
		fmt.Fprintf(f.IO.Out, "finished the deletion of backup %s\n", id)
		n++
	}
	if n == 0 {
		fmt.Fprintln(f.IO.Out, "nothing to clean")
	}
	return nil
}

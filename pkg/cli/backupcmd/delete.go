package backupcmd

import (
	"context"
	"fmt"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/operations"
	"github.com/spf13/cobra"
)

// DeleteOptions are the options of `ceso backup delete`.
type DeleteOptions struct {
	Factory *cmdutil.Factory
	ID      string
	Yes     bool
	Force   bool
	JSON    bool
}

// NewCmdDelete makes `ceso backup delete ID`.
func NewCmdDelete(f *cmdutil.Factory, runF func(*DeleteOptions) error) *cobra.Command {
	opts := &DeleteOptions{Factory: f}
	cmd := &cobra.Command{
		Use:         "delete ID",
		Annotations: cmdutil.Operation("backup.delete"),
		Short:       "Delete a backup: its files, then its catalog entry",
		Long: `Delete a backup: the entry is marked deleting, the files are removed from the
target, then the entry is removed; an interrupted deletion is finished by the
next backup command. The last good backup of a VM is kept unless --force. On a
terminal ceso asks you to type the ID; elsewhere --yes is required.`,
		Example: `  ceso backup delete 20261103T021500Z-3f9a1c2b
  ceso backup delete 20261103T021500Z-3f9a1c2b --yes --json`,
		Args:              cmdutil.ExactArgs(1),
		ValidArgsFunction: cmdutil.CompleteBackupID(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			if runF != nil {
				return runF(opts)
			}
			return deleteRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "do not ask for confirmation")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "delete even the last good backup of a VM")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON: {id, deleted}")
	return cmd
}

func deleteRun(ctx context.Context, opts *DeleteOptions) error {
	f := opts.Factory
	if !f.Global.DryRun {
		if err := cmdutil.Confirm(f.IO, opts.Yes, fmt.Sprintf("Delete backup %s and its files?", opts.ID), opts.ID); err != nil {
			return err
		}
		ctx = cmdutil.WithConfirmed(ctx)
	}
	r, done, err := cmdutil.Run(ctx, f, operations.BackupDelete, operations.BackupDeleteParams{ID: opts.ID, Force: opts.Force}, opts.JSON)
	if done || err != nil {
		return err
	}
	if opts.JSON {
		return cmdutil.WriteJSON(f.IO.Out, r)
	}
	fmt.Fprintf(f.IO.Out, "deleted backup %s\n", opts.ID)
	return nil
}

package auditcmd

import (
	"context"
	"fmt"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/spf13/cobra"
)

// CheckpointOptions are the options of `ceso audit checkpoint`.
type CheckpointOptions struct {
	Factory *cmdutil.Factory
	JSON    bool
}

// NewCmdCheckpoint makes `ceso audit checkpoint`.
func NewCmdCheckpoint(f *cmdutil.Factory, runF func(*CheckpointOptions) error) *cobra.Command {
	opts := &CheckpointOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "checkpoint",
		Short: "Print the head of the audit log, COUNT:HASH, to keep where ceso's user cannot write",
		Long: `Print how many records the audit log holds and the hash of the last one, as
COUNT:HASH. Keep it somewhere the user running ceso cannot write (another
machine, a ticket): "ceso audit verify --checkpoint COUNT:HASH" then detects
a log rewritten and re-hashed, or cut short, since.`,
		Example: `  ceso audit checkpoint | ssh logs.example.org 'cat >> checkpoints/esx1'`,
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return checkpointRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print {\"count\": N, \"hash\": \"...\"}")
	return cmd
}

func checkpointRun(ctx context.Context, opts *CheckpointOptions) error {
	f := opts.Factory
	a, err := f.App()
	if err != nil {
		return err
	}
	log, err := a.Auditor()
	if err != nil {
		return err
	}
	cp, err := log.Checkpoint(ctx)
	if err != nil {
		return err
	}
	if opts.JSON {
		return cmdutil.WriteJSON(f.IO.Out, cp)
	}
	_, err = fmt.Fprintln(f.IO.Out, cp)
	return err
}

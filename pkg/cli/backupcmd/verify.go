package backupcmd

import (
	"context"
	"errors"
	"fmt"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/operations"
	"github.com/spf13/cobra"
)

// VerifyOptions are the options of `ceso backup verify`.
type VerifyOptions struct {
	Factory *cmdutil.Factory
	ID      string
	All     bool
	VM      string
	JSON    bool
}

// NewCmdVerify makes `ceso backup verify ID|--all`.
func NewCmdVerify(f *cmdutil.Factory, runF func(*VerifyOptions) error) *cobra.Command {
	opts := &VerifyOptions{Factory: f}
	cmd := &cobra.Command{
		Use:         "verify ID | --all",
		Annotations: cmdutil.Operation("backup.verify"),
		Short:       "Re-read stored backups and check every SHA-256",
		Long: `Re-read what a backup stored: the manifest against the catalog's checksum,
the OVF descriptor, and every disk decompressed against the SHA-256 and size
in the manifest. The verdict is recorded in the catalog. Any mismatch names the
file and makes the exit code non-zero.`,
		Example: `  ceso backup verify 20261103T021500Z-3f9a1c2b
  ceso backup verify --all --json`,
		Args:              cmdutil.MaximumNArgs(1),
		ValidArgsFunction: cmdutil.CompleteBackupID(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.ID = args[0]
			}
			if (opts.ID == "") == !opts.All {
				return cmdutil.FlagError(fmt.Errorf("name one backup ID or use --all"))
			}
			if runF != nil {
				return runF(opts)
			}
			return verifyRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.All, "all", false, "verify every complete backup, oldest first")
	cmd.Flags().StringVar(&opts.VM, "vm", "", "with --all, only the backups of this VM")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	_ = cmd.RegisterFlagCompletionFunc("vm", cmdutil.CompleteBackupVM(f))
	return cmd
}

// ErrVerifyFailed is returned when a backup does not verify. It carries no
// kind of its own: the exit code follows the cause (a damaged file, a
// backup not found, a target out of reach).
var ErrVerifyFailed = errors.New("verification failed")

func verifyRun(ctx context.Context, opts *VerifyOptions) error {
	f := opts.Factory
	p := operations.BackupVerifyParams{ID: opts.ID, All: opts.All, VM: opts.VM}
	results, done, err := cmdutil.Run(ctx, f, operations.BackupVerify, p, opts.JSON)
	if done && results == nil {
		return err
	}
	if opts.JSON {
		if jerr := cmdutil.WriteJSON(f.IO.Out, results); jerr != nil {
			return jerr
		}
	} else {
		t := cmdutil.NewTable(f.IO, "ID", "VM", "RESULT", "FILES", "DETAIL")
		for _, r := range results {
			verdict := "ok"
			if !r.OK {
				verdict = "FAILED"
				if r.File != "" {
					r.Detail = r.File + ": " + r.Detail
				}
			}
			t.Row(r.ID, r.VMName, verdict, r.Files, r.Detail)
		}
		if ferr := t.Flush(); ferr != nil {
			return ferr
		}
	}
	if err != nil {
		return fmt.Errorf("%w: %w", ErrVerifyFailed, err)
	}
	return nil
}

package backupcmd

import (
	"context"
	"fmt"

	"github.com/ceso/ceso/pkg/backup"
	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/spf13/cobra"
)

// NewCmdBackup is the `ceso backup` noun.
func NewCmdBackup(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "backup <command>",
		Short: "Back up VMs, list, verify, restore, delete and prune backups",
		Long: `Backups are streamed OVF exports: each disk is read once from the host's NFC
export lease, hashed (SHA-256) and compressed (zstd) on the way to the target,
with no full-size temporary file. A backup is recorded in the catalog only after
every file is stored and checked. The archive can be restored without ceso
(docs/backup-format.md).`,
	}
	cmd.AddCommand(NewCmdCreate(f, nil), NewCmdList(f, nil), NewCmdVerify(f, nil),
		NewCmdRestore(f, nil), NewCmdDelete(f, nil), NewCmdPrune(f, nil))
	return cmd
}

// housekeep finishes what a crash left and reports it on stderr.
func housekeep(ctx context.Context, f *cmdutil.Factory, d backup.Deps) {
	rep, err := backup.Housekeep(ctx, d)
	for _, c := range rep.Cleaned {
		for _, p := range c.Removed {
			fmt.Fprintf(f.IO.ErrOut, "note: removed %s left on target %s by an interrupted run\n", p, c.Target)
		}
	}
	for _, id := range rep.Deleted {
		fmt.Fprintf(f.IO.ErrOut, "note: finished the interrupted deletion of backup %s\n", id)
	}
	if err != nil {
		fmt.Fprintf(f.IO.ErrOut, "warning: cleaning up after interrupted runs: %v\n", err)
	}
}

// withDeps runs fn with the backup engine's dependencies, after housekeeping.
func withDeps[T any](ctx context.Context, f *cmdutil.Factory, needHost bool, fn func(backup.Deps) (T, error)) (T, error) {
	var zero T
	d, release, err := f.BackupDeps(ctx, needHost)
	if err != nil {
		return zero, err
	}
	defer release()
	housekeep(ctx, f, d)
	return fn(d)
}

package backupcmd

import (
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
		NewCmdRestore(f, nil), NewCmdDelete(f, nil), NewCmdPrune(f, nil), NewCmdClean(f, nil))
	return cmd
}

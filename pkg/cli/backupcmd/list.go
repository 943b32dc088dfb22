package backupcmd

import (
	"context"
	"fmt"
	"time"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/operations"
	"github.com/spf13/cobra"
)

// ListOptions are the options of `ceso backup list`.
type ListOptions struct {
	Factory *cmdutil.Factory
	VM      string
	JSON    bool
}

// NewCmdList makes `ceso backup list`.
func NewCmdList(f *cmdutil.Factory, runF func(*ListOptions) error) *cobra.Command {
	opts := &ListOptions{Factory: f}
	cmd := &cobra.Command{
		Use:         "list",
		Annotations: cmdutil.Operation("backup.list"),
		Short:       "List the backups in the catalog, newest first",
		Long: `List the backups recorded in the catalog, newest first. Only whole backups are
ever recorded as complete; a backup being deleted shows as deleting.

JSON output (--json) is an array of entries with the fields id, vm_name,
host (the ESXi host the VM was on), timestamp (RFC 3339), size (bytes
stored), location, checksum (SHA-256 of the manifest), status (complete,
failed, deleting), target, description, metadata, last_verified (null until
verified), verify_ok and verify_detail; fields are always present and never
removed (see docs/json.md).`,
		Example: `  ceso backup list --vm web01
  ceso backup list --json | jq -r '.[] | select(.status=="complete") | .id'`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return listRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.VM, "vm", "", "only the backups of this VM")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	_ = cmd.RegisterFlagCompletionFunc("vm", cmdutil.CompleteBackupVM(f))
	return cmd
}

func listRun(ctx context.Context, opts *ListOptions) error {
	f := opts.Factory
	entries, done, err := cmdutil.Run(ctx, f, operations.BackupList, operations.BackupListParams{VM: opts.VM}, opts.JSON)
	if done || err != nil {
		return err
	}
	if opts.JSON {
		return cmdutil.WriteJSON(f.IO.Out, entries)
	}
	if len(entries) == 0 {
		if f.IO.OutTTY {
			what := "no backups in the catalog"
			if opts.VM != "" {
				what = fmt.Sprintf("no backups of %q in the catalog", opts.VM)
			}
			fmt.Fprintln(f.IO.ErrOut, what)
		}
		return nil
	}
	t := cmdutil.NewTable(f.IO, "ID", "VM", "HOST", "TIME", "SIZE", "TARGET", "STATUS", "VERIFIED")
	for _, e := range entries {
		verified := "-"
		if !e.LastVerified.IsZero() {
			verified = "failed"
			if e.VerifyOK {
				verified = "ok"
			}
			verified += " " + e.LastVerified.Local().Format(time.DateTime)
		}
		t.Row(e.ID, e.VMName, orDash(e.Host), e.Timestamp.Local().Format(time.DateTime), cmdutil.HumanBytes(e.Size), e.Target, e.Status, verified)
	}
	return t.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

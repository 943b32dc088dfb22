package backupcmd

import (
	"context"
	"fmt"
	"strings"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/operations"
	"github.com/spf13/cobra"
)

// PruneOptions are the options of `ceso backup prune`.
type PruneOptions struct {
	Factory *cmdutil.Factory
	Params  operations.BackupPruneParams
	VM      string
	JSON    bool
}

// NewCmdPrune makes `ceso backup prune`.
func NewCmdPrune(f *cmdutil.Factory, runF func(*PruneOptions) error) *cobra.Command {
	opts := &PruneOptions{Factory: f}
	var keep struct{ last, daily, weekly, monthly, yearly int }
	cmd := &cobra.Command{
		Use:         "prune",
		Annotations: cmdutil.Operation("backup.prune"),
		Short:       "Delete the backups a retention policy does not keep",
		Long: `Apply a retention policy per VM, as restic's forget does: keep the newest
backups (--keep-last) and the newest backup of each of the last N days, ISO
weeks and months; a backup kept by any rule is kept. The newest successfully
verified backup of a VM is never removed, failed backups never count toward a
rule, and a policy that would keep nothing is refused. Each backup is listed
with keep or remove and the reason. Backups are counted per host and VM.

The keep flags replace backup.retention as a whole, as restic's forget does:
when any is given, those left out are 0; when none is, backup.retention
applies.

JSON output (--json) is an array of decisions with the fields id, vm_name,
host, timestamp, action (keep or remove) and reasons.

With --dry-run nothing is deleted: the decisions are printed.`,
		Example: `  ceso backup prune --dry-run
  ceso backup prune --vm web01 --keep-last 3 --keep-daily 7 --keep-weekly 4 --keep-monthly 12`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Params.VM = opts.VM
			for _, k := range []struct {
				flag string
				dst  **int
				v    *int
			}{
				{"keep-last", &opts.Params.KeepLast, &keep.last},
				{"keep-daily", &opts.Params.KeepDaily, &keep.daily},
				{"keep-weekly", &opts.Params.KeepWeekly, &keep.weekly},
				{"keep-monthly", &opts.Params.KeepMonthly, &keep.monthly},
				{"keep-yearly", &opts.Params.KeepYearly, &keep.yearly},
			} {
				if cmd.Flags().Changed(k.flag) {
					if *k.v < 0 {
						return cmdutil.FlagError(fmt.Errorf("--%s %d: want 0 or more (0 turns the rule off)", k.flag, *k.v))
					}
					*k.dst = k.v
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return pruneRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&keep.last, "keep-last", 0, "keep the N newest backups of each VM")
	fl.IntVar(&keep.daily, "keep-daily", 0, "keep the newest backup of each of the last N days")
	fl.IntVar(&keep.weekly, "keep-weekly", 0, "keep the newest backup of each of the last N ISO weeks")
	fl.IntVar(&keep.monthly, "keep-monthly", 0, "keep the newest backup of each of the last N months")
	fl.IntVar(&keep.yearly, "keep-yearly", 0, "keep the newest backup of each of the last N years")
	fl.StringVar(&opts.VM, "vm", "", "only the backups of this VM")
	fl.BoolVar(&opts.JSON, "json", false, "print the decisions as JSON")
	_ = cmd.RegisterFlagCompletionFunc("vm", cmdutil.CompleteBackupVM(f))
	return cmd
}

func pruneRun(ctx context.Context, opts *PruneOptions) error {
	f := opts.Factory
	decisions, done, err := cmdutil.Run(ctx, f, operations.BackupPrune, opts.Params, opts.JSON)
	if done && decisions == nil {
		return err
	}
	if opts.JSON {
		if jerr := cmdutil.WriteJSON(f.IO.Out, decisions); jerr != nil {
			return jerr
		}
		return err
	}
	t := cmdutil.NewTable(f.IO, "ID", "VM", "HOST", "DECISION", "REASON")
	for _, d := range decisions {
		verdict := "removed"
		if d.Action == operations.ActionKeep {
			verdict = "kept"
		}
		t.Row(d.ID, d.VMName, orDash(d.Host), verdict, strings.Join(d.Reasons, "; "))
	}
	if ferr := t.Flush(); ferr != nil {
		return ferr
	}
	return err
}

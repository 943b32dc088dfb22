package backupcmd

import (
	"context"
	"strings"

	"github.com/ceso/ceso/pkg/backup"
	"github.com/ceso/ceso/pkg/backup/retention"
	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/ops"
	"github.com/spf13/cobra"
)

// PruneOptions are the options of `ceso backup prune`.
type PruneOptions struct {
	Factory *cmdutil.Factory
	Policy  retention.Policy
	VM      string
	JSON    bool
}

// NewCmdPrune makes `ceso backup prune`.
func NewCmdPrune(f *cmdutil.Factory, runF func(*PruneOptions) error) *cobra.Command {
	opts := &PruneOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "prune",
		Short: "Delete the backups a retention policy does not keep",
		Long: `Apply a retention policy per VM, as restic's forget does: keep the newest
backups (--keep-last) and the newest backup of each of the last N days, ISO
weeks and months; a backup kept by any rule is kept. The newest successfully
verified backup of a VM is never removed, failed backups never count toward a
rule, and a policy that would keep nothing is refused. Each backup is listed
with keep or remove and the reason. Defaults come from backup.retention.

With --dry-run nothing is deleted: the decisions are printed.`,
		Example: `  ceso backup prune --dry-run
  ceso backup prune --vm web01 --keep-last 3 --keep-daily 7 --keep-weekly 4 --keep-monthly 12`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := f.Config()
			if err != nil {
				return err
			}
			def := cmdutil.RetentionPolicy(cfg.Backup.Retention)
			for _, k := range []struct {
				flag string
				dst  *int
				def  int
			}{
				{"keep-last", &opts.Policy.KeepLast, def.KeepLast},
				{"keep-daily", &opts.Policy.KeepDaily, def.KeepDaily},
				{"keep-weekly", &opts.Policy.KeepWeekly, def.KeepWeekly},
				{"keep-monthly", &opts.Policy.KeepMonthly, def.KeepMonthly},
			} {
				if !cmd.Flags().Changed(k.flag) {
					*k.dst = k.def
				}
			}
			opts.Policy.Location = def.Location
			if err := opts.Policy.Validate(); err != nil {
				return cmdutil.FlagError(err)
			}
			if runF != nil {
				return runF(opts)
			}
			return pruneRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&opts.Policy.KeepLast, "keep-last", 0, "keep the N newest backups of each VM")
	fl.IntVar(&opts.Policy.KeepDaily, "keep-daily", 0, "keep the newest backup of each of the last N days")
	fl.IntVar(&opts.Policy.KeepWeekly, "keep-weekly", 0, "keep the newest backup of each of the last N ISO weeks")
	fl.IntVar(&opts.Policy.KeepMonthly, "keep-monthly", 0, "keep the newest backup of each of the last N months")
	fl.StringVar(&opts.VM, "vm", "", "only the backups of this VM")
	fl.BoolVar(&opts.JSON, "json", false, "print the decisions as JSON")
	return cmd
}

func pruneRun(ctx context.Context, opts *PruneOptions) error {
	f := opts.Factory
	op := &ops.Op{
		Name: "backup.prune", Target: opts.VM, Params: map[string]any{"policy": opts.Policy.String()},
		Plan: func(ctx context.Context) ([]ops.Step, error) {
			return withDeps(ctx, f, false, func(d backup.Deps) ([]ops.Step, error) { return backup.PlanPrune(ctx, d, opts.Policy, opts.VM) })
		},
		Run: func(ctx context.Context) (any, error) {
			return withDeps(ctx, f, false, func(d backup.Deps) ([]retention.Decision, error) {
				return backup.Prune(ctx, d, opts.Policy, opts.VM, false)
			})
		},
	}
	value, done, err := f.RunOp(ctx, op, opts.JSON)
	decisions, _ := value.([]retention.Decision)
	if done && decisions == nil {
		return err
	}
	if opts.JSON {
		if jerr := cmdutil.WriteJSON(f.IO.Out, decisions); jerr != nil {
			return jerr
		}
		return err
	}
	t := cmdutil.NewTable(f.IO, "ID", "VM", "DECISION", "REASON")
	for _, d := range decisions {
		verdict := "removed"
		if d.Keep {
			verdict = "kept"
		}
		t.Row(d.ID, d.VMName, verdict, strings.Join(d.Reasons, "; "))
	}
	if ferr := t.Flush(); ferr != nil {
		return ferr
	}
	return err
}

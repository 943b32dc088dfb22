package operations

import (
	"context"
	"fmt"
	"time"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/backup"
	"github.com/ceso/ceso/pkg/backup/retention"
	"github.com/ceso/ceso/pkg/ops"
)

// Decision is prune's verdict on one backup, with its reasons.
type Decision = retention.Decision

// BackupPruneParams are the params of backup.prune. A keep count left out
// takes backup.retention's value.
type BackupPruneParams struct {
	VM          string `json:"vm,omitempty" jsonschema:"only the backups of this VM"`
	KeepLast    *int   `json:"keep_last,omitempty" jsonschema:"keep the N newest backups of each VM"`
	KeepDaily   *int   `json:"keep_daily,omitempty" jsonschema:"keep the newest backup of each of the last N days"`
	KeepWeekly  *int   `json:"keep_weekly,omitempty" jsonschema:"keep the newest backup of each of the last N ISO weeks"`
	KeepMonthly *int   `json:"keep_monthly,omitempty" jsonschema:"keep the newest backup of each of the last N months"`
	KeepYearly  *int   `json:"keep_yearly,omitempty" jsonschema:"keep the newest backup of each of the last N years"`

	// policy is the policy in effect, made by complete.
	policy retention.Policy
}

// Validate implements Params.
func (p BackupPruneParams) Validate() error {
	for _, k := range []struct {
		name string
		v    *int
	}{{"keep_last", p.KeepLast}, {"keep_daily", p.KeepDaily}, {"keep_weekly", p.KeepWeekly}, {"keep_monthly", p.KeepMonthly}, {"keep_yearly", p.KeepYearly}} {
		if k.v != nil && *k.v < 0 {
			return fmt.Errorf("%s %d: a count cannot be negative", k.name, *k.v)
		}
	}
	return p.policy.Validate()
}

// Target implements Params.
func (p BackupPruneParams) Target() string {
	if p.VM == "" {
		return "*"
	}
	return p.VM
}

// BackupPrune deletes the backups a retention policy does not keep.
var BackupPrune = &Op[BackupPruneParams, []Decision]{
	name:    "backup.prune",
	summary: "Delete the backups a retention policy (keep last, daily, weekly, monthly, yearly) does not keep, with the reason for each",
	class:   ops.ClassDestructive,
	complete: func(a *app.App, p BackupPruneParams) BackupPruneParams {
		r := a.Config().Backup.Retention
		pick := func(v *int, def int) int {
			if v != nil {
				return *v
			}
			return def
		}
		p.policy = retention.Policy{
			KeepLast: pick(p.KeepLast, r.KeepLast), KeepDaily: pick(p.KeepDaily, r.KeepDaily),
			KeepWeekly: pick(p.KeepWeekly, r.KeepWeekly), KeepMonthly: pick(p.KeepMonthly, r.KeepMonthly),
			KeepYearly: pick(p.KeepYearly, 0), Location: time.Local,
		}
		return p
	},
	plan: func(ctx context.Context, a *app.App, p BackupPruneParams) ([]ops.Step, error) {
		return app.WithBackup(ctx, a, false, false, func(d backup.Deps) ([]ops.Step, error) {
			return planAfterHousekeep(ctx, d, func() ([]ops.Step, error) { return backup.PlanPrune(ctx, d, p.policy, p.VM) })
		})
	},
	run: func(ctx context.Context, a *app.App, p BackupPruneParams) ([]Decision, error) {
		return app.WithBackup(ctx, a, false, true, func(d backup.Deps) ([]Decision, error) {
			housekeep(ctx, d)
			ds, err := backup.Prune(ctx, d, p.policy, p.VM, false)
			if ds == nil {
				ds = []Decision{}
			}
			return ds, err
		})
	},
}

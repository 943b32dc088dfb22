package operations

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/backup"
	"github.com/ceso/ceso/pkg/backup/retention"
	"github.com/ceso/ceso/pkg/ops"
)

// PruneDecision is prune's verdict on one backup, with its reasons.
type PruneDecision struct {
	ID        string    `json:"id"`
	VMName    string    `json:"vm_name"`
	Host      string    `json:"host"`
	Timestamp time.Time `json:"timestamp"`
	// Action is "keep" or "remove".
	Action string `json:"action"`
	// Reasons lists each rule that keeps the backup, or why it goes.
	Reasons []string `json:"reasons"`
}

// Actions of a PruneDecision.
const (
	ActionKeep   = "keep"
	ActionRemove = "remove"
)

func pruneDecisions(ds []retention.Decision) []PruneDecision {
	out := make([]PruneDecision, len(ds))
	for i, d := range ds {
		action := ActionRemove
		if d.Keep {
			action = ActionKeep
		}
		reasons := d.Reasons
		if reasons == nil {
			reasons = []string{}
		}
		out[i] = PruneDecision{ID: d.ID, VMName: d.VMName, Host: d.Host, Timestamp: d.Time, Action: action, Reasons: reasons}
	}
	return out
}

// BackupPruneParams are the params of backup.prune. As restic's forget
// does, the keep counts given replace backup.retention as a whole: when
// any is given, those left out are 0; when none is, backup.retention
// applies.
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
var BackupPrune = &Op[BackupPruneParams, []PruneDecision]{
	name:    "backup.prune",
	summary: "Delete the backups a retention policy (keep last, daily, weekly, monthly, yearly) does not keep, with the reason for each",
	class:   ops.ClassDestructive,
	complete: func(a *app.App, p BackupPruneParams) BackupPruneParams {
		r := a.Config().Backup.Retention
		p.policy = retention.Policy{KeepLast: r.KeepLast, KeepDaily: r.KeepDaily, KeepWeekly: r.KeepWeekly,
			KeepMonthly: r.KeepMonthly, Location: time.Local}
		given := []*int{p.KeepLast, p.KeepDaily, p.KeepWeekly, p.KeepMonthly, p.KeepYearly}
		if slices.ContainsFunc(given, func(v *int) bool { return v != nil }) {
			n := func(v *int) int {
				if v == nil {
					return 0
				}
				return *v
			}
			p.policy = retention.Policy{KeepLast: n(p.KeepLast), KeepDaily: n(p.KeepDaily), KeepWeekly: n(p.KeepWeekly),
				KeepMonthly: n(p.KeepMonthly), KeepYearly: n(p.KeepYearly), Location: time.Local}
		}
		return p
	},
	plan: func(ctx context.Context, a *app.App, p BackupPruneParams) ([]ops.Step, error) {
		return app.WithBackup(ctx, a, false, false, func(d backup.Deps) ([]ops.Step, error) {
			return planAfterHousekeep(ctx, d, func() ([]ops.Step, error) { return backup.PlanPrune(ctx, d, p.policy, p.VM) })
		})
	},
	run: func(ctx context.Context, a *app.App, p BackupPruneParams) ([]PruneDecision, error) {
		return app.WithBackup(ctx, a, false, true, func(d backup.Deps) ([]PruneDecision, error) {
			housekeep(ctx, d)
			ds, err := backup.Prune(ctx, d, p.policy, p.VM, false)
			return pruneDecisions(ds), err
		})
	},
}

package operations

import (
	"context"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/backup"
	"github.com/ceso/ceso/pkg/ops"
)

// CleanReport says what a clean-up removed and finished.
type CleanReport = backup.HousekeepReport

// BackupCleanParams are the params of backup.clean (none).
type BackupCleanParams struct{}

// Validate implements Params.
func (BackupCleanParams) Validate() error { return nil }

// Target implements Params.
func (BackupCleanParams) Target() string { return "*" }

// BackupClean finishes what interrupted runs left: temporary files on every
// target and interrupted deletions. Delete and prune do it first too; a
// read or a plan never does.
var BackupClean = &Op[BackupCleanParams, CleanReport]{
	name:    "backup.clean",
	summary: "Remove what interrupted backups left on the targets and finish interrupted deletions",
	class:   ops.ClassWrite,
	plan: func(ctx context.Context, a *app.App, _ BackupCleanParams) ([]ops.Step, error) {
		return app.WithBackup(ctx, a, false, false, func(d backup.Deps) ([]ops.Step, error) {
			return backup.PlanHousekeep(ctx, d)
		})
	},
	run: func(ctx context.Context, a *app.App, _ BackupCleanParams) (CleanReport, error) {
		return app.WithBackup(ctx, a, false, true, func(d backup.Deps) (CleanReport, error) {
			return backup.Housekeep(ctx, d)
		})
	},
}

// housekeep is the first step of the write operations that delete backups:
// what it finds is reported as notes, and a target it cannot reach is
// noted, not fatal.
func housekeep(ctx context.Context, d backup.Deps) {
	if _, err := backup.Housekeep(ctx, d); err != nil {
		ops.Note(ctx, "cleaning up after interrupted runs: %v", err)
	}
}

// planAfterHousekeep is the plan of housekeep followed by the plan of fn.
func planAfterHousekeep(ctx context.Context, d backup.Deps, fn func() ([]ops.Step, error)) ([]ops.Step, error) {
	steps, err := backup.PlanHousekeep(ctx, d)
	if err != nil {
		steps = nil // an unreachable target is not the plan's business
	}
	rest, err := fn()
	return append(steps, rest...), err
}

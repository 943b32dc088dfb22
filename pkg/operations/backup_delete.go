package operations

import (
	"context"
	"errors"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/backup"
	"github.com/ceso/ceso/pkg/ops"
)

// BackupDeleteParams are the params of backup.delete.
type BackupDeleteParams struct {
	ID    string `json:"id" jsonschema:"the backup to delete"`
	Force bool   `json:"force,omitempty" jsonschema:"delete even the last good backup of a VM"`
}

// Validate implements Params.
func (p BackupDeleteParams) Validate() error {
	if p.ID == "" {
		return errors.New("id: name the backup to delete")
	}
	return nil
}

// Target implements Params.
func (p BackupDeleteParams) Target() string { return p.ID }

// BackupDeleted says which backup was deleted.
type BackupDeleted struct {
	ID      string `json:"id"`
	Deleted bool   `json:"deleted"`
}

// BackupDelete deletes a backup: files first, catalog entry last. It first
// finishes what interrupted runs left (see BackupClean).
var BackupDelete = &Op[BackupDeleteParams, BackupDeleted]{
	name:    "backup.delete",
	summary: "Delete a backup: its files, then its catalog entry (the last good backup of a VM only with force)",
	class:   ops.ClassDestructive,
	plan: func(ctx context.Context, a *app.App, p BackupDeleteParams) ([]ops.Step, error) {
		return app.WithBackup(ctx, a, false, false, func(d backup.Deps) ([]ops.Step, error) {
			return planAfterHousekeep(ctx, d, func() ([]ops.Step, error) {
				return backup.PlanDelete(ctx, d, p.ID, backup.DeleteOptions{Force: p.Force})
			})
		})
	},
	run: func(ctx context.Context, a *app.App, p BackupDeleteParams) (BackupDeleted, error) {
		return app.WithBackup(ctx, a, false, true, func(d backup.Deps) (BackupDeleted, error) {
			housekeep(ctx, d)
			err := backup.Delete(ctx, d, p.ID, backup.DeleteOptions{Force: p.Force})
			return BackupDeleted{ID: p.ID, Deleted: err == nil}, err
		})
	},
}

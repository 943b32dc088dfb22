package operations

import (
	"context"
	"errors"

	"github.com/ceso/ceso/internal/storage"
	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/backup"
	"github.com/ceso/ceso/pkg/ops"
)

// VerifyResult is the verdict on one backup.
type VerifyResult = backup.VerifyResult

// BackupVerifyParams are the params of backup.verify.
type BackupVerifyParams struct {
	ID  string `json:"id,omitempty" jsonschema:"the backup to verify"`
	All bool   `json:"all,omitempty" jsonschema:"verify every complete backup (of vm when given), oldest first"`
	VM  string `json:"vm,omitempty" jsonschema:"with all, only the backups of this VM"`
}

// Validate implements Params.
func (p BackupVerifyParams) Validate() error {
	switch {
	case (p.ID == "") == !p.All:
		return errors.New("name one backup id or use all")
	case p.VM != "" && !p.All:
		return errors.New("vm goes with all")
	}
	return nil
}

// Target implements Params.
func (p BackupVerifyParams) Target() string {
	if p.All {
		return "all:" + p.VM
	}
	return p.ID
}

// BackupVerify re-reads stored backups and records the verdict in the
// catalog, so it is a write.
var BackupVerify = &Op[BackupVerifyParams, []VerifyResult]{
	name:    "backup.verify",
	summary: "Re-read stored backups, check every SHA-256, and record the verdict in the catalog",
	class:   ops.ClassWrite,
	plan: func(ctx context.Context, a *app.App, p BackupVerifyParams) ([]ops.Step, error) {
		return app.WithBackup(ctx, a, false, false, func(d backup.Deps) ([]ops.Step, error) {
			ids := []string{p.ID}
			if p.All {
				entries, err := d.Catalog.ListBackups(p.VM)
				if err != nil {
					return nil, err
				}
				ids = ids[:0]
				for i := len(entries) - 1; i >= 0; i-- {
					if entries[i].Status == storage.StatusComplete {
						ids = append(ids, entries[i].ID)
					}
				}
			}
			var steps []ops.Step
			for _, id := range ids {
				s, err := backup.PlanVerify(ctx, d, id)
				if err != nil {
					return nil, err
				}
				steps = append(steps, s...)
			}
			return steps, nil
		})
	},
	run: func(ctx context.Context, a *app.App, p BackupVerifyParams) ([]VerifyResult, error) {
		return app.WithBackup(ctx, a, false, true, func(d backup.Deps) ([]VerifyResult, error) {
			if p.All {
				results, err := backup.VerifyAll(ctx, d, p.VM)
				if results == nil {
					results = []VerifyResult{}
				}
				return results, err
			}
			r, err := backup.Verify(ctx, d, p.ID)
			if r.ID == "" {
				r.ID = p.ID
			}
			if err != nil && r.Detail == "" {
				r.Detail = err.Error()
			}
			return []VerifyResult{r}, err
		})
	},
}

package operations

import (
	"context"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/backup"
	"github.com/ceso/ceso/pkg/ops"
)

// BackupListParams are the params of backup.list.
type BackupListParams struct {
	VM string `json:"vm,omitempty" jsonschema:"only the backups of this VM"`
}

// Validate implements Params.
func (p BackupListParams) Validate() error { return nil }

// Target implements Params.
func (p BackupListParams) Target() string { return p.VM }

// BackupList lists the catalog.
var BackupList = &Op[BackupListParams, []BackupEntry]{
	name:    "backup.list",
	summary: "List the backups in the catalog, newest first",
	class:   ops.ClassRead,
	plan: func(_ context.Context, a *app.App, p BackupListParams) ([]ops.Step, error) {
		return []ops.Step{{Via: "local", Action: "catalog: list backups", Detail: a.Config().CatalogPath()}}, nil
	},
	run: func(ctx context.Context, a *app.App, p BackupListParams) ([]BackupEntry, error) {
		return app.WithBackup(ctx, a, false, false, func(d backup.Deps) ([]BackupEntry, error) {
			list, err := d.Catalog.ListBackups(p.VM)
			if list == nil && err == nil {
				list = []BackupEntry{}
			}
			return list, err
		})
	},
}

package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/ceso/ceso/pkg/backup"
	"github.com/ceso/ceso/pkg/esxi/client"
)

// CheckHost borrows a session and asks the host for it: the host is
// reachable and the session valid.
func (a *App) CheckHost(ctx context.Context) error {
	_, err := WithSession(ctx, a, func(c *client.Client) (struct{}, error) { return struct{}{}, c.Ping(ctx) })
	return err
}

// CheckCatalog opens the backup catalog and reads it, creating nothing: a
// catalog not made yet is fine.
func (a *App) CheckCatalog(ctx context.Context) error {
	_, err := WithBackup(ctx, a, false, false, func(d backup.Deps) (int, error) {
		list, err := d.Catalog.ListBackups("")
		return len(list), err
	})
	if err != nil {
		return fmt.Errorf("opening the catalog %s: %w", a.cfg.CatalogPath(), err)
	}
	return nil
}

// CheckAudit opens the audit log (and its key) and checks that the log
// file, or its directory when there is no log yet, can be written. It
// writes no record.
func (a *App) CheckAudit() error {
	l, err := a.Auditor()
	if err != nil {
		return err
	}
	path := l.Path()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if errors.Is(err, fs.ErrNotExist) {
		f, err = os.CreateTemp(filepath.Dir(path), ".ready-*")
		if err == nil {
			defer os.Remove(f.Name())
		}
	}
	if err != nil {
		return fmt.Errorf("the audit log %s cannot be written: %w", path, err)
	}
	return f.Close()
}

package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ceso/ceso/pkg/backup"
	"github.com/ceso/ceso/pkg/backup/target"
	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/ops"
)

// DefaultTargetName is the local target ceso uses when none is configured:
// a directory "backups" under the state directory.
const DefaultTargetName = "local"

// BackupTargets returns the configured targets and the default one, or the
// built-in local target (state_dir/backups) when none is configured. It
// creates nothing.
func (a *App) BackupTargets() ([]config.Target, string) {
	cfg := a.cfg
	if len(cfg.Backup.Targets) > 0 {
		return cfg.Backup.Targets, cfg.Backup.DefaultTarget
	}
	dir := filepath.Join(cfg.StateDir, "backups")
	return []config.Target{{Name: DefaultTargetName, Type: "local", Path: dir}}, DefaultTargetName
}

// WithBackup runs fn with the backup engine's dependencies. With needHost a
// session is borrowed first; otherwise one is borrowed only when a
// datastore target is used. Every session is given back when fn returns.
// The catalog's directory and the default local target's directory are
// created (0700) only when write is set: a read creates nothing.
func WithBackup[T any](ctx context.Context, a *App, needHost, write bool, fn func(backup.Deps) (T, error)) (T, error) {
	var zero T
	targets, def := a.BackupTargets()
	catalog := a.cfg.CatalogPath()
	if write {
		dirs := []string{filepath.Dir(catalog)}
		if len(a.cfg.Backup.Targets) == 0 {
			dirs = append(dirs, targets[0].Path)
		}
		for _, dir := range dirs {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return zero, fmt.Errorf("creating %s: %w", dir, err)
			}
		}
	}
	var (
		c        *client.Client
		releases []func()
	)
	defer func() {
		for _, r := range releases {
			r()
		}
	}()
	connect := func(ctx context.Context) (*client.Client, error) {
		if c != nil {
			return c, nil
		}
		p, err := a.Pool(ctx)
		if err != nil {
			return nil, err
		}
		cl, err := p.Get(ctx)
		if err != nil {
			return nil, err
		}
		ops.UseTransport(ctx, config.TransportAPI)
		c, releases = cl, append(releases, func() { p.Put(cl) })
		return c, nil
	}
	if needHost {
		if _, err := connect(ctx); err != nil {
			return zero, err
		}
	}
	d := backup.Deps{
		Client:      c,
		Catalog:     backup.FileCatalog{Path: catalog},
		Targets:     target.NewSet(targets, def, connect),
		LockDir:     filepath.Dir(catalog),
		Compression: a.cfg.Backup.Compression,
		Progress:    a.opts.Progress,
		ProgressTTY: a.opts.ProgressTTY,
		Now:         a.opts.Now,
		Metrics:     a.backupMetrics(),
		Logger:      a.opts.Logger,
		Version:     a.opts.Version,
	}
	return fn(d)
}

func (a *App) backupMetrics() *backup.Metrics {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.bmetrics == nil {
		a.bmetrics = backup.RegisterMetrics(a.opts.Metrics.Registry())
		// Each VM's last success and last verification start from the
		// catalog, so a VM whose backups keep failing still has a series
		// for the backup-age alert. A catalog not made yet holds nothing.
		if err := a.bmetrics.LoadCatalog(backup.FileCatalog{Path: a.cfg.CatalogPath()}); err != nil {
			a.opts.Logger.Warn().Err(err).Msg("backup metrics")
		}
	}
	return a.bmetrics
}

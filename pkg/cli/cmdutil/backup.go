package cmdutil

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ceso/ceso/pkg/backup"
	"github.com/ceso/ceso/pkg/backup/retention"
	"github.com/ceso/ceso/pkg/backup/target"
	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/esxi/client"
)

// DefaultTargetName is the local target ceso uses when none is configured:
// a directory "backups" under the state directory.
const DefaultTargetName = "local"

// BackupTargets returns the configured targets, or the built-in local one
// (state_dir/backups, created 0700) when none is configured.
func (f *Factory) BackupTargets(cfg *config.Config) ([]config.Target, string, error) {
	if len(cfg.Backup.Targets) > 0 {
		return cfg.Backup.Targets, cfg.Backup.DefaultTarget, nil
	}
	dir := filepath.Join(cfg.StateDir, "backups")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, "", fmt.Errorf("creating the default backup directory: %w", err)
	}
	return []config.Target{{Name: DefaultTargetName, Type: "local", Path: dir}}, DefaultTargetName, nil
}

// BackupDeps assembles what the backup engine needs. With needHost it
// connects to the host first; otherwise the host is reached only if a
// datastore target is used. release gives the session back.
func (f *Factory) BackupDeps(ctx context.Context, needHost bool) (d backup.Deps, release func(), err error) {
	cfg, err := f.Config()
	if err != nil {
		return d, nil, err
	}
	targets, def, err := f.BackupTargets(cfg)
	if err != nil {
		return d, nil, err
	}
	var (
		c        *client.Client
		releases []func()
	)
	release = func() {
		for _, r := range releases {
			r()
		}
	}
	connect := func(ctx context.Context) (*client.Client, error) {
		if c != nil {
			return c, nil
		}
		cl, rel, err := f.Client(ctx)
		if err != nil {
			return nil, err
		}
		c, releases = cl, append(releases, rel)
		return c, nil
	}
	if needHost {
		if _, err := connect(ctx); err != nil {
			return d, nil, err
		}
	}
	catalog := cfg.CatalogPath()
	if err := os.MkdirAll(filepath.Dir(catalog), 0o700); err != nil {
		return d, nil, err
	}
	d = backup.Deps{
		Client:      c,
		Catalog:     backup.FileCatalog{Path: catalog},
		Targets:     target.NewSet(targets, def, connect),
		LockDir:     filepath.Dir(catalog),
		Compression: cfg.Backup.Compression,
		Progress:    f.IO.ErrOut,
		ProgressTTY: f.IO.ErrTTY,
		Now:         f.Now,
		Metrics:     f.backupMetrics(),
		Logger:      f.Logger(),
		Version:     Version,
	}
	return d, release, nil
}

func (f *Factory) backupMetrics() *backup.Metrics {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.bmetrics == nil {
		f.bmetrics = backup.RegisterMetrics(f.Metrics.Registry())
	}
	return f.bmetrics
}

// RetentionPolicy is the configured default prune policy, in local time.
func RetentionPolicy(r config.Retention) retention.Policy {
	return retention.Policy{KeepLast: r.KeepLast, KeepDaily: r.KeepDaily, KeepWeekly: r.KeepWeekly, KeepMonthly: r.KeepMonthly, Location: time.Local}
}

// Version is ceso's version, set at build time with
// -ldflags "-X github.com/ceso/ceso/pkg/cli/cmdutil.Version=v1.2.3".
var Version = "dev"

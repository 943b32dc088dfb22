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
	"github.com/ceso/ceso/pkg/esxi/sshhost"
	"github.com/ceso/ceso/pkg/ops"
)

// DefaultTargetName names the built-in local target: a directory
// "backups" under the state directory. (The default target is the built-in
// "datastore": the VM's own datastore, folder ceso-backups/.)
const DefaultTargetName = config.TargetLocal

// BackupTargets returns the configured targets with the built-in local one
// (state_dir/backups) unless a configured target has its name, and the
// default target's name. The built-in "datastore" target is not listed: it
// is the datastore of the VM being backed up (see BackupTarget). It creates
// nothing.
func (a *App) BackupTargets() ([]config.Target, string) {
	cfg := a.cfg
	targets := append([]config.Target(nil), cfg.Backup.Targets...)
	if a.builtinLocal() {
		targets = append(targets, config.Target{Name: DefaultTargetName, Type: "local", Path: filepath.Join(cfg.StateDir, "backups")})
	}
	def := cfg.Backup.DefaultTarget
	if def == "" {
		def = DefaultTargetName
	}
	return targets, def
}

// builtinLocal reports whether the built-in local target is in use: no
// configured target is named "local".
func (a *App) builtinLocal() bool { return !a.configured(config.TargetLocal) }

func (a *App) configured(name string) bool {
	for _, t := range a.cfg.Backup.Targets {
		if t.Name == name {
			return true
		}
	}
	return false
}

// BackupTarget names the target a backup goes to: name, or the default
// target when name is empty. The built-in "datastore" (unless a configured
// target has that name) becomes "datastore:DS", the folder ceso-backups/ of
// the datastore DS that vmDatastore returns: the VM's own.
func (a *App) BackupTarget(name string, vmDatastore func() (string, error)) (string, error) {
	if name == "" {
		_, name = a.BackupTargets()
	}
	if name != config.TargetDatastore || a.configured(name) {
		return name, nil
	}
	ds, err := vmDatastore()
	if err != nil {
		return "", err
	}
	if ds == "" {
		return "", fmt.Errorf("%w: target %q: the VM's datastore is not known", config.ErrInvalid, name)
	}
	return target.DatastoreTarget(ds), nil
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
		for _, t := range targets {
			if t.Name == DefaultTargetName && a.builtinLocal() {
				dirs = append(dirs, t.Path)
			}
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
	set := target.NewSet(targets, def, connect)
	d := backup.Deps{
		Client:      c,
		Catalog:     backup.FileCatalog{Path: catalog},
		Targets:     set,
		LockDir:     filepath.Dir(catalog),
		Compression: a.cfg.Backup.Compression,
		Progress:    a.opts.Progress,
		ProgressTTY: a.opts.ProgressTTY,
		Now:         a.opts.Now,
		Metrics:     a.backupMetrics(),
		Logger:      a.opts.Logger,
		Version:     a.opts.Version,
	}
	d.Shell, d.ShellFirst = a.backupShell()
	if d.Shell != nil {
		set.WithShell(d.Shell, d.ShellFirst)
	}
	return fn(d)
}

// backupShell is how the backup engine reaches the host's shell, as
// esxi.transport says: never (api), after a refusal of the API (auto), or
// first (ssh). The SSH connection is the App's, made when a step first
// needs it.
func (a *App) backupShell() (sshhost.Runner, bool) {
	switch a.cfg.ESXi.Transport {
	case config.TransportAPI:
		return nil, false
	case config.TransportSSH:
		return sshUse{a.sshConn()}, true
	}
	return sshUse{a.sshConn()}, false
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

package operations

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/ceso/ceso/internal/storage"
	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/backup"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/ceso/ceso/pkg/ops"
)

// BackupEntry is a backup as the catalog records it.
type BackupEntry = storage.Entry

// BackupCreateParams are the params of backup.create.
type BackupCreateParams struct {
	VM              string   `json:"vm,omitempty" jsonschema:"the VM to back up; or all"`
	All             bool     `json:"all,omitempty" jsonschema:"back up every VM but templates and defaults.template (narrowed by match), one after the other"`
	Match           string   `json:"match,omitempty" jsonschema:"with all, only VMs whose name matches this shell glob"`
	To              string   `json:"target,omitempty" jsonschema:"target name; backup.default_target when absent"`
	Description     string   `json:"description,omitempty" jsonschema:"a note kept with the backup"`
	PowerOff        bool     `json:"power_off,omitempty" jsonschema:"back a running VM up cold: shut it down, and power it on again afterwards (without it a running VM is backed up hot, from a snapshot)"`
	ShutdownTimeout Duration `json:"shutdown_timeout,omitempty" jsonschema:"with power_off: wait this long for the guest, then power off (default 5m)"`
	Uncompressed    bool     `json:"uncompressed,omitempty" jsonschema:"store the disks as exported, without zstd"`
	Verify          bool     `json:"verify,omitempty" jsonschema:"re-read and check the backup before recording it"`
	Readers         int      `json:"readers,omitempty" jsonschema:"hot backup: Range requests in flight on each disk (default 4)"`
}

// Validate implements Params.
func (p BackupCreateParams) Validate() error {
	switch {
	case p.All && p.VM != "":
		return errors.New("name a VM or use all, not both")
	case p.Match != "" && !p.All:
		return errors.New("match goes with all")
	case !p.All:
		if err := vm.ValidateName(p.VM); err != nil {
			return err
		}
	}
	if _, err := path.Match(p.Match, ""); err != nil {
		return fmt.Errorf("match %q: %v", p.Match, err)
	}
	if p.ShutdownTimeout < 0 {
		return errors.New("shutdown_timeout must be positive")
	}
	if p.Readers < 0 || p.Readers > backup.MaxReaders {
		return fmt.Errorf("readers %d: want 1 to %d", p.Readers, backup.MaxReaders)
	}
	return nil
}

// Target implements Params.
func (p BackupCreateParams) Target() string {
	if p.All {
		return "all:" + p.Match
	}
	return p.VM
}

// request is the backup request for vmName, its target named as the App
// resolves it: the built-in "datastore" target is the VM's own datastore.
func (p BackupCreateParams) request(ctx context.Context, a *app.App, d backup.Deps, vmName string) (backup.CreateRequest, error) {
	to, err := a.BackupTarget(p.To, func() (string, error) {
		info, err := vm.GetInfo(ctx, d.Client, vmName)
		if err != nil {
			return "", fmt.Errorf("backing up %q: %w", vmName, err)
		}
		return datastoreOf(info.Path), nil
	})
	if err != nil {
		return backup.CreateRequest{}, err
	}
	return backup.CreateRequest{
		VM: vmName, Target: to, Description: p.Description, PowerOff: p.PowerOff,
		ShutdownTimeout: time.Duration(p.ShutdownTimeout), Uncompressed: p.Uncompressed, Verify: p.Verify, Readers: p.Readers,
	}, nil
}

// BackupCreate backs VMs up, one after the other; a batch goes on past a
// failed VM and ends with a partial failure.
var BackupCreate = &Op[BackupCreateParams, []BackupEntry]{
	name:    "backup.create",
	summary: "Back a VM (or every VM) up: a running VM hot from a snapshot, a stopped one by export; SHA-256, zstd, recorded in the catalog only when whole",
	class:   ops.ClassWrite,
	plan: func(ctx context.Context, a *app.App, p BackupCreateParams) ([]ops.Step, error) {
		return app.WithBackup(ctx, a, true, false, func(d backup.Deps) ([]ops.Step, error) {
			names, err := backupTargets(ctx, a, d, p)
			if err != nil {
				return nil, err
			}
			var steps []ops.Step
			for _, n := range names {
				req, err := p.request(ctx, a, d, n)
				var s []ops.Step
				if err == nil {
					s, err = backup.PlanCreate(ctx, d, req)
				}
				steps = append(steps, s...)
				if err != nil && !p.All {
					return steps, err
				}
				if err != nil {
					steps = append(steps, ops.Step{Via: "local", Action: "skip " + n, Detail: err.Error()})
				}
			}
			return steps, nil
		})
	},
	run: func(ctx context.Context, a *app.App, p BackupCreateParams) ([]BackupEntry, error) {
		return app.WithBackup(ctx, a, true, true, func(d backup.Deps) ([]BackupEntry, error) {
			names, err := backupTargets(ctx, a, d, p)
			if err != nil {
				return nil, err
			}
			entries := []BackupEntry{}
			var failures []string
			var only error
			for _, n := range names {
				if err := ctx.Err(); err != nil {
					return entries, err
				}
				req, err := p.request(ctx, a, d, n)
				var e BackupEntry
				if err == nil {
					e, err = backup.Create(ctx, d, req)
				}
				if err != nil {
					failures, only = append(failures, fmt.Sprintf("%s: %v", n, err)), err
					continue
				}
				entries = append(entries, e)
			}
			switch {
			case len(failures) == 0:
				return entries, nil
			case len(names) == 1:
				return entries, only
			}
			return entries, fmt.Errorf("%w: %d of %d backups failed: %s", backup.ErrPartial, len(failures), len(names), strings.Join(failures, "; "))
		})
	},
}

// backupTargets are the VMs a backup.create acts on: the one named, or
// every VM (see everyVM).
func backupTargets(ctx context.Context, a *app.App, d backup.Deps, p BackupCreateParams) ([]string, error) {
	if !p.All {
		return []string{p.VM}, nil
	}
	return everyVM(ctx, a, d.Client, p.Match)
}

// datastoreOf is "datastore1" of "[datastore1] web01/web01.vmx".
func datastoreOf(p string) string {
	if rest, ok := strings.CutPrefix(p, "["); ok {
		if ds, _, ok := strings.Cut(rest, "]"); ok {
			return ds
		}
	}
	return ""
}

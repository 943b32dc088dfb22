package operations

import (
	"context"
	"errors"
	"fmt"
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
	VM              string   `json:"vm" jsonschema:"the VM to back up"`
	To              string   `json:"target,omitempty" jsonschema:"target name; backup.default_target when absent"`
	Description     string   `json:"description,omitempty" jsonschema:"a note kept with the backup"`
	PowerOff        bool     `json:"power_off,omitempty" jsonschema:"back a running VM up cold: shut it down, and power it on again afterwards"`
	ShutdownTimeout Duration `json:"shutdown_timeout,omitempty" jsonschema:"with power_off: wait this long for the guest, then power off (default 5m)"`
	Uncompressed    bool     `json:"uncompressed,omitempty" jsonschema:"store the disks as exported, without zstd"`
	Verify          bool     `json:"verify,omitempty" jsonschema:"re-read and check the backup before recording it"`
}

// Validate implements Params.
func (p BackupCreateParams) Validate() error {
	if err := vm.ValidateName(p.VM); err != nil {
		return err
	}
	if p.ShutdownTimeout < 0 {
		return errors.New("shutdown_timeout must be positive")
	}
	return nil
}

// Target implements Params.
func (p BackupCreateParams) Target() string { return p.VM }

// request is the backup request, its target named as the App resolves it:
// the built-in "datastore" target is the VM's own datastore.
func (p BackupCreateParams) request(ctx context.Context, a *app.App, d backup.Deps) (backup.CreateRequest, error) {
	to, err := a.BackupTarget(p.To, func() (string, error) {
		info, err := vm.GetInfo(ctx, d.Client, p.VM)
		if err != nil {
			return "", fmt.Errorf("backing up %q: %w", p.VM, err)
		}
		return datastoreOf(info.Path), nil
	})
	if err != nil {
		return backup.CreateRequest{}, err
	}
	return backup.CreateRequest{
		VM: p.VM, Target: to, Description: p.Description, PowerOff: p.PowerOff,
		ShutdownTimeout: time.Duration(p.ShutdownTimeout), Uncompressed: p.Uncompressed, Verify: p.Verify,
	}, nil
}

// BackupCreate backs a VM up.
var BackupCreate = &Op[BackupCreateParams, BackupEntry]{
	name:    "backup.create",
	summary: "Back a VM up: streamed export, SHA-256, zstd, recorded in the catalog only when whole",
	class:   ops.ClassWrite,
	plan: func(ctx context.Context, a *app.App, p BackupCreateParams) ([]ops.Step, error) {
		return app.WithBackup(ctx, a, true, false, func(d backup.Deps) ([]ops.Step, error) {
			req, err := p.request(ctx, a, d)
			if err != nil {
				return nil, err
			}
			return backup.PlanCreate(ctx, d, req)
		})
	},
	run: func(ctx context.Context, a *app.App, p BackupCreateParams) (BackupEntry, error) {
		return app.WithBackup(ctx, a, true, true, func(d backup.Deps) (BackupEntry, error) {
			req, err := p.request(ctx, a, d)
			if err != nil {
				return BackupEntry{}, err
			}
			return backup.Create(ctx, d, req)
		})
	},
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

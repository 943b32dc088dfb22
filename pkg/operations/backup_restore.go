package operations

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/backup"
	"github.com/ceso/ceso/pkg/cloudinit"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/ceso/ceso/pkg/ops"
)

// RestoreResult describes a restored VM.
type RestoreResult = backup.RestoreResult

// BackupRestoreParams are the params of backup.restore.
type BackupRestoreParams struct {
	ID              string            `json:"id" jsonschema:"the backup to restore"`
	AsNew           string            `json:"as_new,omitempty" jsonschema:"name of the new VM; or replace"`
	Replace         bool              `json:"replace,omitempty" jsonschema:"restore under the original name, removing the existing VM once the restore succeeded"`
	Force           bool              `json:"force,omitempty" jsonschema:"with replace: shut the existing VM down when it runs (a running VM is refused without it)"`
	ShutdownTimeout Duration          `json:"shutdown_timeout,omitempty" jsonschema:"with replace: wait this long for the old VM's guest to shut down (default 5m)"`
	PowerOn         bool              `json:"power_on,omitempty" jsonschema:"power the restored VM on"`
	Datastore       string            `json:"datastore,omitempty" jsonschema:"datastore of the restored VM; the original's when absent"`
	NetworkMap      map[string]string `json:"network_map,omitempty" jsonschema:"backup network name to host port group"`
	CloudInit       cloudinit.Spec    `json:"cloud_init,omitzero" jsonschema:"host name and network of the restored VM (DHCP when none); a restore keeps the backup's users and keys"`

	// original is the replaced VM's name, read from the catalog by
	// complete, for the audit record's target.
	original string
}

// Validate implements Params.
func (p BackupRestoreParams) Validate() error {
	switch {
	case p.ID == "":
		return errors.New("id: name the backup to restore")
	case p.AsNew != "" && p.Replace:
		return errors.New("as_new and replace exclude each other: restore as a new VM or in place of the original, not both")
	case p.AsNew == "" && !p.Replace:
		return errors.New("give as_new NAME or replace")
	case p.Force && !p.Replace:
		return errors.New("force goes with replace")
	case p.ShutdownTimeout < 0:
		return errors.New("shutdown_timeout must be positive")
	case changesAccounts(p.CloudInit):
		return errors.New("cloud_init: a restore keeps the backup's users and SSH keys: users, ssh keys and user-data do not apply")
	}
	if p.AsNew != "" {
		if err := vm.ValidateName(p.AsNew); err != nil {
			return err
		}
	}
	for from, to := range p.NetworkMap {
		if from == "" || to == "" {
			return fmt.Errorf("network_map %q=%q: want BACKUP-NETWORK=HOST-PORTGROUP", from, to)
		}
	}
	return nil
}

// Target implements Params.
func (p BackupRestoreParams) Target() string {
	switch {
	case p.AsNew != "":
		return p.AsNew
	case p.original != "":
		return p.original
	}
	return "the VM of backup " + p.ID
}

func (p BackupRestoreParams) request() backup.RestoreRequest {
	return backup.RestoreRequest{
		ID: p.ID, AsNew: p.AsNew, Replace: p.Replace, Force: p.Force, ShutdownTimeout: time.Duration(p.ShutdownTimeout),
		PowerOn: p.PowerOn, Hostname: p.CloudInit.Hostname, NICs: p.CloudInit.NICs,
		Datastore: p.Datastore, NetworkMap: p.NetworkMap,
	}
}

// BackupRestore restores a backup as a new VM, or in place of the original.
var BackupRestore = &Op[BackupRestoreParams, RestoreResult]{
	name:    "backup.restore",
	summary: "Restore a backup as a new VM with a new identity and address, or in place of the original (replace)",
	class:   ops.ClassWrite,
	classes: []ops.Class{ops.ClassWrite, ops.ClassDestructive},
	// Replacing removes the existing VM once the restore succeeded.
	classOf: func(p BackupRestoreParams) ops.Class {
		if p.Replace {
			return ops.ClassDestructive
		}
		return ops.ClassWrite
	},
	complete: func(a *app.App, p BackupRestoreParams) BackupRestoreParams {
		if p.Replace && p.ID != "" {
			if name, err := BackupVMName(a, p.ID); err == nil {
				p.original = name
			}
		}
		return p
	},
	plan: func(ctx context.Context, a *app.App, p BackupRestoreParams) ([]ops.Step, error) {
		return app.WithBackup(ctx, a, true, false, func(d backup.Deps) ([]ops.Step, error) {
			return backup.PlanRestore(ctx, d, p.request())
		})
	},
	run: func(ctx context.Context, a *app.App, p BackupRestoreParams) (RestoreResult, error) {
		return app.WithBackup(ctx, a, true, true, func(d backup.Deps) (RestoreResult, error) {
			return backup.Restore(ctx, d, p.request())
		})
	},
}

// BackupVMName is the name of the VM backup id is of, read from the
// catalog (which a read never creates): the VM a replace would remove.
func BackupVMName(a *app.App, id string) (string, error) {
	e, err := backup.FileCatalog{Path: a.Config().CatalogPath()}.GetBackup(id)
	if err != nil {
		return "", err
	}
	return e.VMName, nil
}

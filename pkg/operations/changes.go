package operations

import (
	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/ops"
)

// changer is implemented by the params of every operation that can change
// something: it names the VMs and datastores the operation changes, so that
// the sandbox can hold them against security.protected before anything
// runs. A datastore counts when a VM or a backup is written to it; backup
// deletions stay inside ceso's own backup folders and are governed by
// their class alone.
type changer interface {
	changes(cfg *config.Config) ops.Changes
}

func (p VMCreateParams) changes(*config.Config) ops.Changes {
	return ops.Changes{VMs: []string{p.Name}, Datastores: named(p.Datastore), DatastoreUnknown: p.Datastore == ""}
}

func (p VMCloneParams) changes(*config.Config) ops.Changes {
	c := ops.Changes{VMs: []string{p.Name}, Datastores: named(p.Datastore), DatastoreUnknown: p.Datastore == ""}
	if p.PowerOffSource || p.Snapshot {
		c.VMs = append(c.VMs, p.Source) // shut down, or snapshotted, for the copy
	}
	return c
}

func (p VMDeleteParams) changes(*config.Config) ops.Changes {
	return ops.Changes{VMs: []string{p.Name}}
}

func (p VMPowerParams) changes(*config.Config) ops.Changes {
	if p.All {
		return ops.Changes{VMPatterns: []string{orEvery(p.Match)}}
	}
	return ops.Changes{VMs: append([]string(nil), p.Names...)}
}

func (p BackupCreateParams) changes(cfg *config.Config) ops.Changes {
	// A running VM is snapshotted for a hot backup, or shut down for a
	// cold one.
	c := ops.Changes{VMs: named(p.VM)}
	if p.All {
		c = ops.Changes{VMPatterns: []string{orEvery(p.Match)}}
	}
	c.Datastores, c.DatastoreUnknown = targetDatastore(cfg, p.To)
	return c
}

func (p BackupRestoreParams) changes(*config.Config) ops.Changes {
	c := ops.Changes{VMs: named(p.AsNew), Datastores: named(p.Datastore), DatastoreUnknown: p.Datastore == ""}
	switch {
	case p.Replace && p.original != "":
		c.VMs = append(c.VMs, p.original) // the VM it replaces
	case p.Replace:
		c.VMPatterns = append(c.VMPatterns, "*") // the VM it replaces, not found in the catalog
	}
	return c
}

// The backup catalog's bookkeeping changes no VM and writes no new data to
// a datastore.
func (BackupVerifyParams) changes(*config.Config) ops.Changes { return ops.Changes{} }
func (BackupDeleteParams) changes(*config.Config) ops.Changes { return ops.Changes{} }
func (BackupPruneParams) changes(*config.Config) ops.Changes  { return ops.Changes{} }
func (BackupCleanParams) changes(*config.Config) ops.Changes  { return ops.Changes{} }

// targetDatastore is the datastore a backup target named name (the
// default target when empty) stores backups on: none for a local
// directory, unknown for the built-in datastore target (the VM's own).
func targetDatastore(cfg *config.Config, name string) ([]string, bool) {
	if name == "" {
		name = cfg.Backup.DefaultTarget
	}
	for _, t := range cfg.Backup.Targets {
		if t.Name == name {
			if t.Type != config.TargetDatastore {
				return nil, false
			}
			return named(t.Datastore), t.Datastore == ""
		}
	}
	return nil, name == config.TargetDatastore
}

func named(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

func orEvery(glob string) string {
	if glob == "" {
		return "*"
	}
	return glob
}

// declaresChanges says the operation's params name what it changes.
func (o *Op[P, R]) declaresChanges() bool {
	var p P
	_, ok := any(p).(changer)
	return ok
}

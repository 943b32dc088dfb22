package operations

import (
	"reflect"
	"testing"

	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/ops"
)

// TestEveryChangeNamesItsObjects: an operation that can change anything
// says which VMs and datastores, so that security.protected can hold.
func TestEveryChangeNamesItsObjects(t *testing.T) {
	for _, d := range Catalog() {
		changes := false
		for _, c := range d.Classes() {
			changes = changes || c != ops.ClassRead
		}
		decl, ok := d.(interface{ declaresChanges() bool })
		if !ok {
			t.Fatalf("%s: not an Op", d.Name())
		}
		if changes && !decl.declaresChanges() {
			t.Errorf("%s can change the host but its params do not name what they change", d.Name())
		}
	}
}

func TestChanges(t *testing.T) {
	cfg := config.Default()
	cfg.Backup.DefaultTarget = "local"
	cfg.Backup.Targets = []config.Target{
		{Name: "vault", Type: config.TargetDatastore, Datastore: "vault-ds"},
		{Name: "same", Type: config.TargetDatastore},
		{Name: "nas", Type: "local", Path: "/srv"},
	}
	tests := []struct {
		name string
		p    changer
		want ops.Changes
	}{
		{"create named", VMCreateParams{Name: "web", Datastore: "ds1"}, ops.Changes{VMs: []string{"web"}, Datastores: []string{"ds1"}}},
		{"create default", VMCreateParams{Name: "web"}, ops.Changes{VMs: []string{"web"}, DatastoreUnknown: true}},
		{"clone cold", VMCloneParams{Name: "b", Source: "a", Datastore: "ds", PowerOffSource: true}, ops.Changes{VMs: []string{"b", "a"}, Datastores: []string{"ds"}}},
		{"clone", VMCloneParams{Name: "b", Source: "a"}, ops.Changes{VMs: []string{"b"}, DatastoreUnknown: true}},
		{"delete", VMDeleteParams{Name: "a"}, ops.Changes{VMs: []string{"a"}}},
		{"power names", VMPowerParams{Names: []string{"a", "b"}}, ops.Changes{VMs: []string{"a", "b"}}},
		{"power all", VMPowerParams{All: true}, ops.Changes{VMPatterns: []string{"*"}}},
		{"power match", VMPowerParams{All: true, Match: "web*"}, ops.Changes{VMPatterns: []string{"web*"}}},
		{"backup local", BackupCreateParams{VM: "a"}, ops.Changes{VMs: []string{"a"}}},
		{"backup named datastore", BackupCreateParams{VM: "a", To: "vault"}, ops.Changes{VMs: []string{"a"}, Datastores: []string{"vault-ds"}}},
		{"backup its own datastore", BackupCreateParams{VM: "a", To: "same"}, ops.Changes{VMs: []string{"a"}, DatastoreUnknown: true}},
		{"backup built-in datastore", BackupCreateParams{All: true, To: config.TargetDatastore}, ops.Changes{VMPatterns: []string{"*"}, DatastoreUnknown: true}},
		{"backup nas", BackupCreateParams{VM: "a", To: "nas"}, ops.Changes{VMs: []string{"a"}}},
		{"restore new", BackupRestoreParams{ID: "x", AsNew: "n", Datastore: "d"}, ops.Changes{VMs: []string{"n"}, Datastores: []string{"d"}}},
		{"restore replace", BackupRestoreParams{ID: "x", Replace: true, Datastore: "d", original: "old"}, ops.Changes{VMs: []string{"old"}, Datastores: []string{"d"}}},
		{"restore replace unknown", BackupRestoreParams{ID: "x", Replace: true}, ops.Changes{VMPatterns: []string{"*"}, DatastoreUnknown: true}},
		{"verify", BackupVerifyParams{All: true}, ops.Changes{}},
		{"delete backup", BackupDeleteParams{ID: "x"}, ops.Changes{}},
		{"prune", BackupPruneParams{}, ops.Changes{}},
		{"clean", BackupCleanParams{}, ops.Changes{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.changes(&cfg); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestIdempotent(t *testing.T) {
	want := map[string]bool{
		"vm.list": true, "vm.info": true, "backup.list": true, "cloudinit.render": true, "config.validate": true,
		"vm.delete": true, "backup.verify": true, "backup.clean": true,
		"vm.create": false, "vm.clone": false, "vm.power": false, "backup.create": false,
		"backup.restore": false, "backup.delete": true, "backup.prune": false,
	}
	for _, d := range Catalog() {
		w, ok := want[d.Name()]
		if !ok {
			t.Errorf("%s: say whether it is idempotent", d.Name())
			continue
		}
		if got := Idempotent(d); got != w {
			t.Errorf("Idempotent(%s) = %v, want %v", d.Name(), got, w)
		}
	}
}

package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
)

// backupJSON runs `backup create ARGS --json` and returns the entry.
func backupJSON(t *testing.T, e *env, args ...string) entryWithTarget {
	t.Helper()
	code, out, stderr := e.run(t, append(append([]string{"backup", "create"}, args...), "--json")...)
	if code != 0 {
		t.Fatalf("backup create %v: exit %d %s", args, code, stderr)
	}
	var got entryWithTarget
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("entry %q: %v", out, err)
	}
	return got
}

type entryWithTarget struct {
	entry
	Target string `json:"target"`
}

// TestBuiltinTargetsWithoutConfiguration: with no configuration file at
// all, --target datastore stores the backup in ceso-backups/ of the VM's
// own datastore and --target local under the state directory; both then
// verify, restore and delete.
func TestBuiltinTargetsWithoutConfiguration(t *testing.T) {
	e := newEnv(t, esxisim.Options{TemplateDiskSize: 2 << 20})
	if code, _, stderr := e.run(t, "vm", "create", "web01", "--dhcp"); code != 0 {
		t.Fatalf("create: %s", stderr)
	}
	ds := backupJSON(t, e, "web01", "--target", "datastore")
	if ds.Target != "datastore:"+e.sim.Datastore() || !strings.HasPrefix(ds.Location, "["+e.sim.Datastore()+"] ceso-backups/web01/") {
		t.Fatalf("datastore backup: target %q location %q", ds.Target, ds.Location)
	}
	_, rel, _ := strings.Cut(ds.Location, "] ")
	files, _ := filepath.Glob(filepath.Join(e.sim.DatastoreDir(), rel, "*"))
	if len(files) < 4 {
		t.Fatalf("files on the datastore under %s: %v", rel, files)
	}
	local := backupJSON(t, e, "web01", "--target", "local")
	if local.Target != "local" || !strings.HasPrefix(local.Location, filepath.Join(e.vars["HOME"], ".local", "share", "ceso", "backups")) {
		t.Fatalf("local backup: target %q location %q", local.Target, local.Location)
	}
	for _, id := range []string{ds.ID, local.ID} {
		if code, _, stderr := e.run(t, "backup", "verify", id); code != 0 {
			t.Fatalf("verify %s: exit %d %s", id, code, stderr)
		}
	}
	if code, _, stderr := e.run(t, "backup", "restore", ds.ID, "--as-new", "web01-r"); code != 0 {
		t.Fatalf("restore from the datastore: exit %d %s", code, stderr)
	}
	if code, _, stderr := e.run(t, "backup", "delete", ds.ID, "--yes"); code != 0 {
		t.Fatalf("delete: exit %d %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(e.sim.DatastoreDir(), rel)); !os.IsNotExist(err) {
		t.Fatalf("the deleted backup's folder is still on the datastore: %v", err)
	}
	if code, _, stderr := e.run(t, "backup", "create", "web01", "--target", "nas"); code != cmdutil.ExitConfig || !strings.Contains(stderr, `"nas"`) {
		t.Fatalf("unknown target: exit %d %s", code, stderr)
	}
}

// TestBriefConfigBlock: the project brief's configuration block, as
// written (but for the audit log's directory), validates; a backup goes to
// the VM's datastore by default; the audit log is where it says.
func TestBriefConfigBlock(t *testing.T) {
	e := newEnv(t, esxisim.Options{TemplateDiskSize: 2 << 20})
	audit := filepath.Join(t.TempDir(), "log", "audit.json")
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	block := `backup:
  default_target: datastore
  compression: zstd
  retention: {keep_last: 5, keep_daily: 7, keep_weekly: 4, keep_monthly: 12}
metrics: {enabled: true, port: 9090, path: /metrics}
security:
  mode: standard
  audit_log: ` + audit + `
  ip_allowlist: [192.168.1.0/24, 10.0.0.0/8]
`
	if err := os.WriteFile(cfg, []byte(block), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(audit), 0o700); err != nil {
		t.Fatal(err)
	}
	e.vars["CESO_CONFIG"] = cfg
	if code, out, stderr := e.run(t, "config", "validate"); code != 0 {
		t.Fatalf("validate: exit %d %s %s", code, out, stderr)
	}
	if code, _, stderr := e.run(t, "vm", "create", "web01", "--dhcp"); code != 0 {
		t.Fatalf("create: %s", stderr)
	}
	got := backupJSON(t, e, "web01")
	if got.Target != "datastore:"+e.sim.Datastore() || !strings.Contains(got.Location, "ceso-backups/web01/") {
		t.Fatalf("default target: %q at %q", got.Target, got.Location)
	}
	data, err := os.ReadFile(audit)
	if err != nil || !strings.Contains(string(data), `"backup.create"`) {
		t.Fatalf("audit log at security.audit_log: %v\n%s", err, data)
	}
	if _, err := os.Stat(filepath.Join(e.vars["HOME"], ".local", "share", "ceso", "audit.log")); !os.IsNotExist(err) {
		t.Fatalf("the default audit log was written too: %v", err)
	}
	// standard mode: a destructive operation that was not confirmed (a
	// hard power-off asks nothing) is refused; vm delete --yes confirms.
	if code, _, stderr := e.run(t, "vm", "power", "off", "web01"); code != cmdutil.ExitRefused {
		t.Fatalf("standard mode let vm power off run: exit %d %s", code, stderr)
	}
}

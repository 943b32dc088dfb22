package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
)

func TestVersion(t *testing.T) {
	e := &env{vars: map[string]string{"HOME": t.TempDir()}}
	want := cmdutil.ReadBuild()
	code, out, _ := e.run(t, "--version")
	if code != 0 || strings.Count(out, "\n") != 1 || !strings.HasPrefix(out, "ceso "+want.Version+" (") || !strings.Contains(out, "govmomi ") {
		t.Fatalf("--version: exit %d %q", code, out)
	}
	code, out, _ = e.run(t, "version", "--json")
	var got map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &got) != nil {
		t.Fatalf("version --json: exit %d %s", code, out)
	}
	for _, k := range []string{"version", "commit", "date", "modified", "go", "govmomi", "platform"} {
		if _, ok := got[k]; !ok {
			t.Errorf("version --json lacks %q: %s", k, out)
		}
	}
	if got["version"] != want.Version {
		t.Errorf("version --json: %s", out)
	}
}

// TestBackupsRecordTheVersion: a backup records the binary's version.
func TestBackupsRecordTheVersion(t *testing.T) {
	e := newEnv(t, esxisim.Options{TemplateDiskSize: 1 << 20})
	if code, _, stderr := e.run(t, "vm", "create", "web01", "--dhcp"); code != 0 {
		t.Fatalf("create: %s", stderr)
	}
	code, out, stderr := e.run(t, "backup", "create", "web01", "--json")
	var entry struct {
		Metadata map[string]string `json:"metadata"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &entry) != nil {
		t.Fatalf("backup: exit %d %s", code, stderr)
	}
	if v := entry.Metadata["ceso_version"]; v != cmdutil.ReadBuild().Version || v == "dev" {
		t.Fatalf("recorded version %q, want %q", v, cmdutil.ReadBuild().Version)
	}
}

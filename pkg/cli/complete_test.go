package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/esxi/esxisim"
)

// complete runs cobra's completion entry point and returns the candidates
// (descriptions dropped).
func complete(t *testing.T, e *env, args ...string) []string {
	t.Helper()
	code, out, stderr := e.run(t, append([]string{"__complete"}, args...)...)
	if code != 0 {
		t.Fatalf("__complete %v: exit %d %s", args, code, stderr)
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" || strings.HasPrefix(line, ":") {
			continue
		}
		name, _, _ := strings.Cut(line, "\t")
		got = append(got, name)
	}
	return got
}

func TestCompletion(t *testing.T) {
	e := newEnv(t, esxisim.Options{ExtraVMs: 2, TemplateDiskSize: 1 << 20})
	audit := filepath.Join(e.vars["HOME"], ".local", "share", "ceso", "audit.log")

	// No cached session: nothing is completed and nothing logs in.
	if got := complete(t, e, "vm", "info", ""); len(got) != 0 {
		t.Fatalf("completion without a cached session: %v", got)
	}
	if _, err := os.Stat(filepath.Join(e.vars["HOME"], ".local", "share", "ceso", "sessions")); !os.IsNotExist(err) {
		t.Fatalf("completion logged in and cached a session: %v", err)
	}
	if got := complete(t, e, "vm", "power", ""); strings.Join(got, " ") != "on off shutdown reset suspend" {
		t.Fatalf("power actions: %v", got)
	}
	if got := complete(t, e, "vm", "power", "s"); strings.Join(got, " ") != "shutdown suspend" {
		t.Fatalf("power actions s: %v", got)
	}

	if code, _, stderr := e.run(t, "vm", "create", "web01", "--dhcp"); code != 0 { // logs in, caches the session
		t.Fatalf("create: %s", stderr)
	}
	id := backupJSON(t, e, "web01").ID
	before, _ := os.ReadFile(audit)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"vm", "info", ""}, "ubuntu-24.04-template vm-0001 vm-0002 web01"},
		{[]string{"vm", "delete", "w"}, "web01"},
		{[]string{"vm", "delete", ""}, "vm-0001 vm-0002 web01"},
		{[]string{"vm", "power", "on", "vm-0001", "vm"}, "vm-0001 vm-0002"},
		{[]string{"vm", "create", "x", "--template", ""}, "ubuntu-24.04-template"},
		{[]string{"vm", "clone", "web01", ""}, ""},
		{[]string{"backup", "create", "web"}, "web01"},
		{[]string{"backup", "restore", ""}, id},
		{[]string{"backup", "list", "--vm", ""}, "web01"},
		{[]string{"backup", "create", "web01", "--target", ""}, "datastore local"},
	}
	for _, tt := range tests {
		if got := strings.Join(complete(t, e, tt.args...), " "); got != tt.want {
			t.Errorf("complete %v = %q, want %q", tt.args, got, tt.want)
		}
	}
	if after, _ := os.ReadFile(audit); string(after) != string(before) {
		t.Errorf("completion wrote to the audit log:\n%s", strings.TrimPrefix(string(after), string(before)))
	}
	// A wrong password is not used with the cached session: nothing.
	e.vars["ESXI_PASSWORD"] = "wrong"
	if got := complete(t, e, "vm", "info", ""); len(got) != 0 {
		t.Fatalf("completion with a wrong password: %v", got)
	}
}

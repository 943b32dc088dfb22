package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigShowShowsWhatIsInEffect: config show fills in the defaults
// decided late (session cache, catalog, audit log, known_hosts) instead of
// null and empty strings.
func TestConfigShowShowsWhatIsInEffect(t *testing.T) {
	home := t.TempDir()
	e := &env{vars: map[string]string{"HOME": home}}
	state := filepath.Join(home, ".local", "share", "ceso")
	code, out, stderr := e.run(t, "config", "show")
	if code != 0 {
		t.Fatalf("exit %d %s", code, stderr)
	}
	for _, want := range []string{
		"session_cache: true",
		"catalog: " + filepath.Join(state, "catalog.db"),
		"audit_log: " + filepath.Join(state, "audit.log"),
		"known_hosts: " + filepath.Join(home, ".config", "ceso", "known_hosts"),
		"# session cache: " + filepath.Join(state, "sessions"),
		"state_dir: " + state,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("config show lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "null") {
		t.Errorf("config show prints null:\n%s", out)
	}
	code, out, _ = e.run(t, "--no-session-cache", "config", "show", "--json")
	var m struct {
		ESXi     map[string]any    `json:"esxi"`
		Security map[string]any    `json:"security"`
		Paths    map[string]string `json:"paths"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &m) != nil {
		t.Fatalf("json: exit %d %s", code, out)
	}
	if m.ESXi["session_cache"] != false || m.Security["audit_log"] != filepath.Join(state, "audit.log") ||
		m.Paths["sessions"] != filepath.Join(state, "sessions") || m.Paths["known_hosts"] == "" {
		t.Errorf("config show --json: %s", out)
	}
}

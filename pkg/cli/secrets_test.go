package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
)

// TestWrongPasswordIsNoticedWithACachedSession: a cached session is not
// used with another ESXI_PASSWORD than the one it was made with.
func TestWrongPasswordIsNoticedWithACachedSession(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	if code, _, stderr := e.run(t, "vm", "list"); code != 0 {
		t.Fatalf("list: %s", stderr)
	}
	good := e.vars["ESXI_PASSWORD"]
	e.vars["ESXI_PASSWORD"] = "wrong-" + good
	if code, _, stderr := e.run(t, "vm", "list"); code != cmdutil.ExitConnection || !strings.Contains(stderr, "refused the user name or password") {
		t.Fatalf("wrong password with a cached session: exit %d %s", code, stderr)
	}
	// The same password from a file named by ESXI_PASSWORD_FILE reuses it.
	pw := filepath.Join(t.TempDir(), "esxi.password")
	if err := os.WriteFile(pw, []byte(good+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	delete(e.vars, "ESXI_PASSWORD")
	e.vars["ESXI_PASSWORD_FILE"] = pw
	if code, _, stderr := e.run(t, "vm", "list", "--log-level", "debug"); code != 0 || !strings.Contains(stderr, "reusing cached session") {
		t.Fatalf("ESXI_PASSWORD_FILE: exit %d %s", code, stderr)
	}
}

// TestPasswordCommandRunsOnlyToLogIn: a password_command is run for a
// login, not to reuse the cached session.
func TestPasswordCommandRunsOnlyToLogIn(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	dir := t.TempDir()
	marker := filepath.Join(dir, "ran")
	cfg := filepath.Join(dir, "config.yaml")
	yaml := "esxi:\n  password_command: \"touch " + marker + "; echo " + e.vars["ESXI_PASSWORD"] + "\"\n"
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	delete(e.vars, "ESXI_PASSWORD")
	e.vars["CESO_CONFIG"] = cfg
	if code, _, stderr := e.run(t, "vm", "list"); code != 0 {
		t.Fatalf("first list: exit %d %s", code, stderr)
	}
	if _, err := os.Stat(marker); err != nil {
		t.Fatalf("the command did not run for the login: %v", err)
	}
	_ = os.Remove(marker)
	if code, _, stderr := e.run(t, "vm", "list"); code != 0 {
		t.Fatalf("second list: exit %d %s", code, stderr)
	}
	if _, err := os.Stat(marker); !os.IsNotExist(err) {
		t.Fatal("the password command ran although the cached session was reused")
	}
}

// TestConfigFileWithPasswordReadableByOthers is refused with the remedy.
func TestConfigFileWithPasswordReadableByOthers(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte("esxi:\n  host: h\n  password: hunter2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e := &env{vars: map[string]string{"HOME": dir}}
	code, _, stderr := e.run(t, "--config", cfg, "config", "validate")
	if code != cmdutil.ExitConfig || !strings.Contains(stderr, "chmod 600 "+cfg) || strings.Contains(stderr, "hunter2") {
		t.Fatalf("exit %d %s", code, stderr)
	}
}

// TestValidateSecretsNeedsAPassword: config validate --secrets fails when
// no source gives the ESXi password (a file nothing names is not read).
func TestValidateSecretsNeedsAPassword(t *testing.T) {
	home := t.TempDir()
	pw := filepath.Join(home, ".config", "ceso", "esxi.password")
	if err := os.MkdirAll(filepath.Dir(pw), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pw, []byte("hunter2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e := &env{vars: map[string]string{"HOME": home, "ESXI_HOST": "esxi01.lab.example"}}
	code, _, stderr := e.run(t, "config", "validate", "--secrets")
	if code != cmdutil.ExitConfig || !strings.Contains(stderr, "ESXI_PASSWORD_FILE") {
		t.Fatalf("no password source: exit %d %s", code, stderr)
	}
	e.vars["ESXI_PASSWORD_FILE"] = pw
	if code, out, stderr := e.run(t, "config", "validate", "--secrets"); code != 0 || !strings.Contains(out, "configuration OK") {
		t.Fatalf("with ESXI_PASSWORD_FILE: exit %d %s %s", code, out, stderr)
	}
}

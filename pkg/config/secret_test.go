package config

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
)

// TestFailingPasswordCommand: the error shows the exit status and at most
// a scrubbed first line of the command's error output, never the rest of
// it, never its standard output.
func TestFailingPasswordCommand(t *testing.T) {
	tests := []struct {
		name    string
		command string
		want    []string
		never   []string
	}{
		{"status and first line", "echo 'vault sealed' >&2; echo 'token s.XyZ123secret' >&2; exit 3",
			[]string{"exit status 3", `"vault sealed"`}, []string{"s.XyZ123secret", "token"}},
		{"stdout masked in stderr", "echo hunter2-from-stdout; echo 'bad password hunter2-from-stdout' >&2; exit 1",
			[]string{"exit status 1", "bad password ********"}, []string{"hunter2-from-stdout"}},
		{"long line cut", "printf '%0300d\\n' 7 >&2; exit 2", []string{"exit status 2", "…"}, []string{strings.Repeat("0", 81)}},
		{"control characters dropped", "printf 'a\\033[31mb\\n' >&2; exit 4", []string{"exit status 4", `"a[31mb"`}, []string{"\033"}},
		{"silent failure", "exit 5", []string{"exit status 5"}, []string{"error output"}},
		{"signal", "kill -9 $$", []string{"killed by signal 9"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ESXi{PasswordCommand: tt.command}.ResolvePassword(context.Background())
			if err == nil || !errors.Is(err, ErrSecret) {
				t.Fatalf("error %v, want ErrSecret", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			for _, n := range tt.never {
				if strings.Contains(err.Error(), n) {
					t.Errorf("error %q shows %q", err, n)
				}
			}
		})
	}
}

// TestConfigFileWithPasswordMustBePrivate: a configuration file holding
// esxi.password is refused when group or others can read it.
func TestConfigFileWithPasswordMustBePrivate(t *testing.T) {
	env := MapEnv(map[string]string{"HOME": t.TempDir()})
	loose := writeFile(t, "config.yaml", "esxi:\n  host: h\n  password: hunter2\n", 0o640)
	_, err := Load(loose, env)
	if err == nil || !errors.Is(err, ErrSecret) || !strings.Contains(err.Error(), "chmod 600 "+loose) || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("loose file with a password: %v", err)
	}
	if err := os.Chmod(loose, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(loose, env); err != nil {
		t.Fatalf("private file: %v", err)
	}
	if _, err := Load(writeFile(t, "config.yaml", "esxi:\n  host: h\n  password_file: /x\n", 0o644), env); err != nil {
		t.Fatalf("a readable file without a password is fine: %v", err)
	}
}

func TestPasswordFileFromEnvironment(t *testing.T) {
	pw := writeFile(t, "pw", "from-env-file\n", 0o600)
	file := writeFile(t, "config.yaml", "esxi:\n  host: h\n  password_command: 'echo from-command'\n", 0o600)
	cfg, err := Load(file, MapEnv(map[string]string{"ESXI_PASSWORD_FILE": pw}))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(true); err != nil {
		t.Fatal(err)
	}
	if got, err := cfg.ESXi.ResolvePassword(context.Background()); err != nil || got != "from-env-file" {
		t.Fatalf("password %q, %v; want the ESXI_PASSWORD_FILE's", got, err)
	}
	_, err = Load(file, MapEnv(map[string]string{"ESXI_PASSWORD_FILE": pw, "ESXI_PASSWORD": "x"}))
	if err == nil || !strings.Contains(err.Error(), "both set") {
		t.Fatalf("both variables: %v", err)
	}
}

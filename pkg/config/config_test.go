package config

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeFile(t *testing.T, name, content string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // substrings of the error
	}{
		{"bad yaml", "esxi:\n  host: [unclosed\n", []string{"config.yaml", "yaml: line"}},
		{"unknown key", "esxi:\n  host: h\n  hots: x\n", []string{"config.yaml:3:", "esxi.hots", "unknown key"}},
		{"unknown key suggestion", "esxi:\n  pool-size: 3\n", []string{"config.yaml:2:", "esxi.pool-size", `did you mean "pool_size"`}},
		{"unknown section", "esx:\n  host: h\n", []string{"config.yaml:1:", "esx", "unknown key"}},
		{"bad int", "esxi:\n  pool_size: many\n", []string{"config.yaml:2:", "esxi.pool_size", "whole number", `"many"`}},
		{"bad bool", "esxi:\n  insecure: perhaps\n", []string{"config.yaml:2:", "esxi.insecure", "true or false"}},
		{"bad duration", "esxi:\n  timeout: 10 minutes\n", []string{"config.yaml:2:", "esxi.timeout", "duration"}},
		{"string for section", "backup: yes\n", []string{"config.yaml:1:", "backup", "mapping"}},
		{"list expected", "security:\n  ip_allowlist: 10.0.0.1\n", []string{"config.yaml:2:", "security.ip_allowlist", "list"}},
		{"map for string", "esxi:\n  host: {a: b}\n", []string{"config.yaml:2:", "esxi.host", "string"}},
		{"bad target field", "backup:\n  targets:\n    - name: a\n      kind: local\n", []string{"config.yaml:4:", "backup.targets[0].kind"}},
		{"duplicate key", "esxi:\n  host: a\n  host: b\n", []string{"config.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "config.yaml")
			if err := os.WriteFile(p, []byte(tt.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Load(p, MapEnv(nil))
			if err == nil {
				t.Fatal("expected an error")
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestLoadPrecedence(t *testing.T) {
	p := writeFile(t, "config.yaml", `
esxi:
  host: file-host
  user: file-user
  password_file: /nonexistent
  thumbprint: "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD"
  timeout: 90s
  pool_size: 8
  session_cache: false
backup:
  targets:
    - name: nas
      type: local
      path: /mnt/nas
  default_target: nas
`, 0o600)
	env := MapEnv(map[string]string{"ESXI_HOST": "env-host", "ESXI_PASSWORD": "s3cret", "ESXI_INSECURE": "true", "HOME": t.TempDir()})
	cfg, err := Load(p, env)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Source != p {
		t.Errorf("Source = %q", cfg.Source)
	}
	if cfg.ESXi.Host != "env-host" || cfg.ESXi.User != "file-user" {
		t.Errorf("host/user = %q/%q, want env over file", cfg.ESXi.Host, cfg.ESXi.User)
	}
	if cfg.ESXi.Password != "s3cret" || cfg.ESXi.PasswordFile != "" {
		t.Errorf("ESXI_PASSWORD must replace the file source, got %+v", cfg.ESXi)
	}
	if !cfg.ESXi.Insecure || cfg.ESXi.Timeout != 90*time.Second || cfg.ESXi.PoolSize != 8 || cfg.ESXi.SessionCacheEnabled() {
		t.Errorf("unexpected values %+v", cfg.ESXi)
	}
	if cfg.ESXi.Transport != TransportAuto || cfg.Backup.Retention.KeepDaily != 7 {
		t.Error("defaults lost for keys not in the file")
	}
	if err := cfg.Validate(true); err != nil {
		t.Fatal(err)
	}
}

func TestLoadMissingFile(t *testing.T) {
	home := t.TempDir()
	cfg, err := Load("", MapEnv(map[string]string{"HOME": home}))
	if err != nil {
		t.Fatalf("a missing default file is not an error: %v", err)
	}
	if cfg.Source != "" || cfg.StateDir != filepath.Join(home, ".local", "share", "ceso") {
		t.Errorf("source %q state %q", cfg.Source, cfg.StateDir)
	}
	if _, err := Load(filepath.Join(home, "nope.yaml"), MapEnv(nil)); err == nil {
		t.Error("an explicit missing file must be an error")
	}
	if _, err := Load("", MapEnv(map[string]string{"CESO_CONFIG": filepath.Join(home, "nope.yaml")})); err == nil {
		t.Error("a missing CESO_CONFIG file must be an error")
	}
	if err := cfg.Validate(true); !errors.Is(err, ErrNoHost) {
		t.Errorf("Validate(needHost) = %v, want ErrNoHost", err)
	}
	if err := cfg.Validate(false); err != nil {
		t.Errorf("Validate(false) = %v", err)
	}
}

func TestPath(t *testing.T) {
	tests := []struct {
		explicit string
		env      map[string]string
		want     string
		required bool
	}{
		{"/a.yaml", map[string]string{"CESO_CONFIG": "/b.yaml"}, "/a.yaml", true},
		{"", map[string]string{"CESO_CONFIG": "/b.yaml", "HOME": "/h"}, "/b.yaml", true},
		{"", map[string]string{"XDG_CONFIG_HOME": "/x", "HOME": "/h"}, "/x/ceso/config.yaml", false},
		{"", map[string]string{"HOME": "/h"}, "/h/.config/ceso/config.yaml", false},
		{"", nil, "", false},
	}
	for _, tt := range tests {
		got, req := Path(tt.explicit, MapEnv(tt.env))
		if got != tt.want || req != tt.required {
			t.Errorf("Path(%q, %v) = %q, %v; want %q, %v", tt.explicit, tt.env, got, req, tt.want, tt.required)
		}
	}
}

func TestBadEnv(t *testing.T) {
	_, err := Load("", MapEnv(map[string]string{"ESXI_INSECURE": "maybe"}))
	if err == nil || !strings.Contains(err.Error(), "ESXI_INSECURE") {
		t.Fatalf("got %v", err)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Config)
		want   string
	}{
		{"ok", func(*Config) {}, ""},
		{"bad thumbprint", func(c *Config) { c.ESXi.Thumbprint = "abc" }, "esxi.thumbprint"},
		{"sha256 thumbprint", func(c *Config) {
			c.ESXi.Thumbprint = strings.TrimSuffix(strings.Repeat("ab:", 32), ":")
		}, ""},
		{"two password sources", func(c *Config) { c.ESXi.Password, c.ESXi.PasswordFile = "x", "/f" }, "esxi.password"},
		{"bad transport", func(c *Config) { c.ESXi.Transport = "telnet" }, "esxi.transport"},
		{"bad pool", func(c *Config) { c.ESXi.PoolSize = 0 }, "esxi.pool_size"},
		{"bad timeout", func(c *Config) { c.ESXi.Timeout = 0 }, "esxi.timeout"},
		{"host with path", func(c *Config) { c.ESXi.Host = "https://h/sdk" }, "esxi.host"},
		{"ssh port", func(c *Config) { c.SSH.Port = 0 }, "ssh.port"},
		{"ssh two sources", func(c *Config) { c.SSH.PasswordFile, c.SSH.PasswordCommand = "a", "b" }, "ssh.password_file"},
		{"target without name", func(c *Config) { c.Backup.Targets = []Target{{Type: "local", Path: "/x"}} }, "targets[0].name"},
		{"target twice", func(c *Config) {
			c.Backup.Targets = []Target{{Name: "local", Type: "local", Path: "/x"}, {Name: "local", Type: "local", Path: "/y"}}
		}, "defined twice"},
		{"target bad type", func(c *Config) { c.Backup.Targets = []Target{{Name: "a", Type: "s3"}} }, "targets[0].type"},
		{"local without path", func(c *Config) { c.Backup.Targets = []Target{{Name: "local", Type: "local"}} }, "targets[0].path"},
		{"datastore without name", func(c *Config) { c.Backup.Targets = []Target{{Name: "local", Type: "datastore"}} }, "targets[0].datastore"},
		{"unknown default target", func(c *Config) {
			c.Backup.Targets, c.Backup.DefaultTarget = []Target{{Name: "nas", Type: "local", Path: "/x"}}, "usb"
		}, "default_target"},
		{"bad compression", func(c *Config) { c.Backup.Compression.Algorithm = "gzip" }, "compression.algorithm"},
		{"bad level", func(c *Config) { c.Backup.Compression.Level = 30 }, "compression.level"},
		{"bad workers", func(c *Config) { c.Backup.Compression.Workers = 0 }, "compression.workers"},
		{"negative keep", func(c *Config) { c.Backup.Retention.KeepWeekly = -1 }, "keep_weekly"},
		{"keep nothing", func(c *Config) { c.Backup.Retention = Retention{} }, "keeps nothing"},
		{"metrics port", func(c *Config) { c.Metrics.Port = 70000 }, "metrics.port"},
		{"metrics path", func(c *Config) { c.Metrics.Path = "metrics" }, "metrics.path"},
		{"metrics listen", func(c *Config) { c.Metrics.Listen = "everywhere" }, "metrics.listen"},
		{"mode", func(c *Config) { c.Security.Mode = "yolo" }, "security.mode"},
		{"allowlist", func(c *Config) { c.Security.IPAllowlist = []string{"10.0.0.0/8", "nope"} }, "ip_allowlist[1]"},
		{"log level", func(c *Config) { c.Log.Level = "loud" }, "log.level"},
		{"log format", func(c *Config) { c.Log.Format = "xml" }, "log.format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			c.ESXi.Host = "esxi01"
			tt.modify(&c)
			err := c.Validate(true)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v, want one naming %q", err, tt.want)
			}
		})
	}
}

func TestResolvePassword(t *testing.T) {
	ctx := context.Background()
	good := writeFile(t, "pw", "hunter2\n", 0o600)
	loose := writeFile(t, "loose", "hunter2\n", 0o644)
	empty := writeFile(t, "empty", "\n", 0o600)
	tests := []struct {
		name    string
		esxi    ESXi
		want    string
		wantErr string
	}{
		{"value", ESXi{Password: "v"}, "v", ""},
		{"none", ESXi{}, "", ""},
		{"file", ESXi{PasswordFile: good}, "hunter2", ""},
		{"loose file", ESXi{PasswordFile: loose}, "", "readable by group or others"},
		{"missing file", ESXi{PasswordFile: filepath.Join(t.TempDir(), "nope")}, "", "no such file"},
		{"empty file", ESXi{PasswordFile: empty}, "", "is empty"},
		{"command", ESXi{PasswordCommand: "printf 'pw-from-cmd\\nsecond line'"}, "pw-from-cmd", ""},
		{"failing command", ESXi{PasswordCommand: "echo vault sealed >&2; exit 3"}, "", "vault sealed"},
		{"silent command", ESXi{PasswordCommand: "true"}, "", "printed nothing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.esxi.ResolvePassword(ctx)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrSecret) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "hunter2") {
					t.Fatal("secret leaked into the error")
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	if pw, err := (SSH{PasswordFile: good}).ResolvePassword(ctx); err != nil || pw != "hunter2" {
		t.Fatalf("ssh password %q %v", pw, err)
	}
}

func TestShowMasksAndRoundTrips(t *testing.T) {
	c := Default()
	c.ESXi.Host = "esxi01"
	c.ESXi.Password = "hunter2"
	c.Backup.Targets = []Target{{Name: "local", Type: "local", Path: "/srv/b"}}
	out, err := c.Masked().YAML()
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	if strings.Contains(s, "hunter2") || !strings.Contains(s, "password: '********'") {
		t.Fatalf("secret not masked:\n%s", s)
	}
	if !strings.Contains(s, "timeout: 10m0s") {
		t.Errorf("duration not human readable:\n%s", s)
	}
	back := Default()
	if err := Parse("shown.yaml", out, &back); err != nil {
		t.Fatalf("shown config does not parse back: %v\n%s", err, s)
	}
	if back.ESXi.Host != "esxi01" || back.Backup.Targets[0].Path != "/srv/b" || back.ESXi.Timeout != 10*time.Minute {
		t.Errorf("round trip lost values: %+v", back)
	}
}

func TestExampleConfigIsValid(t *testing.T) {
	data, err := os.ReadFile("../../config-example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c := Default()
	if err := Parse("config-example.yaml", data, &c); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(true); err != nil {
		t.Fatal(err)
	}
}

func TestEmptyFile(t *testing.T) {
	c := Default()
	if err := Parse("empty.yaml", []byte(""), &c); err != nil {
		t.Fatal(err)
	}
	if err := Parse("comment.yaml", []byte("# nothing\n"), &c); err != nil {
		t.Fatal(err)
	}
}

package config

import (
	"context"
	"strings"
	"testing"
)

// TestSSHEnvironment: the ESXI_SSH_* variables fill the ssh section over
// the file, as the ESXI_* ones fill esxi; a password from the environment
// replaces the file's password source and is masked when shown.
func TestSSHEnvironment(t *testing.T) {
	p := writeFile(t, "config.yaml", `
ssh:
  port: 2222
  user: file-user
  password_file: /nonexistent
  known_hosts: /etc/file-known-hosts
`, 0o600)
	tests := []struct {
		name                 string
		env                  map[string]string
		port                 int
		user, pw, known, err string
	}{
		{name: "file only", port: 2222, user: "file-user", known: "/etc/file-known-hosts"},
		{name: "environment", env: map[string]string{
			"ESXI_SSH_PORT": "40022", "ESXI_SSH_USER": "root", "ESXI_SSH_PASSWORD": "ssh-pw", "ESXI_SSH_KNOWN_HOSTS": "/tmp/kh",
		}, port: 40022, user: "root", pw: "ssh-pw", known: "/tmp/kh"},
		{name: "bad port", env: map[string]string{"ESXI_SSH_PORT": "70000"}, err: "ESXI_SSH_PORT"},
		{name: "not a port", env: map[string]string{"ESXI_SSH_PORT": "ssh"}, err: "ESXI_SSH_PORT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"HOME": t.TempDir()}
			for k, v := range tt.env {
				env[k] = v
			}
			cfg, err := Load(p, MapEnv(env))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want one naming %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			s := cfg.SSH
			if s.Port != tt.port || s.User != tt.user || s.Password != tt.pw || s.KnownHosts != tt.known {
				t.Fatalf("ssh = %+v", s)
			}
			if tt.pw == "" {
				return
			}
			if s.PasswordFile != "" {
				t.Error("ESXI_SSH_PASSWORD must replace ssh.password_file")
			}
			if got, err := s.ResolvePassword(context.Background()); err != nil || got != tt.pw {
				t.Errorf("ResolvePassword = %q, %v", got, err)
			}
			if m := cfg.Masked(); m.SSH.Password == tt.pw {
				t.Error("the SSH password is shown")
			}
		})
	}
}

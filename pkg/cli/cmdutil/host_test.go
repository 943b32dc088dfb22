package cmdutil

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/esxi/ssh"
	"github.com/ceso/ceso/pkg/esxi/ssh/sshtest"
	"github.com/ceso/ceso/pkg/esxi/sshhost"
	"github.com/ceso/ceso/pkg/ops"
)

// hostFactory makes a factory whose configuration file holds yaml, with
// HOME in a temporary directory.
func hostFactory(t *testing.T, yaml string, env map[string]string) *Factory {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"HOME": dir, "ESXI_HOST": "esxi.example.net:8443", "ESXI_PASSWORD": "api-secret"}
	for k, v := range env {
		vars[k] = v
	}
	io, _, _, _ := Test()
	f := New(io, config.MapEnv(vars))
	f.Global.ConfigPath = path
	t.Cleanup(func() { _ = f.CloseSSH() })
	return f
}

func TestVMHostFollowsTheTransport(t *testing.T) {
	tests := []struct {
		yaml, flag string
		check      func(any) bool
	}{
		{"esxi:\n  transport: api\n", "", func(h any) bool { _, ok := h.(sshhost.APIOnly); return ok }},
		{"esxi:\n  transport: auto\n", "", func(h any) bool { _, ok := h.(*sshhost.FallbackHost); return ok }},
		{"{}\n", "", func(h any) bool { _, ok := h.(*sshhost.FallbackHost); return ok }},
		{"esxi:\n  transport: ssh\n", "", func(h any) bool { _, ok := h.(*sshhost.Host); return ok }},
		{"esxi:\n  transport: api\n", "ssh", func(h any) bool { _, ok := h.(*sshhost.Host); return ok }},
	}
	for _, tt := range tests {
		t.Run(tt.yaml+tt.flag, func(t *testing.T) {
			f := hostFactory(t, tt.yaml, nil)
			f.Global.Transport = tt.flag
			h, err := f.VMHost(context.Background(), nil)
			if err != nil || !tt.check(h) {
				t.Fatalf("VMHost = %T, %v", h, err)
			}
		})
	}
	f := hostFactory(t, "esxi:\n  transport: carrier-pigeon\n", nil)
	if _, err := f.VMHost(context.Background(), nil); !errors.Is(err, config.ErrInvalid) {
		t.Fatalf("bad transport: %v", err)
	}
}

func TestSSHConfig(t *testing.T) {
	pwFile := filepath.Join(t.TempDir(), "ssh-pw")
	if err := os.WriteFile(pwFile, []byte("ssh-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, yaml       string
		env              map[string]string
		accept           bool
		host, user, pass string
		key, known       string
	}{
		{name: "defaults: the ESXi host and root's password", yaml: "{}\n",
			host: "esxi.example.net:22", user: "root", pass: "api-secret", known: "HOME/.config/ceso/known_hosts"},
		{name: "port, user, password file, known_hosts", yaml: "ssh:\n  port: 2222\n  user: admin\n  password_file: " + pwFile + "\n  known_hosts: ~/kh\n",
			accept: true, host: "esxi.example.net:2222", user: "admin", pass: "ssh-secret", known: "HOME/kh"},
		{name: "key only", yaml: "ssh:\n  key_file: ~/.ssh/id_ed25519\n", host: "esxi.example.net:22", user: "root",
			key: "HOME/.ssh/id_ed25519", known: "HOME/.config/ceso/known_hosts"},
		{name: "another user gets no API password", yaml: "ssh:\n  user: admin\n  known_hosts: /etc/kh\n", host: "esxi.example.net:22", user: "admin", known: "/etc/kh"},
		{name: "IPv6 host", yaml: "{}\n", env: map[string]string{"ESXI_HOST": "[2001:db8::5]:443"},
			host: "[2001:db8::5]:22", user: "root", pass: "api-secret", known: "HOME/.config/ceso/known_hosts"},
		{name: "bare IPv6 host", yaml: "{}\n", env: map[string]string{"ESXI_HOST": "[2001:db8::5]"},
			host: "[2001:db8::5]:22", user: "root", pass: "api-secret", known: "HOME/.config/ceso/known_hosts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := hostFactory(t, tt.yaml, tt.env)
			f.Global.AcceptNewHostKey = tt.accept
			cfg, err := f.Config()
			if err != nil {
				t.Fatal(err)
			}
			sc, err := f.SSHConfig(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			home, _ := f.Env("HOME")
			fix := func(p string) string {
				if len(p) >= 4 && p[:4] == "HOME" {
					return home + p[4:]
				}
				return p
			}
			if sc.Host != tt.host || sc.User != tt.user || sc.Password != tt.pass || sc.KeyFile != fix(tt.key) ||
				sc.KnownHostsFile != fix(tt.known) || sc.AcceptNewHostKey != tt.accept {
				t.Fatalf("config %s %s key %q known %q accept %v (password set: %v)", sc.Host, sc.User, sc.KeyFile, sc.KnownHostsFile, sc.AcceptNewHostKey, sc.Password != "")
			}
		})
	}
	f := hostFactory(t, "ssh:\n  password_file: /nonexistent/pw\n", nil)
	cfg, _ := f.Config()
	if _, err := f.SSHConfig(context.Background(), cfg); !errors.Is(err, config.ErrSecret) {
		t.Fatalf("unreadable password file: %v", err)
	}
	f = hostFactory(t, "{}\n", map[string]string{"ESXI_HOST": ""})
	cfg, _ = f.Config()
	if _, err := f.SSHConfig(context.Background(), cfg); !errors.Is(err, config.ErrInvalid) {
		t.Fatalf("no host: %v", err)
	}
}

// TestDialSSHRecordsANewHostKeyOnlyWhenAsked dials the in-process SSH
// server: an unknown key is refused with its fingerprint, then recorded
// with --accept-new-host-key and a note saying so.
func TestDialSSHRecordsANewHostKeyOnlyWhenAsked(t *testing.T) {
	srv := sshtest.New(t, sshtest.Options{Password: "api-secret"})
	host, port, _ := net.SplitHostPort(srv.Addr())
	f := hostFactory(t, "ssh:\n  port: "+port+"\n", map[string]string{"ESXI_HOST": host})
	if _, err := f.dialSSH(context.Background()); !errors.Is(err, ssh.ErrUnknownHostKey) || !strings.Contains(err.Error(), "SHA256:") {
		t.Fatalf("unknown key: %v", err)
	}
	f.Global.AcceptNewHostKey = true
	var notes []string
	r := &ops.Runner{Sandbox: ops.ModeSandbox{Mode: "unrestricted"}}
	res, err := r.Do(context.Background(), &ops.Op{Name: "vm.create", Run: func(ctx context.Context) (any, error) {
		c, err := f.dialSSH(ctx)
		if err == nil {
			err = c.Close()
		}
		return nil, err
	}})
	if err != nil {
		t.Fatal(err)
	}
	notes = res.Notes
	home, _ := f.Env("HOME")
	known := filepath.Join(home, ".config", "ceso", "known_hosts")
	if len(notes) != 1 || !strings.Contains(notes[0], "recorded the SSH host key of "+srv.Addr()) || !strings.Contains(notes[0], known) {
		t.Fatalf("notes %q", notes)
	}
	// Known now: no flag needed, and nothing recorded again.
	f.Global.AcceptNewHostKey = false
	c, err := f.dialSSH(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	_ = c.Close()

	// VMHost shares one lazy connection per factory; CloseSSH ends it.
	h, err := f.VMHost(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := sshConns.Load(f); !ok || h == nil {
		t.Fatal("no connection registered for the factory")
	}
	if err := f.CloseSSH(); err != nil {
		t.Fatal(err)
	}
	if _, ok := sshConns.Load(f); ok {
		t.Fatal("CloseSSH left the connection registered")
	}
	if err := f.CloseSSH(); err != nil {
		t.Fatalf("second CloseSSH: %v", err)
	}
	bad := hostFactory(t, "ssh:\n  port: 0\n", nil)
	if _, err := bad.dialSSH(context.Background()); !errors.Is(err, config.ErrInvalid) {
		t.Fatalf("invalid config: %v", err)
	}
}

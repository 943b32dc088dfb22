package app

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/backup"
	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/esxi/ssh"
	"github.com/ceso/ceso/pkg/esxi/ssh/sshtest"
	"github.com/ceso/ceso/pkg/esxi/sshhost"
	"github.com/ceso/ceso/pkg/ops"
)

// testApp makes an App whose configuration file holds yaml, with HOME in a
// temporary directory.
func testApp(t *testing.T, yaml string, env map[string]string, accept bool) (*App, string) {
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
	cfg, err := config.Load(path, config.MapEnv(vars))
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(Options{Config: cfg, Env: config.MapEnv(vars), AcceptNewHostKey: accept})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close(context.Background()) })
	return a, dir
}

func TestVMHostFollowsTheTransport(t *testing.T) {
	tests := []struct {
		yaml  string
		check func(any) bool
	}{
		{"esxi:\n  transport: api\n", func(h any) bool { _, ok := h.(sshhost.APIOnly); return ok }},
		{"esxi:\n  transport: auto\n", func(h any) bool { _, ok := h.(*sshhost.FallbackHost); return ok }},
		{"{}\n", func(h any) bool { _, ok := h.(*sshhost.FallbackHost); return ok }},
		{"esxi:\n  transport: ssh\n", func(h any) bool { _, ok := h.(*sshhost.Host); return ok }},
	}
	for _, tt := range tests {
		a, _ := testApp(t, tt.yaml, nil, false)
		h, err := a.VMHost(nil)
		if err != nil || !tt.check(h) {
			t.Errorf("%q: VMHost = %T, %v", tt.yaml, h, err)
		}
	}
	a, _ := testApp(t, "{}\n", nil, false)
	a.cfg.ESXi.Transport = "carrier-pigeon"
	if _, err := a.VMHost(nil); !errors.Is(err, config.ErrInvalid) {
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
			a, home := testApp(t, tt.yaml, tt.env, tt.accept)
			sc, err := a.SSHConfig(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			fix := func(p string) string {
				if rest, ok := strings.CutPrefix(p, "HOME"); ok {
					return home + rest
				}
				return p
			}
			if sc.Host != tt.host || sc.User != tt.user || sc.Password != tt.pass || sc.KeyFile != fix(tt.key) ||
				sc.KnownHostsFile != fix(tt.known) || sc.AcceptNewHostKey != tt.accept {
				t.Fatalf("config %s %s key %q known %q accept %v (password set: %v)", sc.Host, sc.User, sc.KeyFile, sc.KnownHostsFile, sc.AcceptNewHostKey, sc.Password != "")
			}
		})
	}
	a, _ := testApp(t, "ssh:\n  password_file: /nonexistent/pw\n", nil, false)
	if _, err := a.SSHConfig(context.Background()); !errors.Is(err, config.ErrSecret) {
		t.Fatalf("unreadable password file: %v", err)
	}
	a, _ = testApp(t, "{}\n", map[string]string{"ESXI_HOST": ""}, false)
	if _, err := a.SSHConfig(context.Background()); !errors.Is(err, config.ErrInvalid) {
		t.Fatalf("no host: %v", err)
	}
}

// TestDialSSHRecordsANewHostKeyOnlyWhenAsked dials the in-process SSH
// server: an unknown key is refused with its fingerprint, then recorded
// with AcceptNewHostKey and a note saying so.
func TestDialSSHRecordsANewHostKeyOnlyWhenAsked(t *testing.T) {
	srv := sshtest.New(t, sshtest.Options{Password: "api-secret"})
	host, port, _ := net.SplitHostPort(srv.Addr())
	env := map[string]string{"ESXI_HOST": host}
	a, home := testApp(t, "ssh:\n  port: "+port+"\n", env, false)
	if _, err := a.dialSSH(context.Background()); !errors.Is(err, ssh.ErrUnknownHostKey) || !strings.Contains(err.Error(), "SHA256:") {
		t.Fatalf("unknown key: %v", err)
	}
	a.opts.AcceptNewHostKey = true
	r := &ops.Runner{Sandbox: ops.ModeSandbox{Mode: "unrestricted"}}
	res, err := r.Do(context.Background(), &ops.Op{Name: "vm.create", Run: func(ctx context.Context) (any, error) {
		c, err := a.dialSSH(ctx)
		if err == nil {
			err = c.Close()
		}
		return nil, err
	}})
	if err != nil {
		t.Fatal(err)
	}
	known := filepath.Join(home, ".config", "ceso", "known_hosts")
	if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "recorded the SSH host key of "+srv.Addr()) || !strings.Contains(res.Notes[0], known) {
		t.Fatalf("notes %q", res.Notes)
	}
	// Known now: nothing recorded again. The App's connection is one, made
	// lazily, and closed by Close.
	a.opts.AcceptNewHostKey = false
	if c, err := a.dialSSH(context.Background()); err != nil {
		t.Fatal(err)
	} else {
		_ = c.Close()
	}
	first := a.sshConn()
	if again := a.sshConn(); again != first {
		t.Fatal("two SSH connections for one App")
	}
	if err := a.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if a.ssh != nil {
		t.Fatal("Close left the SSH connection")
	}
	if err := a.Close(context.Background()); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestRunnerAndAuditor(t *testing.T) {
	a, _ := testApp(t, "security:\n  mode: standard\n", nil, false)
	r, err := a.Runner(Call{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Mode != "standard" || !strings.HasSuffix(r.Actor, OSActor()) || r.DryRun {
		t.Fatalf("runner %+v", r)
	}
	r, _ = a.Runner(Call{Mode: ops.ModeReadOnly, Actor: "agent:x", DryRun: true})
	if r.Mode != ops.ModeRestricted || r.Actor != "agent:x" || !r.DryRun {
		t.Fatalf("runner %+v", r)
	}
	// An audit log that cannot be opened refuses every operation.
	b, dir := testApp(t, "{}\n", nil, false)
	blocker := filepath.Join(dir, "blocker")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	b.cfg.Security.AuditLog = filepath.Join(blocker, "audit.log")
	if _, err := b.Runner(Call{}); !errors.Is(err, ops.ErrAudit) {
		t.Fatalf("unwritable audit log: %v", err)
	}
	if _, err := New(Options{}); !errors.Is(err, config.ErrInvalid) {
		t.Fatalf("no config: %v", err)
	}
}

// TestWithBackupCreatesNothingForAReads: a read makes no directory; a write
// makes the catalog's and the default target's.
func TestWithBackupCreatesNothingForAReads(t *testing.T) {
	a, _ := testApp(t, "{}\n", nil, false)
	state := a.cfg.StateDir
	list, err := WithBackup(context.Background(), a, false, false, func(d backup.Deps) (int, error) {
		l, err := d.Catalog.ListBackups("")
		return len(l), err
	})
	if err != nil || list != 0 {
		t.Fatalf("list %d %v", list, err)
	}
	if _, err := os.Stat(state); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a read made %s: %v", state, err)
	}
	if _, err := WithBackup(context.Background(), a, false, true, func(backup.Deps) (int, error) { return 0, nil }); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(filepath.Join(state, "backups")); err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("default target: %v %v", st, err)
	}
	targets, def := a.BackupTargets()
	if def != config.TargetDatastore || len(targets) != 1 || targets[0].Name != DefaultTargetName || targets[0].Type != "local" {
		t.Fatalf("targets %+v %s", targets, def)
	}
	if got := a.ExpandHome("/abs"); got != "/abs" {
		t.Fatal(got)
	}
}

package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/security"
)

func TestSecurityKeys(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want string // "" = valid
		// check, when set, looks at a valid configuration.
		check func(t *testing.T, c *Config)
	}{
		{name: "defaults", yaml: "{}\n", check: func(t *testing.T, c *Config) {
			s := c.Security
			if s.Mode != ModeUnrestricted || s.MaxPromotion != time.Hour || s.AuditMaxSizeBytes() != 0 || s.AllowedOpsList() != nil || s.Policy != nil {
				t.Fatalf("defaults %+v", s)
			}
			if got := c.SecurityStatePath(); got != filepath.Join(c.StateDir, "security.db") {
				t.Fatalf("state file %s", got)
			}
		}},
		{name: "restricted", yaml: "security:\n  mode: restricted\n"},
		{name: "read-only is restricted", yaml: "security:\n  mode: read-only\n", check: func(t *testing.T, c *Config) {
			if m, err := security.ParseMode(c.Security.ConfiguredMode()); err != nil || m != security.Restricted {
				t.Fatalf("mode %s %v", m, err)
			}
		}},
		{name: "bad mode", yaml: "security:\n  mode: yolo\n", want: "security.mode"},
		{name: "protected", yaml: "security:\n  protected:\n    vms: [prod-*, db01]\n    datastores: [vault]\n", check: func(t *testing.T, c *Config) {
			p := c.Security.ProtectedList()
			if len(p.VMs) != 2 || p.VMs[0] != "prod-*" || len(p.Datastores) != 1 || p.Datastores[0] != "vault" {
				t.Fatalf("protected %+v", p)
			}
		}},
		{name: "protected bad glob", yaml: "security:\n  protected:\n    vms: [ok, \"web[\"]\n", want: "security.protected.vms[1]"},
		{name: "protected empty datastore", yaml: "security:\n  protected:\n    datastores: [\"\"]\n", want: "security.protected.datastores[0]"},
		{name: "protected unknown key", yaml: "security:\n  protected:\n    hosts: [a]\n", want: "hosts"},
		{name: "sizes", yaml: "security:\n  audit_max_size: 100M\n  state_file: /var/lib/ceso/s.db\n", check: func(t *testing.T, c *Config) {
			if c.Security.AuditMaxSizeBytes() != 100<<20 || c.SecurityStatePath() != "/var/lib/ceso/s.db" {
				t.Fatalf("%+v", c.Security)
			}
		}},
		{name: "plain bytes", yaml: "security:\n  audit_max_size: 1048576\n", check: func(t *testing.T, c *Config) {
			if c.Security.AuditMaxSizeBytes() != 1<<20 {
				t.Fatal(c.Security.AuditMaxSize)
			}
		}},
		{name: "bad size", yaml: "security:\n  audit_max_size: lots\n", want: "security.audit_max_size"},
		{name: "no allowed_ops list", yaml: "security:\n  allowed_ops:\n", check: func(t *testing.T, c *Config) {
			if c.Security.AllowedOpsList() != nil {
				t.Fatal("a null list allows nothing")
			}
		}},
		{name: "empty allowed_ops", yaml: "security:\n  allowed_ops: []\n", check: func(t *testing.T, c *Config) {
			if l := c.Security.AllowedOpsList(); l == nil || len(l) != 0 {
				t.Fatalf("an empty list is %v", l)
			}
		}},
		{name: "allowed_ops", yaml: "security:\n  allowed_ops: [vm.list, vm.create]\n", check: func(t *testing.T, c *Config) {
			if l := c.Security.AllowedOpsList(); strings.Join(l, ",") != "vm.list,vm.create" {
				t.Fatalf("list %v", l)
			}
		}},
		{name: "bad allowed op", yaml: "security:\n  allowed_ops: [vm.list, 'vm.create,vm.delete']\n", want: "security.allowed_ops[1]"},
		{name: "max_promotion", yaml: "security:\n  max_promotion: 0s\n", want: "security.max_promotion"},
		{name: "allowlist host bits", yaml: "security:\n  ip_allowlist: [10.0.0.1/8]\n", want: "security.ip_allowlist[0]"},
		{name: "trusted proxy", yaml: "security:\n  trusted_proxies: [192.0.2.1, '2001:db8::1/64']\n", want: "security.trusted_proxies[1]"},
		{name: "lists", yaml: "security:\n  ip_allowlist: [192.0.2.0/24, '::ffff:10.0.0.0/104', 2001:db8::/32]\n  trusted_proxies: [127.0.0.1]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "config.yaml", tt.yaml, 0o600)
			c, err := Load(path, MapEnv(map[string]string{"HOME": t.TempDir()}))
			if err == nil {
				err = c.Validate(false)
			}
			if tt.want != "" {
				if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrInvalid) {
					t.Fatalf("error %v, want one naming %s", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.check != nil {
				tt.check(t, c)
			}
		})
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"": 0, "0": 0, "512": 512, "4K": 4 << 10, "10MiB": 10 << 20, "2g": 2 << 30, "1T": 1 << 40, "7B": 7, "3MB": 3 << 20} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"-1", "1.5G", "G", "many", "99999999999T"} {
		if _, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) accepted", bad)
		}
	}
}

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"100M", "1GiB", "", "-3", "9223372036854775807", "1T"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseSize(s)
		if err == nil && n < 0 {
			t.Fatalf("ParseSize(%q) = %d", s, n)
		}
	})
}

// writePolicy writes a policy file the loader trusts: this process's own
// file in a directory of its own. Tests run as root, the trusted owner.
func writePolicy(t *testing.T, content string) string {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("a trusted policy file must be owned by root")
	}
	return writeFile(t, "policy.yaml", content, 0o644)
}

func TestSystemPolicyCapsTheConfig(t *testing.T) {
	policy := writePolicy(t, "max_mode: standard\npromotion_public_key: /etc/ceso/promote.pub\nmax_promotion: 30m\nallowed_ops: [vm.list, vm.create, vm.delete]\n")
	load := func(yaml string) (*Config, error) {
		path := writeFile(t, "config.yaml", yaml, 0o600)
		c, err := Load(path, MapEnv(map[string]string{"HOME": t.TempDir(), security.PolicyEnv: policy}))
		if err != nil {
			return nil, err
		}
		return c, c.Validate(false)
	}
	// No mode: the policy's; the user's key, a longer cap and a wider list
	// give way.
	c, err := load("security:\n  promotion_public_key: /home/agent/mine.pub\n  max_promotion: 24h\n  allowed_ops: [vm.list, vm.delete, vm.power]\n")
	if err != nil {
		t.Fatal(err)
	}
	s := c.Security
	if s.Mode != ModeStandard || s.PromotionPublicKey != "/etc/ceso/promote.pub" || s.MaxPromotion != 30*time.Minute ||
		strings.Join(s.AllowedOpsList(), ",") != "vm.list,vm.delete" || s.PolicyMaxMode() != ModeStandard {
		t.Fatalf("security %+v", s)
	}
	// A lower mode and a shorter cap stay.
	c, err = load("security:\n  mode: read-only\n  max_promotion: 5m\n")
	if err != nil || c.Security.ConfiguredMode() != ModeReadOnly || c.Security.MaxPromotion != 5*time.Minute {
		t.Fatalf("%+v %v", c, err)
	}
	if strings.Join(c.Security.AllowedOpsList(), ",") != "vm.list,vm.create,vm.delete" {
		t.Fatalf("no list of its own: the policy's, got %v", c.Security.AllowedOpsList())
	}
	// A mode above the policy is an error naming the policy.
	_, err = load("security:\n  mode: unrestricted\n")
	if !errors.Is(err, security.ErrAbovePolicy) || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), policy) {
		t.Fatalf("above the policy: %v", err)
	}
}

func TestSystemPolicyMustBeTrusted(t *testing.T) {
	policy := writePolicy(t, "max_mode: restricted\n")
	if err := os.Chown(policy, 1000, 1000); err != nil {
		t.Fatal(err)
	}
	_, err := Load("", MapEnv(map[string]string{"HOME": t.TempDir(), security.PolicyEnv: policy}))
	if !errors.Is(err, security.ErrPolicyUntrusted) {
		t.Fatalf("a policy owned by another user: %v", err)
	}
	_, err = Load("", MapEnv(map[string]string{"HOME": t.TempDir(), security.PolicyEnv: filepath.Join(t.TempDir(), "none.yaml")}))
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a missing CESO_POLICY: %v", err)
	}
}

func TestSystemdCredentials(t *testing.T) {
	creds := t.TempDir()
	if err := os.WriteFile(filepath.Join(creds, "esxi-password"), []byte("from-systemd\n"), 0o400); err != nil {
		t.Fatal(err)
	}
	yaml := "esxi:\n  password_file: '%d/esxi-password'\nssh:\n  key_file: '%d/ssh-key'\n"
	path := writeFile(t, "config.yaml", yaml, 0o600)
	c, err := Load(path, MapEnv(map[string]string{"HOME": t.TempDir(), CredentialsEnv: creds}))
	if err != nil {
		t.Fatal(err)
	}
	if c.SSH.KeyFile != filepath.Join(creds, "ssh-key") {
		t.Fatalf("key file %s", c.SSH.KeyFile)
	}
	if pw, err := c.ESXi.ResolvePassword(t.Context()); err != nil || pw != "from-systemd" {
		t.Fatalf("password %v", err)
	}
	if _, err := Load(path, MapEnv(map[string]string{"HOME": t.TempDir()})); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), CredentialsEnv) {
		t.Fatalf("no credentials directory: %v", err)
	}
	for _, bad := range []string{"%d/", "%d/a/b", "%d/.."} {
		path := writeFile(t, "config.yaml", "esxi:\n  password_file: '"+bad+"'\n", 0o600)
		if _, err := Load(path, MapEnv(map[string]string{CredentialsEnv: creds})); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "esxi.password_file") {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

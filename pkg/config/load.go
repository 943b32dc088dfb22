package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"time"

	"github.com/ceso/ceso/pkg/errkind"
	"gopkg.in/yaml.v3"
)

// Env is the environment a configuration is loaded with (os.LookupEnv in
// production, a map in tests).
type Env func(key string) (string, bool)

// MapEnv adapts a map to Env.
func MapEnv(m map[string]string) Env {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// Path returns the configuration file to read: explicit (from --config), else
// CESO_CONFIG, else ~/.config/ceso/config.yaml. The bool says whether the
// path was asked for explicitly, in which case it must exist.
func Path(explicit string, env Env) (string, bool) {
	if explicit != "" {
		return explicit, true
	}
	if p, ok := env("CESO_CONFIG"); ok && p != "" {
		return p, true
	}
	if dir, ok := env("XDG_CONFIG_HOME"); ok && dir != "" {
		return filepath.Join(dir, "ceso", "config.yaml"), false
	}
	if home, ok := env("HOME"); ok && home != "" {
		return filepath.Join(home, ".config", "ceso", "config.yaml"), false
	}
	return "", false
}

// Load reads the configuration: defaults, then the file (if any), then the
// environment. Flags are applied by the caller afterwards, then Validate.
func Load(explicit string, env Env) (*Config, error) {
	cfg := Default()
	path, required := Path(explicit, env)
	if path != "" {
		data, err := os.ReadFile(path)
		switch {
		case err == nil:
			if err := Parse(path, data, &cfg); err != nil {
				return nil, err
			}
			if err := checkPrivate(path, cfg.ESXi.Password); err != nil {
				return nil, err
			}
			cfg.Source = path
		case errors.Is(err, fs.ErrNotExist) && !required:
		case errors.Is(err, fs.ErrNotExist):
			return nil, errkind.Wrap(errkind.NotFound, fmt.Errorf("reading configuration: %w", err))
		default:
			return nil, errkind.Wrap(errkind.Config, fmt.Errorf("reading configuration: %w", err))
		}
	}
	if err := applyEnv(&cfg, env); err != nil {
		return nil, err
	}
	if err := loadSecurity(&cfg, env); err != nil {
		return nil, err
	}
	if cfg.StateDir == "" {
		cfg.StateDir = defaultStateDir(env)
	}
	return &cfg, nil
}

// Parse decodes YAML data into cfg strictly. An empty document changes nothing.
func Parse(file string, data []byte, cfg *Config) error {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		return fmt.Errorf("%w: %s: %v", ErrInvalid, file, err)
	}
	if len(doc.Content) == 0 {
		return nil
	}
	if err := decodeStrict(file, doc.Content[0], reflect.ValueOf(cfg).Elem(), ""); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return nil
}

func applyEnv(cfg *Config, env Env) error {
	set := func(key string, dst *string) {
		if v, ok := env(key); ok && v != "" {
			*dst = v
		}
	}
	set("ESXI_HOST", &cfg.ESXi.Host)
	set("ESXI_USER", &cfg.ESXi.User)
	set("ESXI_THUMBPRINT", &cfg.ESXi.Thumbprint)
	set("ESXI_CA_FILE", &cfg.ESXi.CAFile)
	pw, _ := env("ESXI_PASSWORD")
	pwFile, _ := env("ESXI_PASSWORD_FILE")
	switch {
	case pw != "" && pwFile != "":
		return fmt.Errorf("%w: ESXI_PASSWORD and ESXI_PASSWORD_FILE are both set: unset one", ErrInvalid)
	case pw != "":
		cfg.ESXi.Password = pw
		cfg.ESXi.PasswordFile, cfg.ESXi.PasswordCommand = "", ""
	case pwFile != "":
		cfg.ESXi.PasswordFile = pwFile
		cfg.ESXi.Password, cfg.ESXi.PasswordCommand = "", ""
	}
	if v, ok := env("ESXI_INSECURE"); ok && v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%w: ESXI_INSECURE=%q: want true or false", ErrInvalid, v)
		}
		cfg.ESXi.Insecure = b
	}
	return applySSHEnv(cfg, env)
}

// applySSHEnv reads the SSH fallback's variables: ESXI_SSH_PORT,
// ESXI_SSH_USER, ESXI_SSH_PASSWORD (which replaces ssh.password_file and
// ssh.password_command) and ESXI_SSH_KNOWN_HOSTS.
func applySSHEnv(cfg *Config, env Env) error {
	if v, ok := env("ESXI_SSH_PORT"); ok && v != "" {
		port, err := strconv.Atoi(v)
		if err != nil || port < 1 || port > 65535 {
			return fmt.Errorf("%w: ESXI_SSH_PORT=%q: want a port from 1 to 65535", ErrInvalid, v)
		}
		cfg.SSH.Port = port
	}
	if v, ok := env("ESXI_SSH_USER"); ok && v != "" {
		cfg.SSH.User = v
	}
	if v, ok := env("ESXI_SSH_PASSWORD"); ok && v != "" {
		cfg.SSH.Password = v
		cfg.SSH.PasswordFile, cfg.SSH.PasswordCommand = "", ""
	}
	if v, ok := env("ESXI_SSH_KNOWN_HOSTS"); ok && v != "" {
		cfg.SSH.KnownHosts = v
	}
	return nil
}

// checkPrivate refuses a configuration file that holds a password and that
// group or others can read, as a password_file is refused.
func checkPrivate(path, password string) error {
	if password == "" {
		return nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return errkind.Wrap(errkind.Config, fmt.Errorf("reading configuration: %w", err))
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("%w: %s holds esxi.password and is readable by group or others (mode %04o); run: chmod 600 %s "+
			"(or move the password to esxi.password_file, esxi.password_command or ESXI_PASSWORD)", ErrSecret, path, perm, path)
	}
	return nil
}

func defaultStateDir(env Env) string {
	if dir, ok := env("XDG_STATE_HOME"); ok && dir != "" {
		return filepath.Join(dir, "ceso")
	}
	if home, ok := env("HOME"); ok && home != "" {
		return filepath.Join(home, ".local", "share", "ceso")
	}
	return filepath.Join(os.TempDir(), "ceso-"+strconv.Itoa(os.Getuid()))
}

// CatalogPath is where the backup catalog lives.
func (c *Config) CatalogPath() string {
	if c.Backup.Catalog != "" {
		return c.Backup.Catalog
	}
	return filepath.Join(c.StateDir, "catalog.db")
}

// AuditLogPath is the audit log file.
func (c *Config) AuditLogPath() string { return ExpandHome(c.auditLogSetting()) }

// auditLogSetting is security.audit_log, or the default in the state
// directory, with a leading ~/ not expanded.
func (c *Config) auditLogSetting() string {
	if c.Security.AuditLog != "" {
		return c.Security.AuditLog
	}
	return filepath.Join(c.StateDir, "audit.log")
}

// DefaultKnownHosts is the SSH known_hosts file when ssh.known_hosts is
// not set.
const DefaultKnownHosts = "~/.config/ceso/known_hosts"

// KnownHostsPath is the SSH known_hosts file (a leading ~/ not expanded).
func (c *Config) KnownHostsPath() string {
	if c.SSH.KnownHosts != "" {
		return c.SSH.KnownHosts
	}
	return DefaultKnownHosts
}

// SessionDir is where cached sessions are kept.
func (c *Config) SessionDir() string { return filepath.Join(c.StateDir, "sessions") }

// Timeout is the default deadline of one command.
func (c *Config) Timeout() time.Duration { return c.ESXi.Timeout }

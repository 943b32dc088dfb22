package config

import (
	"fmt"
	"time"
)

// Config is the whole configuration. The YAML keys are the field tags;
// config-example.yaml at the repository root documents every one.
type Config struct {
	ESXi     ESXi     `yaml:"esxi"`
	SSH      SSH      `yaml:"ssh"`
	Defaults Defaults `yaml:"defaults"`
	Backup   Backup   `yaml:"backup"`
	Metrics  Metrics  `yaml:"metrics"`
	Security Security `yaml:"security"`
	Log      Log      `yaml:"log"`
	Server   Server   `yaml:"server"`
	// StateDir holds the session cache, the catalog and the audit log unless
	// they are set elsewhere.
	StateDir string `yaml:"state_dir"`

	// Source is the file the configuration was read from ("" when none).
	Source string `yaml:"-"`
}

// ESXi says how to reach and log in to the host.
type ESXi struct {
	Host            string        `yaml:"host"`
	User            string        `yaml:"user"`
	Password        string        `yaml:"password"`
	PasswordFile    string        `yaml:"password_file"`
	PasswordCommand string        `yaml:"password_command"`
	Thumbprint      string        `yaml:"thumbprint"`
	CAFile          string        `yaml:"ca_file"`
	Insecure        bool          `yaml:"insecure"`
	Timeout         time.Duration `yaml:"timeout"`
	Transport       string        `yaml:"transport"`
	SessionCache    *bool         `yaml:"session_cache,omitempty"`
	PoolSize        int           `yaml:"pool_size"`
	KeepAlive       time.Duration `yaml:"keepalive"`
}

// SSH is the fallback transport used when the API refuses a write.
type SSH struct {
	Port int    `yaml:"port"`
	User string `yaml:"user"`
	// Password comes from ESXI_SSH_PASSWORD only; a file names
	// password_file or password_command instead.
	Password        string `yaml:"-"`
	KeyFile         string `yaml:"key_file"`
	PasswordFile    string `yaml:"password_file"`
	PasswordCommand string `yaml:"password_command"`
	KnownHosts      string `yaml:"known_hosts"`
	// MaxSessions bounds the commands run at once on the one SSH
	// connection (0: 8, below sshd's default of 10); set it to the host's
	// sshd MaxSessions when that is lower (hardened hosts: 1).
	MaxSessions int `yaml:"max_sessions"`
}

// Defaults fill flags that a command leaves unset. An empty Datastore or
// Network means the template's (or the clone source's).
type Defaults struct {
	Template  string `yaml:"template"`
	Datastore string `yaml:"datastore"`
	Network   string `yaml:"network"`
}

// Backup configures backups, their targets, compression and retention.
type Backup struct {
	DefaultTarget string      `yaml:"default_target"`
	Targets       []Target    `yaml:"targets"`
	Catalog       string      `yaml:"catalog"`
	Compression   Compression `yaml:"compression"`
	Retention     Retention   `yaml:"retention"`
}

// Built-in backup targets: usable by name without a targets list, unless a
// configured target has the same name.
const (
	// TargetLocal is the directory backups under state_dir.
	TargetLocal = "local"
	// TargetDatastore is the folder ceso-backups/ on the datastore of the
	// VM being backed up.
	TargetDatastore = "datastore"
)

// Target is a place backups are stored: a local directory or a datastore.
type Target struct {
	Name      string `yaml:"name"`
	Type      string `yaml:"type"`
	Path      string `yaml:"path"`
	Datastore string `yaml:"datastore"`
}

// Compression of backup streams. In a file, "compression: zstd" is short
// for "compression: {algorithm: zstd}": the level and workers keep their
// defaults.
type Compression struct {
	Algorithm string `yaml:"algorithm"`
	Level     int    `yaml:"level"`
	Workers   int    `yaml:"workers"`
}

func (c *Compression) setShorthand(v string) error {
	if v == "" {
		return fmt.Errorf("want zstd or none, or a mapping with algorithm, level and workers")
	}
	c.Algorithm = v
	return nil
}

// Retention is the default prune policy, counted per VM.
type Retention struct {
	KeepLast    int `yaml:"keep_last"`
	KeepDaily   int `yaml:"keep_daily"`
	KeepWeekly  int `yaml:"keep_weekly"`
	KeepMonthly int `yaml:"keep_monthly"`
}

// Metrics exposition.
type Metrics struct {
	Enabled  bool   `yaml:"enabled"`
	Listen   string `yaml:"listen"`
	Port     int    `yaml:"port"`
	Path     string `yaml:"path"`
	Textfile string `yaml:"textfile"`
}

// Log configures diagnostic logging on stderr.
type Log struct {
	Level  string `yaml:"level"`
	Format string `yaml:"format"`
}

// Transports.
const (
	TransportAuto = "auto"
	TransportAPI  = "api"
	TransportSSH  = "ssh"
)

// Default returns the configuration used when nothing is set.
func Default() Config {
	return Config{
		ESXi: ESXi{
			User:      "root",
			Timeout:   10 * time.Minute,
			Transport: TransportAuto,
			PoolSize:  4,
			KeepAlive: 5 * time.Minute,
		},
		SSH:      SSH{Port: 22, User: "root"},
		Defaults: Defaults{Template: "ubuntu-24.04-template"},
		Backup: Backup{
			DefaultTarget: TargetDatastore,
			Compression:   Compression{Algorithm: "zstd", Level: 3, Workers: 2},
			Retention:     Retention{KeepLast: 7, KeepDaily: 7, KeepWeekly: 4, KeepMonthly: 6},
		},
		Metrics:  Metrics{Enabled: true, Listen: "127.0.0.1", Port: 9090, Path: "/metrics"},
		Security: Security{MaxPromotion: time.Hour},
		Log:      Log{Level: "warn", Format: "console"},
		Server:   defaultServer(),
	}
}

// SessionCacheEnabled reports whether sessions are cached across invocations
// (the default).
func (e ESXi) SessionCacheEnabled() bool { return e.SessionCache == nil || *e.SessionCache }

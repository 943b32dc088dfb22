package config

import (
	"fmt"
	"net"
	"regexp"
	"strings"
)

var thumbprintRE = regexp.MustCompile(`^([0-9A-Fa-f]{2}:){19}[0-9A-Fa-f]{2}$|^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$`)

// Validate checks the whole configuration and returns the first problem.
// needHost is set by commands that connect to a host.
func (c *Config) Validate(needHost bool) error {
	checks := []func() error{
		func() error { return c.ESXi.validate(needHost) },
		c.SSH.validate,
		c.Backup.validate,
		c.Metrics.validate,
		c.Security.validate,
		c.Log.validate,
		c.Server.validate,
	}
	for _, check := range checks {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

func invalid(key, format string, a ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalid, key, fmt.Sprintf(format, a...))
}

func (e ESXi) validate(needHost bool) error {
	if needHost && e.Host == "" {
		return ErrNoHost
	}
	if e.Host != "" && strings.ContainsAny(e.Host, "/ ") {
		return invalid("esxi.host", "want a host name or address with an optional :port, got %q", e.Host)
	}
	if e.Thumbprint != "" && !thumbprintRE.MatchString(e.Thumbprint) {
		return invalid("esxi.thumbprint", "want a SHA-1 (20 bytes) or SHA-256 (32 bytes) fingerprint as colon-separated hex, got %q", e.Thumbprint)
	}
	sources := 0
	for _, s := range []string{e.Password, e.PasswordFile, e.PasswordCommand} {
		if s != "" {
			sources++
		}
	}
	if sources > 1 {
		return invalid("esxi.password", "set only one of password, password_file and password_command")
	}
	switch e.Transport {
	case TransportAuto, TransportAPI, TransportSSH:
	default:
		return invalid("esxi.transport", "want auto, api or ssh, got %q", e.Transport)
	}
	if e.PoolSize < 1 || e.PoolSize > 64 {
		return invalid("esxi.pool_size", "want 1 to 64 sessions, got %d", e.PoolSize)
	}
	if e.Timeout <= 0 {
		return invalid("esxi.timeout", "want a positive duration")
	}
	return nil
}

func (s SSH) validate() error {
	if s.Port < 1 || s.Port > 65535 {
		return invalid("ssh.port", "want 1 to 65535, got %d", s.Port)
	}
	if s.PasswordFile != "" && s.PasswordCommand != "" {
		return invalid("ssh.password_file", "set only one of password_file and password_command")
	}
	if s.MaxSessions < 0 || s.MaxSessions > 64 {
		return invalid("ssh.max_sessions", "want 1 to 64 (0: the default, 8), got %d", s.MaxSessions)
	}
	return nil
}

func (b Backup) validate() error {
	names := map[string]bool{}
	for i, t := range b.Targets {
		key := fmt.Sprintf("backup.targets[%d]", i)
		if t.Name == "" {
			return invalid(key+".name", "a target needs a name")
		}
		if names[t.Name] {
			return invalid(key+".name", "target %q is defined twice", t.Name)
		}
		if strings.Contains(t.Name, ":") {
			return invalid(key+".name", "%q: a target name cannot hold ':' (datastore:NAME names the built-in target on datastore NAME)", t.Name)
		}
		names[t.Name] = true
		switch t.Type {
		case "local":
			if t.Path == "" {
				return invalid(key+".path", "a local target needs a directory path")
			}
		case "datastore":
			if t.Datastore == "" {
				return invalid(key+".datastore", "a datastore target needs a datastore name")
			}
		default:
			return invalid(key+".type", "want local or datastore, got %q", t.Type)
		}
	}
	if d := b.DefaultTarget; !names[d] && d != TargetLocal && d != TargetDatastore {
		return invalid("backup.default_target", "no target named %q: name one of backup.targets, or the built-in %q (state_dir/backups) or %q (the VM's own datastore, folder ceso-backups/)",
			d, TargetLocal, TargetDatastore)
	}
	if b.Compression.Algorithm != "zstd" && b.Compression.Algorithm != "none" {
		return invalid("backup.compression.algorithm", "want zstd or none, got %q", b.Compression.Algorithm)
	}
	if b.Compression.Level < 1 || b.Compression.Level > 22 {
		return invalid("backup.compression.level", "want 1 to 22, got %d", b.Compression.Level)
	}
	if b.Compression.Workers < 1 || b.Compression.Workers > 64 {
		return invalid("backup.compression.workers", "want 1 to 64, got %d", b.Compression.Workers)
	}
	r := b.Retention
	for key, v := range map[string]int{"keep_last": r.KeepLast, "keep_daily": r.KeepDaily, "keep_weekly": r.KeepWeekly, "keep_monthly": r.KeepMonthly} {
		if v < 0 {
			return invalid("backup.retention."+key, "want 0 or more, got %d", v)
		}
	}
	if r.KeepLast+r.KeepDaily+r.KeepWeekly+r.KeepMonthly == 0 {
		return invalid("backup.retention", "a policy that keeps nothing would delete every backup; set at least one keep_* value")
	}
	return nil
}

func (m Metrics) validate() error {
	if m.Port < 1 || m.Port > 65535 {
		return invalid("metrics.port", "want 1 to 65535, got %d", m.Port)
	}
	if !strings.HasPrefix(m.Path, "/") {
		return invalid("metrics.path", "want a path starting with /, got %q", m.Path)
	}
	if m.Listen != "" && net.ParseIP(m.Listen) == nil && m.Listen != "localhost" {
		return invalid("metrics.listen", "want an IP address, got %q", m.Listen)
	}
	return nil
}

func (l Log) validate() error {
	switch l.Level {
	case "debug", "info", "warn", "error":
	default:
		return invalid("log.level", "want debug, info, warn or error, got %q", l.Level)
	}
	if l.Format != "console" && l.Format != "json" {
		return invalid("log.format", "want console or json, got %q", l.Format)
	}
	return nil
}

package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"sync"
	"time"

	"github.com/ceso/ceso/pkg/audit"
	"github.com/ceso/ceso/pkg/backup"
	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/metrics"
	"github.com/ceso/ceso/pkg/ops"
	"github.com/rs/zerolog"
)

// GlobalOptions are the flags every command takes.
type GlobalOptions struct {
	ConfigPath     string
	Host           string
	User           string
	Thumbprint     string
	CAFile         string
	Insecure       bool
	InsecureSet    bool
	Timeout        time.Duration
	DryRun         bool
	Transport      string
	LogLevel       string
	NoSessionCache bool
	// AcceptNewHostKey records a host's SSH key seen for the first time.
	AcceptNewHostKey bool
}

// Factory hands out the dependencies of commands, each built once, lazily,
// in one place.
type Factory struct {
	IO     *IOStreams
	Env    config.Env
	Now    func() time.Time
	Global GlobalOptions

	// Metrics is shared by every op of this invocation.
	Metrics *metrics.Metrics

	mu     sync.Mutex
	cfg    *config.Config
	cfgErr error
	pool   *client.Pool
	logger *zerolog.Logger

	bmetrics *backup.Metrics
}

// New makes a factory for the given streams and environment.
func New(io *IOStreams, env config.Env) *Factory {
	return &Factory{IO: io, Env: env, Now: time.Now, Metrics: metrics.New(false)}
}

// Config loads and validates the configuration, with the global flags
// applied over the file and the environment.
func (f *Factory) Config() (*config.Config, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cfg != nil || f.cfgErr != nil {
		return f.cfg, f.cfgErr
	}
	cfg, err := config.Load(f.Global.ConfigPath, f.Env)
	if err == nil {
		f.applyFlags(cfg)
		err = cfg.Validate(false)
	}
	f.cfg, f.cfgErr = cfg, err
	return cfg, err
}

func (f *Factory) applyFlags(cfg *config.Config) {
	g := f.Global
	set := func(v string, dst *string) {
		if v != "" {
			*dst = v
		}
	}
	set(g.Host, &cfg.ESXi.Host)
	set(g.User, &cfg.ESXi.User)
	set(g.Thumbprint, &cfg.ESXi.Thumbprint)
	set(g.CAFile, &cfg.ESXi.CAFile)
	set(g.Transport, &cfg.ESXi.Transport)
	set(g.LogLevel, &cfg.Log.Level)
	if g.InsecureSet {
		cfg.ESXi.Insecure = g.Insecure
	}
	if g.Timeout > 0 {
		cfg.ESXi.Timeout = g.Timeout
	}
	if g.NoSessionCache {
		off := false
		cfg.ESXi.SessionCache = &off
	}
}

// Logger is the diagnostic logger on stderr, at the configured level.
func (f *Factory) Logger() zerolog.Logger {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.logger == nil {
		level := zerolog.WarnLevel
		if f.cfg != nil {
			if l, err := zerolog.ParseLevel(f.cfg.Log.Level); err == nil {
				level = l
			}
		}
		var l zerolog.Logger
		if f.cfg != nil && f.cfg.Log.Format == "json" {
			l = zerolog.New(f.IO.ErrOut)
		} else {
			l = zerolog.New(zerolog.ConsoleWriter{Out: f.IO.ErrOut, NoColor: !f.IO.ErrTTY})
		}
		l = l.Level(level).With().Timestamp().Logger()
		f.logger = &l
	}
	return *f.logger
}

// ClientConfig turns the configuration into a connection configuration,
// resolving the password.
func (f *Factory) ClientConfig(ctx context.Context) (client.Config, error) {
	cfg, err := f.Config()
	if err != nil {
		return client.Config{}, err
	}
	if err := cfg.Validate(true); err != nil {
		return client.Config{}, err
	}
	pw, err := cfg.ESXi.ResolvePassword(ctx)
	if err != nil {
		return client.Config{}, err
	}
	if pw == "" {
		return client.Config{}, fmt.Errorf("%w: no password for %s: set ESXI_PASSWORD, esxi.password_file or esxi.password_command", config.ErrSecret, cfg.ESXi.Host)
	}
	cc := client.Config{
		Host: cfg.ESXi.Host, User: cfg.ESXi.User, Password: pw,
		Thumbprint: cfg.ESXi.Thumbprint, CAFile: config.ExpandHome(cfg.ESXi.CAFile), Insecure: cfg.ESXi.Insecure,
		KeepAlive: cfg.ESXi.KeepAlive, Warn: f.IO.ErrOut, Logger: f.Logger(),
	}
	if cfg.ESXi.SessionCacheEnabled() {
		cc.SessionDir = cfg.SessionDir()
	}
	return cc, nil
}

// Pool returns the session pool of this invocation, connecting its first
// session (from the cache when possible) so that errors show at once.
func (f *Factory) Pool(ctx context.Context) (*client.Pool, error) {
	f.mu.Lock()
	p := f.pool
	f.mu.Unlock()
	if p != nil {
		return p, nil
	}
	cc, err := f.ClientConfig(ctx)
	if err != nil {
		return nil, err
	}
	cfg, _ := f.Config()
	first, err := client.Connect(ctx, cc)
	if err != nil {
		return nil, err
	}
	p = client.NewPool(cc, cfg.ESXi.PoolSize, first)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.pool != nil { // another goroutine won
		_ = first.Close(ctx)
		return f.pool, nil
	}
	f.pool = p
	return p, nil
}

// Client returns a session for a single-threaded command. Give it back with
// the returned release function.
func (f *Factory) Client(ctx context.Context) (*client.Client, func(), error) {
	p, err := f.Pool(ctx)
	if err != nil {
		return nil, nil, err
	}
	c, err := p.Get(ctx)
	if err != nil {
		return nil, nil, err
	}
	return c, func() { p.Put(c) }, nil
}

// Runner returns the operation runner, configured from the security mode.
func (f *Factory) Runner() (*ops.Runner, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, err
	}
	auditor, err := audit.Open(cfg.AuditLogPath(), f.Now)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ops.ErrAudit, err)
	}
	return &ops.Runner{
		Sandbox: ops.ModeSandbox{Mode: cfg.Security.Mode},
		Audit:   auditor,
		Metrics: f.Metrics,
		Actor:   actor(),
		DryRun:  f.Global.DryRun,
		Now:     f.Now,
	}, nil
}

// Close releases the sessions (the cached one stays open for the next
// invocation) and writes the metrics textfile if one is configured.
func (f *Factory) Close(ctx context.Context) error {
	f.mu.Lock()
	p, cfg := f.pool, f.cfg
	f.pool = nil
	f.mu.Unlock()
	err := f.CloseSSH()
	if p != nil {
		err = errors.Join(err, p.Close(ctx))
	}
	if cfg != nil && cfg.Metrics.Textfile != "" {
		if werr := f.Metrics.WriteTextfile(config.ExpandHome(cfg.Metrics.Textfile)); werr != nil && err == nil {
			err = werr
		}
	}
	return err
}

func actor() string {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	host, _ := os.Hostname()
	return "cli:" + name + "@" + host
}

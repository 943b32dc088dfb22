package cmdutil

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/metrics"
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
	// MetricsEnabled serves /metrics for the life of the command.
	MetricsEnabled bool
	// MetricsLinger is how long the command then waits for a last scrape.
	MetricsLinger time.Duration
	// Mode lowers the security mode for this command (--mode; CESO_MODE).
	Mode string
	// PromotionToken and Approval may lift a sandbox refusal
	// (--promotion-token or CESO_PROMOTION_TOKEN; --approval).
	PromotionToken string
	Approval       string
}

// Factory hands out what commands need: the IO streams, the environment,
// the global flags, the configuration and the App (pkg/app), each built
// once, lazily, in one place.
type Factory struct {
	IO     *IOStreams
	Env    config.Env
	Now    func() time.Time
	Global GlobalOptions

	// Metrics is shared by every op of this invocation.
	Metrics *metrics.Metrics
	// Remote, when set, runs the operations on a ceso server (--server).
	Remote Remote

	mu     sync.Mutex
	cfg    *config.Config
	cfgErr error
	app    *app.App
	logger *zerolog.Logger

	metricsSrv *metrics.Server
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

// ExpandHome expands a leading ~/ with HOME from the environment.
func (f *Factory) ExpandHome(p string) string {
	rest, ok := strings.CutPrefix(p, "~/")
	if !ok {
		return p
	}
	if home, set := f.Env("HOME"); set && home != "" {
		return filepath.Join(home, rest)
	}
	return config.ExpandHome(p)
}

// ConfigSource names the configuration file in effect, whether or not it
// loads: --config, CESO_CONFIG or the default path ("" when none).
func (f *Factory) ConfigSource() string {
	p, _ := config.Path(f.Global.ConfigPath, f.Env)
	return p
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

// App returns the composition root of this invocation, made once from the
// configuration and the global flags.
func (f *Factory) App() (*app.App, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, err
	}
	logger := f.Logger()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.app != nil {
		return f.app, nil
	}
	a, err := app.New(app.Options{
		Config: cfg, Env: f.Env, Logger: logger, Now: f.Now, Metrics: f.Metrics,
		Warn: f.IO.ErrOut, Progress: f.IO.ErrOut, ProgressTTY: f.IO.ErrTTY,
		AcceptNewHostKey: f.Global.AcceptNewHostKey, Actor: "cli:" + app.OSActor(), Version: ReadBuild().Version,
	})
	if err != nil {
		return nil, err
	}
	f.app = a
	return a, nil
}

// Close closes the App, if one was made: sessions, the SSH connection, the
// metrics textfile.
func (f *Factory) Close(ctx context.Context) error {
	f.mu.Lock()
	a := f.app
	f.app = nil
	f.mu.Unlock()
	if a == nil {
		return nil
	}
	return a.Close(ctx)
}

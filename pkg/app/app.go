package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"sync"
	"time"

	"github.com/ceso/ceso/pkg/audit"
	"github.com/ceso/ceso/pkg/backup"
	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/sshhost"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/ceso/ceso/pkg/metrics"
	"github.com/ceso/ceso/pkg/ops"
	"github.com/rs/zerolog"
)

// Options are what a front end gives an App. Config is required; the rest
// have defaults.
type Options struct {
	// Config is the loaded and validated configuration.
	Config *config.Config
	// Env is the process environment (HOME for ~ in paths).
	Env config.Env
	// Logger receives diagnostics; nothing is logged when it is the zero
	// logger.
	Logger zerolog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Metrics is the registry operations are counted on; a new one (without
	// process collectors) when nil.
	Metrics *metrics.Metrics
	// Warn receives connection warnings (an unverified certificate).
	Warn io.Writer
	// Progress receives progress bars when ProgressTTY is set.
	Progress    io.Writer
	ProgressTTY bool
	// AcceptNewHostKey records the SSH host key of a host seen for the
	// first time (--accept-new-host-key).
	AcceptNewHostKey bool
	// Actor names who runs the operations in the audit log; the OS user and
	// host name when empty.
	Actor string
	// Version is ceso's version, recorded with backups.
	Version string
	// CacheOnly connects only through the cached session: nothing logs in
	// and no password command runs (shell completion).
	CacheOnly bool
}

// App is the shared state of one process. It is safe for concurrent use.
type App struct {
	opts Options
	cfg  *config.Config

	mu       sync.Mutex
	pool     *client.Pool
	ssh      *sshhost.Lazy
	auditor  *audit.Log
	auditErr error
	bmetrics *backup.Metrics
	closed   bool

	// The password of esxi.password_command, run at most once.
	pwMu   sync.Mutex
	pwDone bool
	pw     string
	pwErr  error
	// inventory is the VM inventory cache of a daemon (WatchInventory).
	inventory *vm.Cache
}

// New makes an App. Nothing is connected or opened until an operation needs
// it.
func New(opts Options) (*App, error) {
	if opts.Config == nil {
		return nil, fmt.Errorf("%w: app.New needs a configuration", config.ErrInvalid)
	}
	if opts.Env == nil {
		opts.Env = os.LookupEnv
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Metrics == nil {
		opts.Metrics = metrics.New(false)
	}
	if opts.Warn == nil {
		opts.Warn = io.Discard
	}
	if opts.Progress == nil {
		opts.Progress = io.Discard
	}
	if opts.Actor == "" {
		opts.Actor = OSActor()
	}
	if opts.Version == "" {
		opts.Version = "dev"
	}
	return &App{opts: opts, cfg: opts.Config}, nil
}

// Config is the configuration in effect.
func (a *App) Config() *config.Config { return a.cfg }

// Logger is the diagnostic logger.
func (a *App) Logger() zerolog.Logger { return a.opts.Logger }

// Now is the clock.
func (a *App) Now() time.Time { return a.opts.Now() }

// Metrics is the metrics registry.
func (a *App) Metrics() *metrics.Metrics { return a.opts.Metrics }

// Version is ceso's version.
func (a *App) Version() string { return a.opts.Version }

// StepReporter returns what shows the steps of a long operation (a create,
// a clone) as they happen, on a terminal; nil when progress is not drawn.
func (a *App) StepReporter() func(ops.Step) {
	if !a.opts.ProgressTTY {
		return nil
	}
	var mu sync.Mutex
	return func(s ops.Step) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(a.opts.Progress, "  … [%s] %s\n", s.Via, s.Action)
	}
}

// Auditor returns the audit sink, opened once at security.audit_log: the
// hash-chained log, rotated at security.audit_max_size, whose records name
// this process's OS user, uid and host.
func (a *App) Auditor() (*audit.Log, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.auditor == nil && a.auditErr == nil {
		actor := audit.CurrentActor("")
		a.auditor, a.auditErr = audit.OpenWith(a.cfg.AuditLogPath(), audit.Options{
			Now: a.opts.Now, MaxSize: a.cfg.Security.AuditMaxSizeBytes(), Actor: &actor,
		})
	}
	if a.auditErr != nil {
		return nil, fmt.Errorf("%w: %w", ops.ErrAudit, a.auditErr)
	}
	return a.auditor, nil
}

// Call is how one operation is asked for: by whom, in which mode, with
// which confirmation or signed grant, and whether only its plan is wanted.
type Call struct {
	// DryRun returns the plan and changes nothing.
	DryRun bool
	// Actor overrides the App's actor (an API token's or an agent's name).
	Actor string
	// Mode lowers the configured security mode for this call (--mode,
	// CESO_MODE, an API token's mode); it can never raise it. Empty: the
	// configured mode.
	Mode string
	// Confirmed says a human confirmed a destructive operation (typed its
	// name, or --yes): standard mode lets it run.
	Confirmed bool
	// PromotionToken and Approval are a signed promotion token and a plan
	// approval (pkg/security) that may lift a refusal for this call.
	PromotionToken string
	Approval       string
}

// Runner returns the runner for one call: the sandbox of its effective
// mode (security.EffectiveMode of the configuration, the call's mode and
// the system policy), the audit sink, the metrics and the clock.
func (a *App) Runner(call Call) (*ops.Runner, error) {
	sb, err := a.sandbox(call)
	if err != nil {
		return nil, err
	}
	auditor, err := a.Auditor()
	if err != nil {
		return nil, err
	}
	actor := call.Actor
	if actor == "" {
		actor = a.opts.Actor
	}
	return &ops.Runner{
		Sandbox: sb,
		Audit:   auditor,
		Metrics: a.opts.Metrics,
		Actor:   actor,
		Mode:    sb.mode,
		DryRun:  call.DryRun,
		Now:     a.opts.Now,
	}, nil
}

// Close logs out the pooled sessions (the cached one stays for the next
// process), closes the SSH connection and writes the metrics textfile if
// one is configured. It is safe to call more than once.
func (a *App) Close(ctx context.Context) error {
	a.mu.Lock()
	p, conn, done := a.pool, a.ssh, a.closed
	a.pool, a.ssh, a.closed = nil, nil, true
	a.mu.Unlock()
	if done {
		return nil
	}
	var err error
	if conn != nil {
		err = conn.Close()
	}
	if p != nil {
		err = errors.Join(err, p.Close(ctx))
	}
	if tf := a.cfg.Metrics.Textfile; tf != "" {
		if werr := a.opts.Metrics.WriteTextfile(a.ExpandHome(tf)); werr != nil {
			err = errors.Join(err, werr)
		}
	}
	return err
}

// OSActor names the user running this process and the machine:
// "alice@build7".
func OSActor() string {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	host, _ := os.Hostname()
	return name + "@" + host
}

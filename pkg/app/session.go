package app

import (
	"context"
	"fmt"

	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/ops"
)

// ClientConfig turns the configuration into a connection configuration.
// A password from the environment, the file or a password_file is read
// now (cheap), so that a cached session made with another password is not
// used; a password_command runs only when a login is needed, once.
func (a *App) ClientConfig(ctx context.Context) (client.Config, error) {
	cfg := a.cfg
	if err := cfg.Validate(true); err != nil {
		return client.Config{}, err
	}
	cc := client.Config{
		Host: cfg.ESXi.Host, User: cfg.ESXi.User,
		Thumbprint: cfg.ESXi.Thumbprint, CAFile: a.ExpandHome(cfg.ESXi.CAFile), Insecure: cfg.ESXi.Insecure,
		KeepAlive: cfg.ESXi.KeepAlive, Warn: a.opts.Warn, Logger: a.opts.Logger,
		Observer: clientMetrics{a.opts.Metrics},
	}
	if cfg.ESXi.SessionCacheEnabled() {
		cc.SessionDir = cfg.SessionDir()
	}
	if a.opts.CacheOnly {
		// The cached session or nothing; a password that is cheap to read
		// is still checked against it.
		cc.CacheOnly = true
		if cfg.ESXi.Password != "" || cfg.ESXi.PasswordFile != "" {
			cc.Password, _ = cfg.ESXi.ResolvePassword(ctx)
		}
		return cc, nil
	}
	if cfg.ESXi.Password == "" && cfg.ESXi.PasswordFile == "" && cfg.ESXi.PasswordCommand != "" {
		cc.PasswordFunc = a.commandPassword
		return cc, nil
	}
	pw, err := cfg.ESXi.ResolvePassword(ctx)
	if err != nil {
		return client.Config{}, err
	}
	if pw == "" {
		return client.Config{}, a.noPassword()
	}
	cc.Password = pw
	return cc, nil
}

func (a *App) noPassword() error {
	return fmt.Errorf("%w: no password for %s: set ESXI_PASSWORD or ESXI_PASSWORD_FILE, or esxi.password_file or esxi.password_command",
		config.ErrSecret, a.cfg.ESXi.Host)
}

// commandPassword runs esxi.password_command once per App and keeps its
// answer (or its error) for the other sessions of the pool.
func (a *App) commandPassword(ctx context.Context) (string, error) {
	a.pwMu.Lock()
	defer a.pwMu.Unlock()
	if !a.pwDone {
		a.pw, a.pwErr = a.cfg.ESXi.ResolvePassword(ctx)
		if a.pwErr == nil && a.pw == "" {
			a.pwErr = a.noPassword()
		}
		a.pwDone = true
	}
	return a.pw, a.pwErr
}

// Pool returns the session pool, connecting its first session (from the
// session cache when possible) so that connection errors show at once.
func (a *App) Pool(ctx context.Context) (*client.Pool, error) {
	a.mu.Lock()
	p := a.pool
	a.mu.Unlock()
	if p != nil {
		return p, nil
	}
	cc, err := a.ClientConfig(ctx)
	if err != nil {
		return nil, err
	}
	first, err := client.Connect(ctx, cc)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.pool != nil { // another caller won
		_ = first.Close(ctx)
		return a.pool, nil
	}
	a.pool = client.NewPool(cc, a.cfg.ESXi.PoolSize, first)
	return a.pool, nil
}

// WithSession runs fn with a session borrowed from the pool and gives it
// back when fn returns. It is the one way operations borrow sessions: what
// fn builds on the session (a vm.Host, a backup.Deps) must not outlive fn.
func WithSession[T any](ctx context.Context, a *App, fn func(*client.Client) (T, error)) (T, error) {
	var zero T
	p, err := a.Pool(ctx)
	if err != nil {
		return zero, err
	}
	ops.UseTransport(ctx, config.TransportAPI)
	var out T
	err = p.Do(ctx, func(c *client.Client) error {
		var ferr error
		out, ferr = fn(c)
		return ferr
	})
	return out, err
}

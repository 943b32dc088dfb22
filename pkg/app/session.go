package app

import (
	"context"
	"fmt"

	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/ops"
)

// ClientConfig turns the configuration into a connection configuration,
// resolving the password.
func (a *App) ClientConfig(ctx context.Context) (client.Config, error) {
	cfg := a.cfg
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
		Thumbprint: cfg.ESXi.Thumbprint, CAFile: a.ExpandHome(cfg.ESXi.CAFile), Insecure: cfg.ESXi.Insecure,
		KeepAlive: cfg.ESXi.KeepAlive, Warn: a.opts.Warn, Logger: a.opts.Logger,
		Observer: clientMetrics{a.opts.Metrics},
	}
	if cfg.ESXi.SessionCacheEnabled() {
		cc.SessionDir = cfg.SessionDir()
	}
	return cc, nil
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

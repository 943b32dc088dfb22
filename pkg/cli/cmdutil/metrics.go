package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/metrics"
	"github.com/ceso/ceso/pkg/security"
)

// DefaultMetricsLinger is how long a one-shot command with
// --metrics-enabled keeps serving after its work, waiting for one more
// scrape so that its final counters are collected.
const DefaultMetricsLinger = 15 * time.Second

// ServeMetrics starts the /metrics listener of a one-shot command
// (--metrics-enabled) on metrics.listen, metrics.port and metrics.path,
// answering only the addresses of security.ip_allowlist when it is set.
func (f *Factory) ServeMetrics(ctx context.Context) error {
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	allow, err := allowFunc(cfg.Security.IPAllowlist)
	if err != nil {
		return err
	}
	srv, err := f.Metrics.Serve(ctx, metrics.Options{
		Listen: cfg.Metrics.Listen, Port: cfg.Metrics.Port, Path: cfg.Metrics.Path, Allow: allow, Logger: f.Logger(),
	})
	if err != nil {
		return fmt.Errorf("%w: serving metrics: %w", config.ErrInvalid, err)
	}
	f.mu.Lock()
	f.metricsSrv = srv
	f.mu.Unlock()
	fmt.Fprintf(f.IO.ErrOut, "serving metrics on %s\n", srv.URL())
	return nil
}

// StopMetrics waits up to linger for one more scrape, then stops the
// listener. It does nothing when none was started.
func (f *Factory) StopMetrics(ctx context.Context, linger time.Duration) error {
	f.mu.Lock()
	srv := f.metricsSrv
	f.metricsSrv = nil
	f.mu.Unlock()
	if srv == nil {
		return nil
	}
	defer func() { _ = srv.Close(context.WithoutCancel(ctx)) }()
	if linger > 0 {
		wctx, cancel := context.WithTimeout(ctx, linger)
		err := srv.WaitScrape(wctx)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) {
			fmt.Fprintf(f.IO.ErrOut, "note: no scrape of %s within %s of the end\n", srv.URL(), linger)
		}
	}
	return nil
}

// allowFunc turns security.ip_allowlist into the listener's check, with
// pkg/security's Allowlist (v4, v6, v4-mapped); nil allows every client
// that reaches it. A scrape's peer is the client: no proxy header applies.
func allowFunc(list []string) (func(net.IP) bool, error) {
	if len(list) == 0 {
		return nil, nil
	}
	al, err := security.NewAllowlist(list, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", config.ErrInvalid, err)
	}
	return func(ip net.IP) bool {
		a, ok := netip.AddrFromSlice(ip)
		return ok && al.Allows(a.Unmap())
	}, nil
}

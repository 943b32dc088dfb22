package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/mcp"
	"github.com/ceso/ceso/pkg/operations"
	"github.com/ceso/ceso/pkg/security"
	"github.com/ceso/ceso/pkg/server/api"
	"github.com/rs/zerolog"
)

// Options configure a Server. App is required.
type Options struct {
	// App runs every operation. The caller opens it and closes it after
	// Shutdown.
	App *app.App
	// Listen overrides server.listen (--listen).
	Listen string
	// Logger receives what the server does: refusals, jobs, shutdown.
	Logger zerolog.Logger
	// Out receives what an operator must see once: the address and the
	// certificate's fingerprint.
	Out io.Writer
	// Now is the clock of jobs and their retention (time.Now when nil).
	Now func() time.Time
	// Catalog is the operations served (operations.Catalog() when nil).
	Catalog []operations.Def
}

// Server is `ceso serve`. It is safe for concurrent use.
type Server struct {
	opts    Options
	app     *app.App
	log     zerolog.Logger
	now     func() time.Time
	tokens  *tokens
	allow   *security.Allowlist
	jobs    *jobStore
	openapi []byte
	handler http.Handler
	// secrets are scrubbed from every response; set by Listen, with the
	// values they were made of (known), which MCP results mask too.
	secrets secrets
	known   []string
	// mcp serves /mcp.
	mcp *mcp.Server
	// afterWrite is called when a write returns, before its job ends.
	afterWrite func()
	// stopInventory stops the inventory cache Listen started.
	stopInventory func()

	mu          sync.Mutex
	srv         *http.Server
	url         string
	fingerprint string
	served      chan struct{}
	serveErr    error
}

// New prepares a server on opts.App's configuration: its tokens, its
// allowlist, its routes. Nothing listens until Listen.
func New(opts Options) (*Server, error) {
	if opts.App == nil {
		return nil, errors.New("server.New needs an App")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Out == nil {
		opts.Out = io.Discard
	}
	if opts.Catalog == nil {
		opts.Catalog = operations.Catalog()
	}
	cfg := opts.App.Config()
	toks, err := newTokens(cfg)
	if err != nil {
		return nil, err
	}
	allow, err := security.NewAllowlist(cfg.Security.IPAllowlist, nil)
	if err != nil {
		return nil, err
	}
	doc, err := OpenAPIJSON(opts.Catalog)
	if err != nil {
		return nil, err
	}
	s := &Server{opts: opts, app: opts.App, log: opts.Logger, now: opts.Now, tokens: toks, allow: allow, openapi: doc}
	s.jobs = newJobStore(s.now, cfg.Server.JobRetention, cfg.Server.MaxJobs, opts.App.Metrics(), s.log)
	// A write through the API makes the inventory cache wait until the
	// host's collector reported it, so the caller's next list shows it.
	s.afterWrite = func() {
		if inv := s.app.Inventory(); inv != nil {
			inv.Invalidate()
		}
	}
	s.mcp, err = mcp.New(mcp.Options{
		App: opts.App, Catalog: opts.Catalog, Logger: s.log, Now: s.now, Version: opts.App.Version(),
		Secrets: func() []string { return s.known },
	})
	if err != nil {
		return nil, err
	}
	s.handler = s.routes(opts.Catalog)
	if len(cfg.Server.Tokens) == 0 {
		s.log.Warn().Msg("server.tokens is empty: every API call will be refused; make a token with ceso serve token new NAME")
	}
	return s, nil
}

// Listen resolves the secrets to keep out of responses, binds the address
// (TLS beyond loopback) and serves until Shutdown.
func (s *Server) Listen(ctx context.Context) error {
	cfg := s.app.Config()
	listen := s.opts.Listen
	if listen == "" {
		listen = cfg.Server.Listen
	}
	var known []string
	if pw, err := cfg.ESXi.ResolvePassword(ctx); err == nil {
		known = append(known, pw)
	}
	if pw, err := cfg.SSH.ResolvePassword(ctx); err == nil {
		known = append(known, pw)
	}
	s.secrets, s.known = newSecrets(known...), known
	tlsConf, made, err := serverTLS(listen, s.app.ExpandHome(cfg.Server.TLSCert), s.app.ExpandHome(cfg.Server.TLSKey), cfg.StateDir, s.now())
	if err != nil {
		return err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", listen)
	if err != nil {
		return fmt.Errorf("%w: %s (server.listen, --listen): %w", ErrListen, listen, err)
	}
	scheme := "http"
	if tlsConf != nil {
		scheme = "https"
		s.fingerprint = api.Fingerprint(tlsConf.Certificates[0].Certificate[0])
		ln = tls.NewListener(ln, tlsConf)
	}
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		WriteTimeout:      cfg.Server.SyncWait + time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          log.New(logWriter{s.log}, "", 0),
	}
	// MCP sessions hold event streams open: close them when shutting down,
	// or the server would wait for them until server.shutdown_timeout.
	srv.RegisterOnShutdown(s.mcp.Close)
	s.mu.Lock()
	s.srv, s.url, s.served = srv, scheme+"://"+ln.Addr().String(), make(chan struct{})
	s.mu.Unlock()
	go func() {
		defer close(s.served)
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			s.serveErr = err
		}
	}()
	if cfg.Server.InventoryCacheEnabled() {
		s.stopInventory = s.app.WatchInventory(context.WithoutCancel(ctx))
	}
	fmt.Fprintf(s.opts.Out, "ceso serve: listening on %s\n", s.url)
	if tlsConf != nil {
		if made {
			fmt.Fprintf(s.opts.Out, "made a self-signed certificate in %s\n", cfg.StateDir)
		}
		fmt.Fprintf(s.opts.Out, "certificate SHA-256 fingerprint: %s\n(pin it on clients with server.thumbprint or --server-thumbprint)\n", s.fingerprint)
	}
	s.log.Info().Str("url", s.url).Str("fingerprint", s.fingerprint).Int("tokens", len(cfg.Server.Tokens)).Msg("serving")
	return nil
}

// URL is the server's base URL (http://ADDR or https://ADDR); "" before
// Listen.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// Fingerprint is the SHA-256 fingerprint of the server's certificate; ""
// over plain HTTP.
func (s *Server) Fingerprint() string { return s.fingerprint }

// Run listens and serves until ctx ends, then shuts down gracefully.
func (s *Server) Run(ctx context.Context) error {
	if err := s.Listen(ctx); err != nil {
		return err
	}
	select {
	case <-ctx.Done():
	case <-s.served:
	}
	return errors.Join(s.serveErr, s.Shutdown(context.WithoutCancel(ctx)))
}

// Shutdown stops taking requests and jobs; running operations may finish
// for server.shutdown_timeout (or until ctx ends), then they are
// cancelled. Each is logged as finished or cancelled, and the runner
// records its end in the audit log. The App is left open.
func (s *Server) Shutdown(ctx context.Context) error {
	timeout := s.app.Config().Server.ShutdownTimeout
	s.log.Info().Dur("timeout", timeout).Msg("shutting down: running operations may finish, then they are cancelled")
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	s.mu.Lock()
	srv, served := s.srv, s.served
	s.mu.Unlock()
	httpDone := make(chan error, 1)
	go func() {
		if srv == nil {
			httpDone <- nil
			return
		}
		httpDone <- srv.Shutdown(dctx)
	}()
	jobsErr := s.jobs.drain(dctx)
	if err := <-httpDone; err != nil && srv != nil {
		_ = srv.Close()
	}
	if served != nil {
		<-served
	}
	if s.stopInventory != nil {
		s.stopInventory()
	}
	s.log.Info().Msg("server stopped")
	return jobsErr
}

// logWriter carries net/http's own error lines to the logger.
type logWriter struct{ l zerolog.Logger }

func (w logWriter) Write(p []byte) (int, error) {
	w.l.Warn().Msg(strings.TrimSpace(string(p)))
	return len(p), nil
}

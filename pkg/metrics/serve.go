package metrics

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// Defaults of Options, the brief's metrics.listen and metrics.path.
const (
	DefaultListen = "127.0.0.1"
	DefaultPort   = 9090
	DefaultPath   = "/metrics"
)

// shutdownTimeout bounds how long a cancelled context waits for scrapes in
// flight before the connections are closed.
const shutdownTimeout = 5 * time.Second

// Options say where Serve listens and whom it answers.
type Options struct {
	// Listen is the IP address to listen on; "" and "localhost" mean
	// 127.0.0.1.
	Listen string
	// Port is the TCP port; 0 picks a free one (Server.Addr tells which).
	Port int
	// Path is the URL path of the metrics; "" means /metrics.
	Path string
	// Allow, when set, decides from the client's address whether it may
	// scrape; it runs before the handler, and a refused client gets 403.
	// Nil allows every client that can reach the listener.
	Allow func(net.IP) bool
	// Logger receives listener errors (refused clients at debug level).
	// The zero Logger discards them.
	Logger zerolog.Logger
}

func (o Options) resolve() (Options, error) {
	switch o.Listen {
	case "", "localhost":
		o.Listen = DefaultListen
	}
	if net.ParseIP(o.Listen) == nil {
		return o, fmt.Errorf("metrics.listen: want an IP address, got %q", o.Listen)
	}
	if o.Port < 0 || o.Port > 65535 {
		return o, fmt.Errorf("metrics.port: want 0 to 65535, got %d", o.Port)
	}
	if o.Path == "" {
		o.Path = DefaultPath
	}
	if !strings.HasPrefix(o.Path, "/") {
		return o, fmt.Errorf("metrics.path: want a path starting with /, got %q", o.Path)
	}
	return o, nil
}

// Server serves the metrics until its context ends or Close is called.
type Server struct {
	opts    Options
	handler http.Handler
	srv     *http.Server
	ln      net.Listener
	stop    func() bool
	done    chan struct{} // closed when the HTTP server has stopped
	err     error         // why it stopped, if not by Close; set before done

	mu      sync.Mutex
	scraped chan struct{} // closed and replaced after each scrape
}

// Serve listens on opts' address and serves the registry at opts.Path until
// ctx ends or Close is called. It returns once the port is bound, so a
// busy port or a bad option is an error here, not later.
func (m *Metrics) Serve(ctx context.Context, opts Options) (*Server, error) {
	opts, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	addr := net.JoinHostPort(opts.Listen, strconv.Itoa(opts.Port))
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listening for metrics on %s: %w", addr, err)
	}
	s := &Server{opts: opts, handler: m.Handler(), ln: ln, done: make(chan struct{}), scraped: make(chan struct{})}
	s.srv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		WriteTimeout:      time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          log.New(zerologWriter{opts.Logger}, "", 0),
	}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			s.err = fmt.Errorf("serving metrics on %s: %w", s.Addr(), err)
		}
	}()
	s.stop = context.AfterFunc(ctx, func() {
		sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		_ = s.shutdown(sctx)
	})
	return s, nil
}

// Addr is the address the server listens on, with the port it got.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL is the address of the metrics: http://ADDR/PATH.
func (s *Server) URL() string { return "http://" + s.Addr() + s.opts.Path }

// Done is closed once the server has stopped.
func (s *Server) Done() <-chan struct{} { return s.done }

// Close stops the server: it refuses new connections, waits for the scrapes
// in flight until ctx ends, then closes what is left. It returns the error
// that stopped the server earlier, if any. It may be called more than once.
func (s *Server) Close(ctx context.Context) error {
	s.stop()
	return s.shutdown(ctx)
}

func (s *Server) shutdown(ctx context.Context) error {
	if err := s.srv.Shutdown(ctx); err != nil {
		_ = s.srv.Close()
	}
	<-s.done
	return s.err
}

// WaitScrape waits until a scrape that completes after the call, for a
// one-shot command that wants to be scraped once more before it exits. It
// returns ctx's error if ctx ends first and an error if the server stops.
func (s *Server) WaitScrape(ctx context.Context) error {
	s.mu.Lock()
	next := s.scraped
	s.mu.Unlock()
	select {
	case <-next:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("waiting for a metrics scrape: %w", ctx.Err())
	case <-s.done:
		return errors.New("waiting for a metrics scrape: the metrics server stopped")
	}
}

// ServeHTTP checks the client against the allowlist, then the path and
// method, then serves the registry.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(r.RemoteAddr) {
		s.opts.Logger.Debug().Str("client", r.RemoteAddr).Msg("metrics scrape refused by the IP allowlist")
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	if r.URL.Path != s.opts.Path {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	s.handler.ServeHTTP(w, r)
	s.mu.Lock()
	close(s.scraped)
	s.scraped = make(chan struct{})
	s.mu.Unlock()
}

// allowed asks opts.Allow about the client's address (an IPv4 address
// mapped into IPv6 is asked as IPv4). An address it cannot parse is
// refused when there is an allowlist.
func (s *Server) allowed(remote string) bool {
	if s.opts.Allow == nil {
		return true
	}
	ap, err := netip.ParseAddrPort(remote)
	if err != nil {
		return false
	}
	return s.opts.Allow(net.IP(ap.Addr().Unmap().WithZone("").AsSlice()))
}

// zerologWriter carries net/http's own error lines to the logger.
type zerologWriter struct{ l zerolog.Logger }

func (z zerologWriter) Write(p []byte) (int, error) {
	z.l.Warn().Msg(strings.TrimSpace(string(p)))
	return len(p), nil
}

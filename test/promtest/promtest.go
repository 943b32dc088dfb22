package promtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Target is one scrape job.
type Target struct {
	Job  string // job label
	Addr string // host:port, a loopback address
	Path string // metrics path; "" means /metrics
}

// Options tune Start. The zero value is usable.
type Options struct {
	// Binary is the prometheus executable; "" looks up "prometheus" in PATH.
	Binary string
	// ScrapeInterval is the scrape and rule evaluation interval; 0 means 1s.
	ScrapeInterval time.Duration
	// RuleFiles are loaded by the server (absolute paths, or relative to
	// the test's working directory).
	RuleFiles []string
	// StartTimeout bounds the wait for the server to be ready; 0 means 60s.
	StartTimeout time.Duration
}

// Server is a running Prometheus.
type Server struct {
	// URL is the server's base address, http://127.0.0.1:PORT.
	URL string

	cmd    *exec.Cmd
	exited chan struct{}
	logs   *syncBuffer
	client *http.Client
}

// Start starts Prometheus scraping targets and stops it at the end of the
// test. It skips the test when the binary is missing (fails under CI=true)
// and fails it when the server does not become ready in time, with the
// server's log.
func Start(t testing.TB, targets []Target, opts Options) *Server {
	t.Helper()
	bin, err := binary(opts.Binary)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	opts = withDefaults(opts)
	dir := t.TempDir()
	config, err := Config(targets, opts)
	if err != nil {
		t.Fatal(err)
	}
	configPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(configPath, config, 0o644); err != nil {
		t.Fatal(err)
	}
	var s *Server
	// The free port is found by listening on it and closing it, so another
	// process may take it in between: try again with another one.
	for attempt := 1; ; attempt++ {
		s, err = start(bin, configPath, dir, opts.StartTimeout)
		if err == nil || attempt == 3 {
			break
		}
		t.Logf("prometheus did not start (attempt %d): %v", attempt, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.stop(); err != nil {
			t.Errorf("stopping prometheus: %v", err)
		}
		if t.Failed() {
			t.Logf("prometheus log:\n%s", s.logs.String())
		}
	})
	return s
}

func binary(name string) (string, error) {
	if name == "" {
		name = "prometheus"
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%s not found: install Debian's prometheus package (.ci/run does): %w", name, err)
	}
	return path, nil
}

func withDefaults(o Options) Options {
	if o.ScrapeInterval <= 0 {
		o.ScrapeInterval = time.Second
	}
	if o.StartTimeout <= 0 {
		o.StartTimeout = time.Minute
	}
	return o
}

func start(bin, configPath, dir string, timeout time.Duration) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	data := filepath.Join(dir, "data-"+strconv.Itoa(port))
	cmd := exec.Command(bin,
		"--config.file="+configPath,
		"--storage.tsdb.path="+data,
		"--web.listen-address="+addr,
		"--log.level=info",
	)
	logs := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	s := &Server{URL: "http://" + addr, cmd: cmd, exited: make(chan struct{}), logs: logs,
		client: &http.Client{Timeout: 10 * time.Second}}
	go func() {
		_ = cmd.Wait()
		close(s.exited)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := s.waitReady(ctx); err != nil {
		_ = s.stop()
		return nil, fmt.Errorf("%w\nprometheus log:\n%s", err, logs.String())
	}
	return s, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitReady polls /-/ready until the server answers 200.
func (s *Server) waitReady(ctx context.Context) error {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/-/ready", nil)
		if err != nil {
			return err
		}
		if resp, err := s.client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("prometheus at %s not ready: %w", s.URL, ctx.Err())
		case <-s.exited:
			return fmt.Errorf("prometheus exited before it was ready: %v", s.cmd.ProcessState)
		case <-tick.C:
		}
	}
}

// stop sends SIGTERM, waits up to 10 s, then kills.
func (s *Server) stop() error {
	select {
	case <-s.exited:
		return nil
	default:
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	select {
	case <-s.exited:
		return nil
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
		return errors.New("prometheus ignored SIGTERM for 10 s and was killed")
	}
}

// syncBuffer collects the server's log from its two output streams.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

package metrics

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// serve starts a server on a free loopback port, stopped at cleanup.
func serve(t *testing.T, m *Metrics, opts Options) *Server {
	t.Helper()
	s, err := m.Serve(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Close(ctx); err != nil {
			t.Error(err)
		}
	})
	return s
}

func get(t *testing.T, method, url string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp.Header
}

func TestServe(t *testing.T) {
	m := New(false)
	m.ObserveOperation("vm.create", "success", 3)
	s := serve(t, m, Options{Port: 0, Path: "/custom"})
	if !strings.HasPrefix(s.Addr(), "127.0.0.1:") || strings.HasSuffix(s.Addr(), ":0") {
		t.Fatalf("Addr = %s, want 127.0.0.1 and the port it got", s.Addr())
	}
	base := "http://" + s.Addr()
	for _, tt := range []struct {
		name, method, path string
		code               int
		body               string
	}{
		{"metrics", "GET", "/custom", 200, `ceso_vm_operation_total{operation="vm.create",status="success"} 1`},
		{"head", "HEAD", "/custom", 200, ""},
		{"other path", "GET", "/metrics", 404, "not found"},
		{"post", "POST", "/custom", 405, "method not allowed"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, body, hdr := get(t, tt.method, base+tt.path)
			if code != tt.code || !strings.Contains(body, tt.body) {
				t.Fatalf("%s %s = %d\n%s", tt.method, tt.path, code, body)
			}
			if code == 405 && hdr.Get("Allow") != "GET, HEAD" {
				t.Errorf("Allow = %q", hdr.Get("Allow"))
			}
		})
	}
	if s.URL() != base+"/custom" {
		t.Errorf("URL = %s", s.URL())
	}
}

// TestServeAllowlist: the allowlist runs before the handler, whatever the
// path, and sees the client's address.
func TestServeAllowlist(t *testing.T) {
	var mu sync.Mutex
	var asked []string
	deny := func(ip net.IP) bool {
		mu.Lock()
		defer mu.Unlock()
		asked = append(asked, ip.String())
		return false
	}
	s := serve(t, New(false), Options{Listen: "127.0.0.1", Allow: deny})
	for _, path := range []string{"/metrics", "/elsewhere"} {
		code, body, _ := get(t, "GET", "http://"+s.Addr()+path)
		if code != http.StatusForbidden || strings.Contains(body, "ceso_") {
			t.Fatalf("GET %s from a refused client = %d\n%s", path, code, body)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(asked) != 2 || asked[0] != "127.0.0.1" {
		t.Fatalf("Allow was asked about %v, want 127.0.0.1 twice", asked)
	}

	allow := func(ip net.IP) bool { return ip.IsLoopback() }
	s2 := serve(t, New(false), Options{Allow: allow})
	if code, _, _ := get(t, "GET", s2.URL()); code != 200 {
		t.Fatalf("allowed client got %d", code)
	}
}

func TestAllowedParsesAddresses(t *testing.T) {
	var got net.IP
	s := &Server{opts: Options{Allow: func(ip net.IP) bool { got = ip; return true }}}
	for _, tt := range []struct {
		remote, want string
		ok           bool
	}{
		{"10.1.2.3:5555", "10.1.2.3", true},
		{"[::ffff:10.1.2.3]:5555", "10.1.2.3", true},
		{"[fe80::1%eth0]:5555", "fe80::1", true},
		{"[::1]:80", "::1", true},
		{"garbage", "", false},
	} {
		got = nil
		if ok := s.allowed(tt.remote); ok != tt.ok || (ok && (got.String() != tt.want || (tt.want == "10.1.2.3" && len(got) != 4))) {
			t.Errorf("allowed(%q) = %v with %v, want %v with %s", tt.remote, ok, got, tt.ok, tt.want)
		}
	}
}

func TestServeOptionErrors(t *testing.T) {
	m := New(false)
	busy := serve(t, m, Options{})
	_, port, _ := net.SplitHostPort(busy.Addr())
	for _, tt := range []struct {
		name string
		opts Options
		want string
	}{
		{"listen", Options{Listen: "everywhere"}, "metrics.listen"},
		{"port", Options{Port: 70000}, "metrics.port"},
		{"negative port", Options{Port: -1}, "metrics.port"},
		{"path", Options{Path: "metrics"}, "metrics.path"},
		{"busy port", Options{Port: atoi(t, port)}, "listening for metrics on 127.0.0.1:" + port},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := m.Serve(context.Background(), tt.opts)
			if err == nil {
				s.Close(context.Background())
				t.Fatal("Serve succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not name %q", err, tt.want)
			}
		})
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n := 0
	for _, r := range s {
		n = n*10 + int(r-'0')
	}
	return n
}

// TestServeStopsWithItsContext: cancelling the context closes the listener.
func TestServeStopsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s, err := New(false).Serve(ctx, Options{Listen: "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case <-s.Done():
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not stop with its context")
	}
	if _, err := net.DialTimeout("tcp", s.Addr(), 5*time.Second); err == nil {
		t.Fatal("the port still accepts connections")
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatalf("Close after the context ended: %v", err)
	}
	if err := s.WaitScrape(context.Background()); err == nil {
		t.Fatal("WaitScrape on a stopped server returned nil")
	}
}

func TestWaitScrape(t *testing.T) {
	s := serve(t, New(false), Options{})
	// A misdirected request is not a scrape.
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	go func() {
		if resp, err := http.Get("http://" + s.Addr() + "/nothing"); err == nil {
			resp.Body.Close()
		}
	}()
	if err := s.WaitScrape(ctx); err == nil {
		t.Fatal("WaitScrape returned without a scrape")
	}

	waited := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		waited <- s.WaitScrape(ctx)
	}()
	for {
		get(t, "GET", s.URL())
		select {
		case err := <-waited:
			if err != nil {
				t.Fatal(err)
			}
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
}

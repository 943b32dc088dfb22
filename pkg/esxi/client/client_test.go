package client

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/errkind"
	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

func TestConnectVerification(t *testing.T) {
	h := startHost(t)
	t1, t256 := h.thumbprints()
	tests := []struct {
		name    string
		modify  func(*Config)
		wantErr error
		kind    errkind.Kind
		inMsg   string
	}{
		{"sha1 thumbprint", func(c *Config) { c.Thumbprint = t1 }, nil, 0, ""},
		{"sha256 thumbprint", func(c *Config) { c.Thumbprint = t256 }, nil, 0, ""},
		{"lower-case thumbprint", func(c *Config) { c.Thumbprint = strings.ToLower(t256) }, nil, 0, ""},
		{"ca file", func(c *Config) { c.Thumbprint, c.CAFile = "", h.caFile }, nil, 0, ""},
		{"wrong password", func(c *Config) { c.Password = "wrong" }, ErrInvalidLogin, errkind.Auth, "esxi.user"},
		{"wrong user", func(c *Config) { c.User = "admin" }, ErrInvalidLogin, errkind.Auth, "admin"},
		{"wrong thumbprint", func(c *Config) { c.Thumbprint = strings.Repeat("AB:", 19) + "AB" }, ErrThumbprintMismatch, errkind.Connection, t256},
		{"nothing pinned", func(c *Config) { c.Thumbprint = "" }, ErrCertUntrusted, errkind.Connection, "--thumbprint " + t256},
		{"bad ca file", func(c *Config) { c.Thumbprint, c.CAFile = "", filepath.Join(t.TempDir(), "none.pem") }, ErrCertUntrusted, errkind.Connection, "CA file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := h.config(t)
			tt.modify(&cfg)
			c, err := Connect(ctxTimeout(t, 10*time.Second), cfg)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatal(err)
				}
				if err := ping(context.Background(), c); err != nil {
					t.Fatal(err)
				}
				if c.IsVCenter() {
					t.Error("a standalone host reported as vCenter")
				}
				_ = c.Logout(context.Background())
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			if errkind.Of(err) != tt.kind {
				t.Errorf("kind %v, want %v", errkind.Of(err), tt.kind)
			}
			if !strings.Contains(err.Error(), tt.inMsg) {
				t.Errorf("message %q should contain %q", err, tt.inMsg)
			}
			if strings.Contains(err.Error(), testPassword) {
				t.Error("password in error message")
			}
		})
	}
}

func TestConnectInsecureWarns(t *testing.T) {
	h := startHost(t)
	cfg := h.config(t)
	cfg.Thumbprint = ""
	cfg.Insecure = true
	var warn bytes.Buffer
	cfg.Warn = &warn
	c, err := Connect(ctxTimeout(t, 10*time.Second), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Logout(context.Background())
	if !strings.Contains(warn.String(), "warning: certificate verification") {
		t.Fatalf("no warning on stderr: %q", warn.String())
	}
}

func TestConnectNetworkErrors(t *testing.T) {
	// A port with nothing listening.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := l.Addr().String()
	l.Close()

	// A port that accepts and never answers.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()

	tests := []struct {
		name string
		host string
		want error
		kind errkind.Kind
	}{
		{"refused", closedAddr, ErrConnectionRefused, errkind.Connection},
		{"dns", "no-such-host.invalid", ErrHostNotFound, errkind.Connection},
		{"timeout", silent.Addr().String(), ErrTimeout, errkind.Timeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, err := Connect(ctxTimeout(t, 500*time.Millisecond), Config{Host: tt.host, User: "root", Password: "x", Thumbprint: strings.Repeat("AB:", 19) + "AB"})
			if !errors.Is(err, tt.want) || errkind.Of(err) != tt.kind {
				t.Fatalf("error %v (kind %v), want %v", err, errkind.Of(err), tt.want)
			}
			if time.Since(start) > 5*time.Second {
				t.Errorf("took %v: the deadline was not honoured", time.Since(start))
			}
		})
	}
	if _, err := Connect(context.Background(), Config{User: "root"}); err == nil {
		t.Error("no host accepted")
	}
	if _, err := Connect(context.Background(), Config{Host: "h"}); err == nil {
		t.Error("no user accepted")
	}
}

func TestConnectNotESXi(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "<html>router admin page</html>", http.StatusNotFound)
	}))
	defer srv.Close()
	t1, _ := Thumbprints(srv.Certificate())
	u, _ := url.Parse(srv.URL)
	_, err := Connect(ctxTimeout(t, 5*time.Second), Config{Host: u.Host, User: "root", Password: "x", Thumbprint: t1})
	if !errors.Is(err, ErrNotESXi) || errkind.Of(err) != errkind.Connection {
		t.Fatalf("error %v, want ErrNotESXi", err)
	}
	if !strings.Contains(err.Error(), "/sdk") {
		t.Errorf("message does not say what to check: %v", err)
	}
}

func TestSessionReuseAcrossClients(t *testing.T) {
	h := startHost(t)
	cfg := h.config(t)
	cfg.SessionDir = filepath.Join(t.TempDir(), "sessions")

	first, err := Connect(ctxTimeout(t, 10*time.Second), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if first.FromCache() || first.Stats().Logins != 1 {
		t.Fatalf("first client: fromCache=%v logins=%d", first.FromCache(), first.Stats().Logins)
	}
	if err := first.Close(context.Background()); err != nil {
		t.Fatal(err)
	}

	fi, err := os.Stat(cfg.SessionDir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("session dir mode %v, %v", fi.Mode(), err)
	}
	files, _ := filepath.Glob(filepath.Join(cfg.SessionDir, "*.json"))
	if len(files) != 1 {
		t.Fatalf("cache files %v", files)
	}
	fi, _ = os.Stat(files[0])
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("cache file mode %v", fi.Mode())
	}
	data, _ := os.ReadFile(files[0])
	if bytes.Contains(data, []byte(testPassword)) {
		t.Fatal("password stored in the session cache")
	}

	second, err := Connect(ctxTimeout(t, 10*time.Second), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := ping(context.Background(), second); err != nil {
		t.Fatal(err)
	}
	st := second.Stats()
	if !second.FromCache() || st.Logins != 0 {
		t.Fatalf("second client logged in again: fromCache=%v logins=%d", second.FromCache(), st.Logins)
	}
	if st.RoundTrips != 1 {
		t.Errorf("reusing a session cost %d round trips, want 1 (the call itself)", st.RoundTrips)
	}
	// Logout removes the cached session: the next client logs in.
	if err := second.Logout(context.Background()); err != nil {
		t.Fatal(err)
	}
	third, err := Connect(ctxTimeout(t, 10*time.Second), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer third.Logout(context.Background())
	if third.FromCache() || third.Stats().Logins != 1 {
		t.Fatal("a logged-out session was reused")
	}
}

func TestLooseCacheFileIsDiscarded(t *testing.T) {
	h := startHost(t)
	cfg := h.config(t)
	cfg.SessionDir = t.TempDir()
	c, err := Connect(ctxTimeout(t, 10*time.Second), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Logout(context.Background())
	if err := os.Chmod(sessionFile(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	c2, err := Connect(ctxTimeout(t, 10*time.Second), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Logout(context.Background())
	if c2.FromCache() {
		t.Fatal("a world-readable cache file was trusted")
	}
}

func TestRenewalAfterTermination(t *testing.T) {
	h := startHost(t)
	cfg := h.config(t)
	cfg.SessionDir = t.TempDir()
	c, err := Connect(ctxTimeout(t, 10*time.Second), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Logout(context.Background())
	admin, err := Connect(ctxTimeout(t, 10*time.Second), h.config(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Logout(context.Background())

	// Terminate c's session from the admin session, as an operator or an
	// expiry would.
	var us *types.UserSession
	if us, err = session.NewManager(c.Vim()).UserSession(context.Background()); err != nil || us == nil {
		t.Fatalf("user session %v %v", us, err)
	}
	if err := session.NewManager(admin.Vim()).TerminateSession(context.Background(), []string{us.Key}); err != nil {
		t.Fatal(err)
	}
	before := c.Stats().Logins
	if err := ping(context.Background(), c); err != nil {
		t.Fatalf("call after termination failed instead of renewing: %v", err)
	}
	if got := c.Stats().Logins - before; got != 1 {
		t.Fatalf("renewal logged in %d times, want 1", got)
	}
	// The renewed session was cached: a new client reuses it without login.
	c2, err := Connect(ctxTimeout(t, 10*time.Second), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := ping(context.Background(), c2); err != nil || c2.Stats().Logins != 0 {
		t.Fatalf("renewed session not cached: %v logins=%d", err, c2.Stats().Logins)
	}
}

func TestRenewalFailsWithChangedPassword(t *testing.T) {
	h := startHost(t)
	cfg := h.config(t)
	cfg.SessionDir = t.TempDir()
	c, err := Connect(ctxTimeout(t, 10*time.Second), cfg)
	if err != nil {
		t.Fatal(err)
	}
	_ = c.Close(context.Background())
	// The cached session is terminated and the password is now wrong: the
	// first call must fail with a login error, not loop.
	admin, err := Connect(ctxTimeout(t, 10*time.Second), h.config(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Logout(context.Background())
	us, _ := session.NewManager(c.Vim()).UserSession(context.Background())
	if err := session.NewManager(admin.Vim()).TerminateSession(context.Background(), []string{us.Key}); err != nil {
		t.Fatal(err)
	}
	// A password command (not run to reuse a session): the cached session
	// is used as it is, and its renewal fails.
	cfg.Password = ""
	cfg.PasswordFunc = func(context.Context) (string, error) { return "changed", nil }
	c2, err := Connect(ctxTimeout(t, 10*time.Second), cfg)
	if err != nil {
		t.Fatal(err)
	}
	err = ping(context.Background(), c2)
	if !errors.Is(err, ErrInvalidLogin) || !errors.Is(err, ErrNotAuthenticated) {
		t.Fatalf("error %v, want a failed renewal with InvalidLogin", err)
	}
	if c2.Stats().Logins != 1 {
		t.Fatalf("renewal tried %d logins, want exactly 1", c2.Stats().Logins)
	}
}

func TestDeadlineHonoured(t *testing.T) {
	h := startHost(t)
	c, err := Connect(ctxTimeout(t, 10*time.Second), h.config(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Logout(context.Background())
	h.model.DelayConfig = simulator.DelayConfig{MethodDelay: map[string]int{"CurrentTime": 3000}}
	start := time.Now()
	err = ping(ctxTimeout(t, 200*time.Millisecond), c)
	if Classify(err) == nil || !errors.Is(Classify(err), ErrTimeout) {
		t.Fatalf("error %v, want a timeout", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Fatalf("call returned after %v: the deadline was not honoured", time.Since(start))
	}
}

func TestKeepAliveTouchesIdleSession(t *testing.T) {
	h := startHost(t)
	cfg := h.config(t)
	cfg.KeepAlive = 100 * time.Millisecond
	c, err := Connect(ctxTimeout(t, 10*time.Second), cfg)
	if err != nil {
		t.Fatal(err)
	}
	before := c.Stats().RoundTrips
	deadline := time.Now().Add(5 * time.Second)
	for c.Stats().RoundTrips == before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if err := c.Logout(context.Background()); err != nil {
		t.Fatal(err)
	}
	if c.Stats().RoundTrips <= before+1 {
		t.Fatal("keepalive sent nothing while the session was idle")
	}
	after := c.Stats().RoundTrips
	time.Sleep(300 * time.Millisecond)
	if c.Stats().RoundTrips != after {
		t.Fatal("keepalive still running after logout")
	}
}

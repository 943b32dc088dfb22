package server

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/server/api"
)

func TestLoopback(t *testing.T) {
	tests := map[string]bool{
		"127.0.0.1:8443": true, "[::1]:8443": true, "localhost:1": true, "127.9.9.9:1": true,
		"0.0.0.0:8443": false, ":8443": false, "10.0.0.5:8443": false, "esxi.lab:8443": false, "nonsense": false,
	}
	for listen, want := range tests {
		if got := Loopback(listen); got != want {
			t.Errorf("Loopback(%q) = %v", listen, got)
		}
	}
}

// pinnedClient trusts only the certificate with fingerprint fp.
func pinnedClient(fp string) *http.Client {
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{
		InsecureSkipVerify: true, //nolint:gosec // verified by fingerprint below
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 || api.Fingerprint(raw[0]) != fp {
				return errors.New("fingerprint mismatch")
			}
			return nil
		},
	}}}
}

// TestBeyondLoopbackTLSIsRequired: listening on every interface, the
// server makes a self-signed pair in the state directory on first start,
// prints its fingerprint, and keeps it across restarts; only TLS answers.
func TestBeyondLoopbackTLSIsRequired(t *testing.T) {
	ts := newTestServer(t, serverOpts{noListen: true})
	start := func() (*Server, string) {
		var out bytes.Buffer
		s, err := New(Options{App: ts.app, Listen: "0.0.0.0:0", Out: &out})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Listen(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Shutdown(context.Background()) })
		return s, out.String()
	}
	s, out := start()
	if !strings.HasPrefix(s.URL(), "https://") || len(s.Fingerprint()) != 95 || !strings.Contains(out, s.Fingerprint()) || !strings.Contains(out, "made a self-signed certificate") {
		t.Fatalf("url %s fingerprint %q output %q", s.URL(), s.Fingerprint(), out)
	}
	key, err := os.Stat(filepath.Join(ts.cfg.StateDir, selfSignedKey))
	if err != nil || key.Mode().Perm() != 0o600 {
		t.Fatalf("key file %v %v", key, err)
	}
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(s.URL(), "https://"))
	url := "https://127.0.0.1:" + port + api.HealthPath
	resp, err := pinnedClient(s.Fingerprint()).Get(url)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("pinned: %v %v", resp, err)
	}
	resp.Body.Close()
	if _, err := pinnedClient(strings.Repeat("00:", 31) + "00").Get(url); err == nil {
		t.Fatal("a wrong pin was accepted")
	}
	if resp, err := http.Get("http://127.0.0.1:" + port + api.HealthPath); err == nil && resp.StatusCode == http.StatusOK {
		t.Fatal("plain HTTP answered beyond loopback")
	}
	again, out := start()
	if again.Fingerprint() != s.Fingerprint() || strings.Contains(out, "made a self-signed") {
		t.Fatalf("a restart made a new certificate: %q", out)
	}
}

// TestConfiguredCertificate: with server.tls_cert and tls_key the server
// speaks TLS even on loopback; a bad pair is a configuration error naming
// the keys.
func TestConfiguredCertificate(t *testing.T) {
	dir := t.TempDir()
	cert, key := filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	if _, err := ensureSelfSigned(cert, key, "127.0.0.1:0", time.Now()); err != nil {
		t.Fatal(err)
	}
	ts := newTestServer(t, serverOpts{configure: func(c *config.Config) { c.Server.TLSCert, c.Server.TLSKey = cert, key }})
	if !strings.HasPrefix(ts.srv.URL(), "https://") || ts.srv.Fingerprint() == "" {
		t.Fatalf("url %s", ts.srv.URL())
	}
	resp, err := pinnedClient(ts.srv.Fingerprint()).Get(ts.srv.URL() + api.HealthPath)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%v %v", resp, err)
	}
	resp.Body.Close()
	if err := os.WriteFile(key, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	bad, _ := New(Options{App: ts.app})
	err = bad.Listen(context.Background())
	if !errors.Is(err, ErrTLS) || !strings.Contains(err.Error(), "server.tls_cert") {
		t.Fatalf("a bad key: %v", err)
	}
}

// TestListenErrors: a busy address is a configuration error naming
// server.listen; a loopback server without a certificate speaks HTTP.
func TestListenErrors(t *testing.T) {
	ts := newTestServer(t, serverOpts{})
	if !strings.HasPrefix(ts.srv.URL(), "http://127.0.0.1:") || ts.srv.Fingerprint() != "" {
		t.Fatalf("url %s", ts.srv.URL())
	}
	busy, _ := New(Options{App: ts.app, Listen: strings.TrimPrefix(ts.srv.URL(), "http://")})
	if err := busy.Listen(context.Background()); !errors.Is(err, ErrListen) || !strings.Contains(err.Error(), "server.listen") {
		t.Fatalf("busy address: %v", err)
	}
	if _, err := New(Options{}); err == nil {
		t.Fatal("New without an App")
	}
	cfg := config.Default()
	cfg.Security.IPAllowlist = []string{"10.0.0.1/8"}
	a, _ := app.New(app.Options{Config: &cfg})
	if _, err := New(Options{App: a}); err == nil || !strings.Contains(err.Error(), "security.ip_allowlist[0]") {
		t.Fatalf("a bad allowlist: %v", err)
	}
	if fp := api.Fingerprint([]byte("x")); !strings.HasPrefix(fp, "2D:71:16:42") {
		t.Fatalf("fingerprint %s", fp)
	}
}

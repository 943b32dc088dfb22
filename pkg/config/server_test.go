package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestServerDefaults(t *testing.T) {
	s := Default().Server
	if s.Listen != DefaultServerListen || s.ShutdownTimeout != 30*time.Second || s.JobRetention != 24*time.Hour ||
		s.MaxJobs != 8 || s.MaxRequestBytes != 1<<20 || !s.InventoryCacheEnabled() {
		t.Fatalf("defaults %+v", s)
	}
	off := false
	s.InventoryCache = &off
	if s.InventoryCacheEnabled() {
		t.Fatal("inventory_cache: false ignored")
	}
}

func TestServerValidateNamesTheField(t *testing.T) {
	hash := strings.Repeat("ab", 32)
	tok := func(name, sum, mode string) []ServerToken {
		return []ServerToken{{Name: name, SHA256: sum, Mode: mode}}
	}
	tests := []struct {
		name   string
		change func(*Server)
		field  string
	}{
		{"listen without port", func(s *Server) { s.Listen = "127.0.0.1" }, "server.listen"},
		{"cert without key", func(s *Server) { s.TLSCert = "/etc/ceso/cert.pem" }, "server.tls_cert"},
		{"zero shutdown", func(s *Server) { s.ShutdownTimeout = 0 }, "server.shutdown_timeout"},
		{"zero retention", func(s *Server) { s.JobRetention = 0 }, "server.job_retention"},
		{"zero sync wait", func(s *Server) { s.SyncWait = 0 }, "server.sync_wait"},
		{"no jobs", func(s *Server) { s.MaxJobs = 0 }, "server.max_jobs"},
		{"tiny body", func(s *Server) { s.MaxRequestBytes = 10 }, "server.max_request_bytes"},
		{"no rate", func(s *Server) { s.RateLimit = 0 }, "server.rate_limit"},
		{"no burst", func(s *Server) { s.RateBurst = 0 }, "server.rate_burst"},
		{"bad token name", func(s *Server) { s.Tokens = tok("-x", hash, "standard") }, "server.tokens[0].name"},
		{"token hash in clear", func(s *Server) { s.Tokens = tok("ci", "ceso_secret", "standard") }, "server.tokens[0].sha256"},
		{"upper-case hash", func(s *Server) { s.Tokens = tok("ci", strings.ToUpper(hash), "standard") }, "server.tokens[0].sha256"},
		{"bad mode", func(s *Server) { s.Tokens = tok("ci", hash, "god") }, "server.tokens[0].mode"},
		{"duplicate name", func(s *Server) {
			s.Tokens = []ServerToken{{"ci", hash, "standard"}, {"ci", strings.Repeat("cd", 32), "standard"}}
		}, "server.tokens[1].name"},
		{"duplicate hash", func(s *Server) {
			s.Tokens = []ServerToken{{"ci", hash, "standard"}, {"cd", hash, "standard"}}
		}, "server.tokens[1].sha256"},
		{"url scheme", func(s *Server) { s.URL = "ftp://x:1" }, "server.url"},
		{"url host", func(s *Server) { s.URL = "https://" }, "server.url"},
		{"sha1 thumbprint", func(s *Server) { s.Thumbprint = strings.Repeat("AB:", 19) + "AB" }, "server.thumbprint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			tt.change(&c.Server)
			err := c.Validate(false)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.field+":") {
				t.Fatalf("error %v, want one naming %s", err, tt.field)
			}
		})
	}
	c := Default()
	c.Server.Tokens = []ServerToken{{"ansible", hash, "restricted"}, {"ci@build", strings.Repeat("cd", 32), "read-only"}}
	c.Server.URL, c.Server.Thumbprint = "https://ceso.lab:8443", strings.Repeat("ab:", 31)+"ab"
	if err := c.Validate(false); err != nil {
		t.Fatalf("a good server section: %v", err)
	}
}

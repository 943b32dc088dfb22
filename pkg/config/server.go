package config

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Server configures `ceso serve` (listen, tls_*, tokens, limits) and the
// CLI as its client (url, thumbprint, token_file).
type Server struct {
	// Listen is the address the daemon listens on (host:port).
	Listen string `yaml:"listen"`
	// TLSCert and TLSKey are the daemon's certificate and key (PEM). Beyond
	// loopback, without them, a self-signed pair is made in state_dir.
	TLSCert string `yaml:"tls_cert"`
	TLSKey  string `yaml:"tls_key"`
	// ShutdownTimeout is how long running operations may finish after
	// SIGTERM before they are cancelled.
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
	// JobRetention is how long a finished job stays readable.
	JobRetention time.Duration `yaml:"job_retention"`
	// SyncWait is how long a read is answered directly before it becomes a
	// job (202).
	SyncWait time.Duration `yaml:"sync_wait"`
	// MaxJobs is how many operations run at once; more wait, queued.
	MaxJobs int `yaml:"max_jobs"`
	// MaxRequestBytes bounds a request body.
	MaxRequestBytes int `yaml:"max_request_bytes"`
	// RateLimit is each token's sustained requests per second; RateBurst
	// the requests it may make at once.
	RateLimit int `yaml:"rate_limit"`
	RateBurst int `yaml:"rate_burst"`
	// InventoryCache keeps the VM inventory in memory from a property
	// collector, so that vm.list and vm.info need no host round trip.
	InventoryCache *bool `yaml:"inventory_cache,omitempty"`
	// Tokens are the API's bearer tokens, by their SHA-256.
	Tokens []ServerToken `yaml:"tokens"`

	// URL is the daemon the CLI sends its commands to (CESO_SERVER, --server).
	URL string `yaml:"url"`
	// Thumbprint pins the daemon's certificate by its SHA-256 fingerprint.
	Thumbprint string `yaml:"thumbprint"`
	// TokenFile holds the CLI's bearer token (CESO_TOKEN_FILE, --token-file).
	TokenFile string `yaml:"token_file"`
}

// ServerToken is one API token: its name (the audit actor), the SHA-256 of
// the token as lower-case hex, and the highest sandbox mode it gets.
type ServerToken struct {
	Name   string `yaml:"name"`
	SHA256 string `yaml:"sha256"`
	Mode   string `yaml:"mode"`
}

// DefaultServerListen is where `ceso serve` listens unless configured.
const DefaultServerListen = "127.0.0.1:8443"

func defaultServer() Server {
	return Server{
		Listen:          DefaultServerListen,
		ShutdownTimeout: 30 * time.Second,
		JobRetention:    24 * time.Hour,
		SyncWait:        10 * time.Second,
		MaxJobs:         8,
		MaxRequestBytes: 1 << 20,
		RateLimit:       20,
		RateBurst:       40,
	}
}

// InventoryCacheEnabled reports whether the daemon keeps the inventory in
// memory (the default).
func (s Server) InventoryCacheEnabled() bool { return s.InventoryCache == nil || *s.InventoryCache }

var (
	sha256HexRE   = regexp.MustCompile(`^[0-9a-f]{64}$`)
	tokenNameRE   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)
	thumbprint256 = regexp.MustCompile(`^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$`)
)

// ValidTokenName reports whether name may name an API token: 1 to 64
// letters, digits, ".", "_", "@" or "-", starting with a letter or digit.
func ValidTokenName(name string) bool { return tokenNameRE.MatchString(name) }

func (s Server) validate() error {
	if _, _, err := net.SplitHostPort(s.Listen); err != nil {
		return invalid("server.listen", "want host:port, got %q", s.Listen)
	}
	if (s.TLSCert == "") != (s.TLSKey == "") {
		return invalid("server.tls_cert", "set both tls_cert and tls_key, or neither")
	}
	positive := map[string]time.Duration{"shutdown_timeout": s.ShutdownTimeout, "job_retention": s.JobRetention, "sync_wait": s.SyncWait}
	for key, d := range positive {
		if d <= 0 {
			return invalid("server."+key, "want a positive duration")
		}
	}
	ints := []struct {
		key     string
		v, lo   int
		hi      int
		explain string
	}{
		{"max_jobs", s.MaxJobs, 1, 256, "operations at once"},
		{"max_request_bytes", s.MaxRequestBytes, 1 << 10, 64 << 20, "bytes"},
		{"rate_limit", s.RateLimit, 1, 100000, "requests per second"},
		{"rate_burst", s.RateBurst, 1, 100000, "requests"},
	}
	for _, i := range ints {
		if i.v < i.lo || i.v > i.hi {
			return invalid("server."+i.key, "want %d to %d %s, got %d", i.lo, i.hi, i.explain, i.v)
		}
	}
	if err := validateTokens(s.Tokens); err != nil {
		return err
	}
	if s.URL != "" {
		u, err := url.Parse(s.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return invalid("server.url", "want http://HOST:PORT or https://HOST:PORT, got %q", s.URL)
		}
	}
	if s.Thumbprint != "" && !thumbprint256.MatchString(s.Thumbprint) {
		return invalid("server.thumbprint", "want the SHA-256 fingerprint `ceso serve` printed (32 colon-separated hex bytes), got %q", s.Thumbprint)
	}
	return nil
}

func validateTokens(tokens []ServerToken) error {
	names, hashes := map[string]bool{}, map[string]bool{}
	for i, t := range tokens {
		key := fmt.Sprintf("server.tokens[%d]", i)
		if !ValidTokenName(t.Name) {
			return invalid(key+".name", "want 1 to 64 letters, digits, '.', '_', '@' or '-', got %q", t.Name)
		}
		if names[t.Name] {
			return invalid(key+".name", "token %q is defined twice", t.Name)
		}
		if !sha256HexRE.MatchString(t.SHA256) {
			return invalid(key+".sha256", "want the token's SHA-256 as 64 lower-case hex digits (ceso serve token new prints it)")
		}
		if hashes[t.SHA256] {
			return invalid(key+".sha256", "the same token is defined twice")
		}
		switch strings.TrimSpace(t.Mode) {
		case "restricted", ModeReadOnly, ModeStandard, ModeUnrestricted:
		default:
			return invalid(key+".mode", "want restricted, standard or unrestricted, got %q", t.Mode)
		}
		names[t.Name], hashes[t.SHA256] = true, true
	}
	return nil
}

// ReadTokenFile reads an API token from path (server.token_file,
// --token-file), refusing a file that group or others can read.
func ReadTokenFile(path string) (string, error) {
	return readSecretFile(ExpandHome(path), "server.token_file")
}

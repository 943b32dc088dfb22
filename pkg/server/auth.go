package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"

	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/security"
	"golang.org/x/time/rate"
)

// caller is the token a request was made with.
type caller struct {
	// name is the token's name: the audit actor and the jobs' owner.
	name string
	// mode is the sandbox mode its operations run in: the token's mode,
	// never above security.mode.
	mode    string
	limiter *rate.Limiter
}

// tokens finds callers by the SHA-256 of the token they present: the
// server never holds a token in clear.
type tokens struct {
	byHash map[[sha256.Size]byte]*caller
}

// newTokens reads server.tokens. A token asking for more than
// security.mode is refused: the configuration contradicts itself.
func newTokens(cfg *config.Config) (*tokens, error) {
	t := &tokens{byHash: map[[sha256.Size]byte]*caller{}}
	for i, tok := range cfg.Server.Tokens {
		field := fmt.Sprintf("server.tokens[%d]", i)
		raw, err := hex.DecodeString(tok.SHA256)
		if err != nil || len(raw) != sha256.Size {
			return nil, fmt.Errorf("%w: %s.sha256: want 64 hex digits", ErrToken, field)
		}
		mode, err := security.EffectiveMode(cfg.Security.Mode, tok.Mode, "")
		if err != nil {
			return nil, fmt.Errorf("%w: %s.mode (token %q): %w", ErrToken, field, tok.Name, err)
		}
		var sum [sha256.Size]byte
		copy(sum[:], raw)
		t.byHash[sum] = &caller{
			name: tok.Name, mode: mode,
			limiter: rate.NewLimiter(rate.Limit(cfg.Server.RateLimit), cfg.Server.RateBurst),
		}
	}
	return t, nil
}

func (t *tokens) lookup(token string) (*caller, bool) {
	c, ok := t.byHash[sha256.Sum256([]byte(token))]
	return c, ok
}

type callerKey struct{}

func callerFrom(ctx context.Context) *caller {
	c, _ := ctx.Value(callerKey{}).(*caller)
	return c
}

// authed answers 401 to a request without a known bearer token and 429 to
// a token over its rate, and runs next with the caller in the context.
func (s *Server) authed(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		token = strings.TrimSpace(token)
		if !strings.EqualFold(scheme, "Bearer") || token == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="ceso"`)
			s.writeError(w, r, http.StatusUnauthorized, fmt.Errorf("%w: no bearer token; send Authorization: Bearer TOKEN (make one with ceso serve token new)", ErrUnauthorized), "")
			return
		}
		c, ok := s.tokens.lookup(token)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="ceso", error="invalid_token"`)
			s.log.Info().Str("client", r.RemoteAddr).Str("path", r.URL.Path).Msg("unknown API token")
			s.writeError(w, r, http.StatusUnauthorized, fmt.Errorf("%w: the token is not one of server.tokens", ErrUnauthorized), "")
			return
		}
		if !c.limiter.Allow() {
			w.Header().Set("Retry-After", "1")
			s.writeError(w, r, http.StatusTooManyRequests, fmt.Errorf("%w: token %q is over server.rate_limit; retry later", ErrRateLimited, c.name), "")
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), callerKey{}, c)))
	})
}

// allowlisted answers 403, before any handler, to a client outside
// security.ip_allowlist or whose address cannot be told.
func (s *Server) allowlisted(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip, err := s.allow.ClientIP(r)
		if err == nil && !s.allow.Allows(ip) {
			err = fmt.Errorf("%w: %s is not in security.ip_allowlist", ErrForbidden, ip)
		}
		if err != nil {
			s.log.Warn().Str("client", r.RemoteAddr).Str("path", r.URL.Path).Err(err).Msg("request refused by the IP allowlist")
			s.writeError(w, r, http.StatusForbidden, fmt.Errorf("%w: your address may not use this server", ErrForbidden), "")
			return
		}
		next.ServeHTTP(w, r)
	})
}

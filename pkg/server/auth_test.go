package server

import (
	"crypto/rand"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/server/api"
)

// TestAuthFailures: no token, a malformed header and an unknown token get
// 401 with the auth code and run nothing; the OpenAPI document and the
// health checks need no token.
func TestAuthFailures(t *testing.T) {
	ts := newTestServer(t, serverOpts{})
	before := ts.sim.Requests()
	tests := []struct {
		name, token, path string
		method            string
	}{
		{"no token", "", api.OpsPrefix + "vm.list", http.MethodPost},
		{"unknown token", TokenPrefix + "forged", api.OpsPrefix + "vm.list", http.MethodPost},
		{"unknown token on jobs", TokenPrefix + "forged", api.JobsPath, http.MethodGet},
		{"no token on an unknown route", "", api.Prefix + "/nothing", http.MethodGet},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ts.call(t, tt.method, tt.path, tt.token, "", false)
			if e := r.apiError(t); r.status != http.StatusUnauthorized || e.Code != api.CodeAuth || !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
				t.Fatalf("status %d %s %v", r.status, r.body, r.header)
			}
		})
	}
	req, _ := http.NewRequest(http.MethodPost, ts.srv.URL()+api.OpsPrefix+"vm.list", nil)
	req.Header.Set("Authorization", "Basic "+ts.tokens[admin])
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a Basic header: %v %v", resp, err)
	}
	if ts.sim.Requests() != before {
		t.Fatal("a refused request reached the host")
	}
	for _, path := range []string{api.HealthPath, api.OpenAPIPath} {
		if r := ts.call(t, http.MethodGet, path, "", "", true); r.status != http.StatusOK {
			t.Fatalf("%s without a token: %d", path, r.status)
		}
	}
	if !strings.Contains(ts.logs.String(), "unknown API token") {
		t.Fatal("an unknown token is not logged")
	}
}

// TestRestrictedTokenOnAWrite: the restricted token reads, and its write is
// refused (403, refused) with the plan and plan ID it would run, changing
// nothing; its name is the audit actor. A standard token's destructive
// operation is refused the same way; the unrestricted token runs it.
func TestRestrictedTokenOnAWrite(t *testing.T) {
	ts := newTestServer(t, serverOpts{})
	if r := ts.op(t, reader, "vm.list", `{}`); r.status != http.StatusOK {
		t.Fatalf("a read with the restricted token: %d %s", r.status, r.body)
	}
	r := ts.op(t, reader, "vm.create", `{"name":"web01"}`)
	e := r.apiError(t)
	if r.status != http.StatusForbidden || e.Code != api.CodeRefused || len(e.Plan) == 0 || !strings.HasPrefix(e.PlanID, "plan-") {
		t.Fatalf("status %d %s", r.status, r.body)
	}
	if e.CorrelationID != r.header.Get(api.CorrelationHeader) {
		t.Fatal("the error's correlation ID is not the header's")
	}
	recs := ts.audit(t, e.CorrelationID)
	if len(recs) != 1 || recs[0].Outcome != "refused" || recs[0].Actor.Name != reader || recs[0].Operation != "vm.create" {
		t.Fatalf("audit of the refusal: %+v", recs)
	}
	// The plan shown is the plan a dry run gives, with the same ID.
	var plan api.Outcome
	ts.op(t, reader, "vm.create?dry_run=true", `{"name":"web01"}`).decode(t, &plan)
	if plan.PlanID != e.PlanID {
		t.Fatalf("plan IDs %q and %q", plan.PlanID, e.PlanID)
	}
	var vms []struct{ Name string }
	r = ts.op(t, reader, "vm.list", `{"name":"web01"}`)
	var o api.Outcome
	r.decode(t, &o)
	if err := jsonUnmarshal(o.Result, &vms); err != nil || len(vms) != 0 {
		t.Fatalf("the refused write changed the host: %s", o.Result)
	}
	ts.runOp(t, "vm.create", `{"name":"web01"}`)
	r = ts.op(t, operator, "vm.delete", `{"name":"web01"}`)
	if e := r.apiError(t); r.status != http.StatusForbidden || e.Code != api.CodeRefused || len(e.Plan) == 0 {
		t.Fatalf("a destructive op with the standard token: %d %s", r.status, r.body)
	}
	ts.run(t, admin, "vm.delete", `{"name":"web01"}`)
}

// TestAllowlistRefusesBeforeAnyHandler: a client outside
// security.ip_allowlist gets 403 on every path, health included, and is
// logged.
func TestAllowlistRefusesBeforeAnyHandler(t *testing.T) {
	ts := newTestServer(t, serverOpts{configure: func(c *config.Config) { c.Security.IPAllowlist = []string{"10.0.0.0/8"} }})
	for _, path := range []string{api.HealthPath, api.OpsPrefix + "vm.list", api.OpenAPIPath, "/nothing"} {
		r := ts.call(t, http.MethodGet, path, admin, "", false)
		if e := r.apiError(t); r.status != http.StatusForbidden || e.Code != api.CodeRefused {
			t.Fatalf("%s: status %d %s", path, r.status, r.body)
		}
	}
	if !strings.Contains(ts.logs.String(), "127.0.0.1 is not in security.ip_allowlist") {
		t.Fatalf("the refusal is not logged: %s", ts.logs.String())
	}
	allowed := newTestServer(t, serverOpts{sim: ts.sim, configure: func(c *config.Config) { c.Security.IPAllowlist = []string{"127.0.0.0/8"} }})
	if r := allowed.call(t, http.MethodGet, api.HealthPath, "", "", true); r.status != http.StatusOK {
		t.Fatalf("an allowed client: %d", r.status)
	}
}

// TestRateLimitPerToken: a token over its burst gets 429 with Retry-After;
// another token is not held back.
func TestRateLimitPerToken(t *testing.T) {
	ts := newTestServer(t, serverOpts{configure: func(c *config.Config) { c.Server.RateLimit, c.Server.RateBurst = 1, 2 }})
	codes := []int{}
	for range 3 {
		codes = append(codes, ts.call(t, http.MethodGet, api.JobsPath, reader, "", true).status)
	}
	if codes[0] != http.StatusOK || codes[1] != http.StatusOK || codes[2] != http.StatusTooManyRequests {
		t.Fatalf("statuses %v, want 200 200 429", codes)
	}
	r := ts.call(t, http.MethodGet, api.JobsPath, reader, "", true)
	if e := r.apiError(t); r.status != http.StatusTooManyRequests || e.Code != api.CodeRefused || r.header.Get("Retry-After") == "" {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if r := ts.call(t, http.MethodGet, api.JobsPath, operator, "", true); r.status != http.StatusOK {
		t.Fatalf("another token: %d", r.status)
	}
}

// TestTokensFromConfig: a token is found by its SHA-256 only; a token asking
// for more than security.mode stops the server from starting, naming it.
func TestTokensFromConfig(t *testing.T) {
	tok, sum, err := NewToken(rand.Reader)
	if err != nil || !strings.HasPrefix(tok, TokenPrefix) || len(tok) != len(TokenPrefix)+43 || TokenSHA256(tok) != sum || len(sum) != 64 {
		t.Fatalf("token %q sum %q %v", tok, sum, err)
	}
	other, _, _ := NewToken(rand.Reader)
	if other == tok {
		t.Fatal("two tokens alike")
	}
	if _, _, err := NewToken(strings.NewReader("short")); err == nil {
		t.Fatal("a short random source must fail")
	}
	cfg := config.Default()
	cfg.Security.Mode = config.ModeStandard
	cfg.Server.Tokens = []config.ServerToken{{Name: "ci", SHA256: sum, Mode: "restricted"}, {Name: "ops", SHA256: strings.Repeat("a", 64), Mode: "standard"}}
	toks, err := newTokens(&cfg)
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := toks.lookup(tok); !ok || c.name != "ci" || c.mode != "restricted" {
		t.Fatalf("lookup: %+v %v", c, ok)
	}
	if _, ok := toks.lookup(sum); ok {
		t.Fatal("the hash itself must not be a token")
	}
	cfg.Server.Tokens[1].Mode = "unrestricted"
	if _, err := newTokens(&cfg); !errors.Is(err, ErrToken) || !strings.Contains(err.Error(), "server.tokens[1].mode") {
		t.Fatalf("a token above security.mode: %v", err)
	}
	cfg.Server.Tokens[1].SHA256 = "zz"
	if _, err := newTokens(&cfg); !errors.Is(err, ErrToken) || !strings.Contains(err.Error(), "server.tokens[1].sha256") {
		t.Fatalf("a bad hash: %v", err)
	}
}

package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/esxisim/simtest"
	"github.com/ceso/ceso/pkg/operations"
	"github.com/ceso/ceso/pkg/ops"
	"github.com/ceso/ceso/pkg/server/api"
	"github.com/rs/zerolog"
)

// Token names of the test server, each with the mode it is configured with.
const (
	reader   = "reader"   // restricted
	operator = "operator" // standard
	admin    = "admin"    // unrestricted
)

// testServer is a simulated host, an App on it and a server listening on
// loopback, with one token per mode.
type testServer struct {
	sim    *esxisim.Simulator
	app    *app.App
	cfg    *config.Config
	srv    *Server
	tokens map[string]string // name → token
	logs   *syncBuffer
	check  *apiChecker
}

type serverOpts struct {
	sim       *esxisim.Simulator // nil: a new one
	configure func(*config.Config)
	now       func() time.Time
	noListen  bool
}

func newTestServer(t *testing.T, o serverOpts) *testServer {
	t.Helper()
	sim := o.sim
	if sim == nil {
		sim = simtest.Start(t, esxisim.Options{TemplateDiskSize: 1 << 20})
	}
	home := t.TempDir()
	env := config.MapEnv(simtest.Env(sim, home))
	cfg, err := config.Load("", env)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Defaults.Template = esxisim.TemplateName
	cfg.Server.Listen = "127.0.0.1:0"
	cfg.Server.RateLimit, cfg.Server.RateBurst = 100000, 100000 // the rate limit has its own test
	noCache := false
	cfg.Server.InventoryCache = &noCache // the cache has its own tests
	ts := &testServer{sim: sim, cfg: cfg, tokens: map[string]string{}, logs: &syncBuffer{}}
	for name, mode := range map[string]string{reader: "restricted", operator: "standard", admin: "unrestricted"} {
		tok, sum, err := NewToken(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		ts.tokens[name] = tok
		cfg.Server.Tokens = append(cfg.Server.Tokens, config.ServerToken{Name: name, SHA256: sum, Mode: mode})
	}
	if o.configure != nil {
		o.configure(cfg)
	}
	if err := cfg.Validate(false); err != nil {
		t.Fatal(err)
	}
	ts.app, err = app.New(app.Options{Config: cfg, Env: env})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ts.app.Close(context.Background()) })
	ts.srv, err = New(Options{App: ts.app, Logger: zerolog.New(ts.logs), Now: o.now})
	if err != nil {
		t.Fatal(err)
	}
	ts.check = newAPIChecker(t, ts.srv.openapi)
	if !o.noListen {
		if err := ts.srv.Listen(simtest.Ctx(t, time.Minute)); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = ts.srv.Shutdown(context.Background()) })
	}
	return ts
}

// reply is one HTTP answer.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("status %d, body not JSON: %v\n%s", r.status, err, r.body)
	}
}

func (r reply) apiError(t *testing.T) api.Error {
	t.Helper()
	var e api.Error
	r.decode(t, &e)
	return e
}

// call sends one request with the token of name ("" for none), checks the
// request (when valid is set) and the answer against the OpenAPI document,
// and that no answer carries the host's password.
func (ts *testServer) call(t *testing.T, method, path, name, body string, valid bool) reply {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, ts.srv.URL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if name != "" {
		tok, ok := ts.tokens[name]
		if !ok {
			tok = name // a literal token
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte(ts.sim.Password())) {
		t.Fatalf("%s %s: the answer carries the ESXi password:\n%s", method, path, data)
	}
	if resp.Header.Get(api.CorrelationHeader) == "" && path != api.OpenAPIPath {
		t.Errorf("%s %s: no %s header", method, path, api.CorrelationHeader)
	}
	ts.check.validate(t, method, ts.srv.URL()+path, body, req.Header, resp.StatusCode, resp.Header, data, valid)
	return reply{status: resp.StatusCode, header: resp.Header, body: data}
}

// op calls operation name as token user.
func (ts *testServer) op(t *testing.T, user, name, params string) reply {
	t.Helper()
	return ts.call(t, http.MethodPost, api.OpsPrefix+name, user, params, true)
}

// wait follows a job until it ends and returns it.
func (ts *testServer) wait(t *testing.T, user, id string) api.Job {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		var j api.Job
		r := ts.call(t, http.MethodGet, api.JobsPath+"/"+id, user, "", true)
		if r.status != http.StatusOK {
			t.Fatalf("job %s: status %d %s", id, r.status, r.body)
		}
		r.decode(t, &j)
		if api.Terminal(j.State) {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s still %s", id, j.State)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// run calls operation name and returns its outcome, following the job if
// it became one; it fails the test unless the operation succeeded.
func (ts *testServer) run(t *testing.T, user, name, params string) json.RawMessage {
	t.Helper()
	r := ts.op(t, user, name, params)
	switch r.status {
	case http.StatusOK:
		var o api.Outcome
		r.decode(t, &o)
		return o.Result
	case http.StatusAccepted:
		var j api.Job
		r.decode(t, &j)
		if j = ts.wait(t, user, j.ID); j.State != api.StateSucceeded {
			t.Fatalf("%s %s: job %s: %+v", name, params, j.State, j.Error)
		}
		return j.Result
	}
	t.Fatalf("%s %s: status %d %s", name, params, r.status, r.body)
	return nil
}

// runOp runs an operation on the App directly, around the server.
func (ts *testServer) runOp(t *testing.T, name, params string) {
	t.Helper()
	d, _ := operations.Lookup(name)
	if _, err := d.Invoke(simtest.Ctx(t, 3*time.Minute), ts.app, app.Call{Mode: ops.ModeUnrestricted}, json.RawMessage(params)); err != nil {
		t.Fatalf("%s %s: %v", name, params, err)
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent writers: the log.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

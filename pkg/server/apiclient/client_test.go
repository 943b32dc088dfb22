package apiclient

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/errkind"
	"github.com/ceso/ceso/pkg/server/api"
)

func TestNewChecksTheConfig(t *testing.T) {
	tests := []struct {
		cfg  Config
		kind errkind.Kind
		msg  string
	}{
		{Config{URL: "ftp://x", Token: "t"}, errkind.Usage, "want http"},
		{Config{URL: "http://ceso.lab:8443", Token: "t"}, errkind.Usage, "plain HTTP only to a loopback"},
		{Config{URL: "https://ceso.lab:8443"}, errkind.Config, "no API token"},
	}
	for _, tt := range tests {
		if _, err := New(tt.cfg); errkind.Of(err) != tt.kind || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%+v: %v", tt.cfg, err)
		}
	}
	for _, u := range []string{"http://127.0.0.1:8443/", "http://localhost:1", "http://[::1]:1", "https://ceso.lab"} {
		if _, err := New(Config{URL: u, Token: "t"}); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
}

// fake is a scripted server: each handler answers one request in turn.
type fake struct {
	mu       sync.Mutex
	requests []*http.Request
	answers  []func(w http.ResponseWriter)
	// dflt answers once answers are used up (a running job j1 when nil).
	dflt func(w http.ResponseWriter)
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r)
	var a func(http.ResponseWriter)
	if len(f.answers) > 0 {
		a, f.answers = f.answers[0], f.answers[1:]
	}
	f.mu.Unlock()
	if a == nil {
		a = f.dflt
	}
	if a == nil {
		a = job(http.StatusOK, api.Job{ID: "j1", State: api.StateRunning})
	}
	a(w)
}

func (f *fake) seen() []*http.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*http.Request(nil), f.requests...)
}

func answer(status int, body string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

func job(status int, j api.Job) func(http.ResponseWriter) {
	b, _ := json.Marshal(j)
	return answer(status, string(b))
}

func client(t *testing.T, url string) *Client {
	t.Helper()
	c, err := New(Config{URL: url, Token: "tok", PollInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestInvokeFollowsTheJob: a 202 is followed until the job ends; the
// params, dry_run and timeout go as the API says, with the token.
func TestInvokeFollowsTheJob(t *testing.T) {
	f := &fake{answers: []func(http.ResponseWriter){
		job(http.StatusAccepted, api.Job{ID: "j1", State: api.StateRunning}),
		job(http.StatusOK, api.Job{ID: "j1", State: api.StateRunning}),
		job(http.StatusOK, api.Job{ID: "j1", CorrelationID: "j1", State: api.StateSucceeded, Result: json.RawMessage(`{"ok":true}`), Notes: []string{"n"}}),
	}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	out, err := client(t, srv.URL).Invoke(context.Background(), "vm.create", api.Call{DryRun: true, Timeout: 90 * time.Second}, json.RawMessage(`{"name":"x"}`))
	if err != nil || string(out.Result) != `{"ok":true}` || out.CorrelationID != "j1" || len(out.Notes) != 1 {
		t.Fatalf("%+v %v", out, err)
	}
	reqs := f.seen()
	if len(reqs) != 3 || reqs[0].URL.Path != api.OpsPrefix+"vm.create" || reqs[0].URL.Query().Get("dry_run") != "true" ||
		reqs[0].URL.Query().Get("timeout") != "1m30s" || reqs[0].Header.Get("Authorization") != "Bearer tok" ||
		reqs[1].Method != http.MethodGet || reqs[1].URL.Path != api.JobsPath+"/j1" {
		t.Fatalf("requests %v", reqs)
	}
}

// TestErrorsKeepTheirKind: the server's errors, a failed job's error with
// the partial result, and answers that are not the API's come back with
// the kind the CLI's exit codes need.
func TestErrorsKeepTheirKind(t *testing.T) {
	tests := []struct {
		name   string
		answer func(http.ResponseWriter)
		kind   errkind.Kind
		msg    string
		result string
	}{
		{"refused", answer(403, `{"code":"refused","message":"not in this mode","correlation_id":"c"}`), errkind.Refused, "not in this mode", ""},
		{"token", answer(401, `{"code":"auth","message":"unknown token","correlation_id":"c"}`), errkind.Auth, "the ceso server refused the token: unknown token", ""},
		{"not a ceso server", answer(404, `<html>`), errkind.NotFound, "is it a ceso server?", ""},
		{"a proxy's 401", answer(401, `nope`), errkind.Auth, "answered 401", ""},
		{"a proxy's 403", answer(403, `nope`), errkind.Refused, "answered 403", ""},
		{"a proxy's 502", answer(502, `<html>`), errkind.Connection, "answered 502", ""},
		{"garbage", answer(200, `{`), errkind.Connection, "not what the API says", ""},
		{"partial job", func(w http.ResponseWriter) {
			job(http.StatusAccepted, api.Job{ID: "j", State: api.StateFailed, Error: &api.Error{Code: "partial", Message: "1 of 2 failed", Result: json.RawMessage(`[1]`)}})(w)
		}, errkind.Partial, "1 of 2 failed", "[1]"},
		{"job without error", job(http.StatusAccepted, api.Job{ID: "j", State: api.StateCanceled}), errkind.Unknown, "without an error", ""},
		{"partial read", answer(500, `{"code":"partial","message":"some","correlation_id":"c","result":[2]}`), errkind.Partial, "some", "[2]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(&fake{answers: []func(http.ResponseWriter){tt.answer}})
			defer srv.Close()
			out, err := client(t, srv.URL).Invoke(context.Background(), "vm.power", api.Call{}, nil)
			if errkind.Of(err) != tt.kind || !strings.Contains(err.Error(), tt.msg) || string(out.Result) != tt.result {
				t.Fatalf("%v (kind %s), result %s", err, errkind.Of(err), out.Result)
			}
		})
	}
	c := client(t, "http://127.0.0.1:1")
	if _, err := c.Invoke(context.Background(), "vm.list", api.Call{}, nil); errkind.Of(err) != errkind.Connection {
		t.Fatalf("no server: %v", err)
	}
}

// TestContextEndCancelsTheJob: when the caller's context ends while the
// job runs, the client cancels the job and returns the context's error.
func TestContextEndCancelsTheJob(t *testing.T) {
	running := api.Job{ID: "j9", Operation: "backup.create", State: api.StateRunning}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The caller gives up while the job is being read.
	f := &fake{answers: []func(http.ResponseWriter){job(http.StatusAccepted, running)},
		dflt: func(w http.ResponseWriter) { cancel(); job(http.StatusOK, running)(w) }}
	srv := httptest.NewServer(f)
	defer srv.Close()
	_, err := client(t, srv.URL).Invoke(ctx, "backup.create", api.Call{}, nil)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "j9") {
		t.Fatalf("%v", err)
	}
	reqs := f.seen()
	if last := reqs[len(reqs)-1]; last.Method != http.MethodDelete || last.URL.Path != api.JobsPath+"/j9" {
		t.Fatalf("last request %s %s", last.Method, last.URL.Path)
	}
	c := client(t, srv.URL)
	if jobs, err := c.Jobs(context.Background()); err != nil || jobs != nil {
		t.Fatalf("jobs %v %v", jobs, err)
	}
}

// TestPinnedCertificate: an HTTPS server is trusted by its pinned
// fingerprint only.
func TestPinnedCertificate(t *testing.T) {
	srv := httptest.NewTLSServer(&fake{answers: []func(http.ResponseWriter){answer(200, `{"correlation_id":"c","dry_run":false,"plan":null,"result":[],"notes":null}`)}})
	defer srv.Close()
	fp := api.Fingerprint(srv.Certificate().Raw)
	c, err := New(Config{URL: srv.URL, Token: "t", Thumbprint: strings.ToLower(fp)})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := c.Invoke(context.Background(), "vm.list", api.Call{}, nil); err != nil || string(out.Result) != "[]" {
		t.Fatalf("%+v %v", out, err)
	}
	c, _ = New(Config{URL: srv.URL, Token: "t", Thumbprint: strings.Repeat("00:", 31) + "00"})
	_, err = c.Invoke(context.Background(), "vm.list", api.Call{}, nil)
	if errkind.Of(err) != errkind.Connection || !strings.Contains(err.Error(), "not the pinned") {
		t.Fatalf("wrong pin: %v", err)
	}
	c, _ = New(Config{URL: srv.URL, Token: "t"})
	if _, err := c.Invoke(context.Background(), "vm.list", api.Call{}, nil); errkind.Of(err) != errkind.Connection {
		t.Fatalf("no pin, self-signed: %v", err)
	}
}

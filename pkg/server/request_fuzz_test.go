package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/config"
)

// FuzzReadRequest: any query, content type and body is either read (the
// params are JSON or empty, the timeout positive) or refused with 400,
// 413 or 415 and a usage error; nothing panics.
func FuzzReadRequest(f *testing.F) {
	f.Add("dry_run=true&timeout=90s", "application/json", []byte(`{"name":"web01"}`))
	f.Add("timeout=-1s", "", []byte(`{}`))
	f.Add("dry_run=1&dry_run=0", "text/plain", []byte(`x`))
	f.Add("%zz", "application/json; charset=utf-8", []byte(`{} {}`))
	cfg := config.Default()
	cfg.Server.MaxRequestBytes = 1024
	a, err := app.New(app.Options{Config: &cfg})
	if err != nil {
		f.Fatal(err)
	}
	s := &Server{app: a}
	f.Fuzz(func(t *testing.T, query, contentType string, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/api/v1/ops/vm.list", bytes.NewReader(body))
		r.URL.RawQuery = query
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		req, status, err := s.readRequest(httptest.NewRecorder(), r)
		if err != nil {
			if status != http.StatusBadRequest && status != http.StatusRequestEntityTooLarge && status != http.StatusUnsupportedMediaType {
				t.Fatalf("status %d for %v", status, err)
			}
			return
		}
		if len(req.params) > 0 && !json.Valid(req.params) {
			t.Fatalf("params %q are not JSON", req.params)
		}
		if req.timeout <= 0 || req.timeout > maxTimeout {
			t.Fatalf("timeout %s", req.timeout)
		}
		if _, err := url.ParseQuery(query); err != nil && query != "" {
			t.Fatalf("a query that does not parse was accepted: %q", query)
		}
	})
}

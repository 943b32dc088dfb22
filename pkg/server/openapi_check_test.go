package server

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// apiChecker validates requests and answers against the server's OpenAPI
// document with kin-openapi, and counts the routes it saw answered.
type apiChecker struct {
	router routers.Router
	mu     sync.Mutex
	seen   map[string]bool // "METHOD path-template status"
}

func newAPIChecker(t *testing.T, doc []byte) *apiChecker {
	t.Helper()
	loader := openapi3.NewLoader()
	spec, err := loader.LoadFromData(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := spec.Validate(loader.Context); err != nil {
		t.Fatalf("the OpenAPI document is not valid: %v", err)
	}
	router, err := gorillamux.NewRouter(spec)
	if err != nil {
		t.Fatal(err)
	}
	return &apiChecker{router: router, seen: map[string]bool{}}
}

func (c *apiChecker) validate(t *testing.T, method, url, body string, reqHeader http.Header, status int, header http.Header, data []byte, validRequest bool) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = reqHeader.Clone()
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		if validRequest {
			t.Errorf("%s %s is not a route of the OpenAPI document: %v", method, url, err)
		}
		return
	}
	ctx := context.Background()
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	if validRequest {
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			t.Errorf("%s %s: the request does not match the OpenAPI document: %v", method, url, err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: header,
		Body: io.NopCloser(bytes.NewReader(data)), Options: &openapi3filter.Options{IncludeResponseStatus: true}}
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		t.Errorf("%s %s → %d: the answer does not match the OpenAPI document: %v\n%s", method, url, status, err, data)
	}
	c.mu.Lock()
	c.seen[method+" "+route.Path+" "+http.StatusText(status)] = true
	c.mu.Unlock()
}

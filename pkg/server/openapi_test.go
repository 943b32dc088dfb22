package server

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/ceso/ceso/pkg/operations"
	"github.com/ceso/ceso/pkg/server/api"
	"github.com/getkin/kin-openapi/openapi3"
)

var update = flag.Bool("update", false, "rewrite docs/api/openapi.yaml from the catalog")

var openapiFile = filepath.Join("..", "..", "docs", "api", "openapi.yaml")

// TestOpenAPIDocumentIsCurrent fails when docs/api/openapi.yaml differs
// from the document the catalog makes (go test -run ThisTest -update
// rewrites it), and checks the committed file is a valid OpenAPI 3.1
// document with one operation per catalog entry, named after it.
func TestOpenAPIDocumentIsCurrent(t *testing.T) {
	want, err := OpenAPIYAML(operations.Catalog())
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.MkdirAll(filepath.Dir(openapiFile), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(openapiFile, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(openapiFile)
	if err != nil {
		t.Fatalf("%v (make it with -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is not what the catalog makes: run go test ./pkg/server -run TestOpenAPIDocumentIsCurrent -update", openapiFile)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(got)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("not a valid OpenAPI document: %v", err)
	}
	if !doc.IsOpenAPI31OrLater() {
		t.Fatalf("version %s, want 3.1", doc.OpenAPI)
	}
	for _, d := range operations.Catalog() {
		p := doc.Paths.Find(api.OpsPrefix + d.Name())
		if p == nil || p.Post == nil || p.Post.OperationID != d.Name() {
			t.Errorf("%s: no POST %s%s with operationId %s", d.Name(), api.OpsPrefix, d.Name(), d.Name())
		}
	}
	if n := len(doc.Paths.Map()); n != len(operations.Catalog())+5 {
		t.Errorf("%d paths, want one per operation and 5 more", n)
	}
}

// TestOpenAPIIsServedAsJSON: the server serves the same document, as JSON,
// without a token.
func TestOpenAPIIsServedAsJSON(t *testing.T) {
	ts := newTestServer(t, serverOpts{})
	r := ts.call(t, http.MethodGet, api.OpenAPIPath, "", "", true)
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/json" {
		t.Fatalf("status %d %s", r.status, r.header)
	}
	want, _ := OpenAPI(operations.Catalog())
	var served, made map[string]any
	r.decode(t, &served)
	b, _ := json.Marshal(want)
	_ = json.Unmarshal(b, &made)
	if !jsonEqual(served, made) {
		t.Fatal("the served document differs from the catalog's")
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

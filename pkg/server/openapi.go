package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/ceso/ceso/pkg/operations"
	"github.com/ceso/ceso/pkg/ops"
	"github.com/ceso/ceso/pkg/server/api"
	"github.com/google/jsonschema-go/jsonschema"
	"gopkg.in/yaml.v3"
)

// OpenAPIVersion is the API's version in its document.
const OpenAPIVersion = "1.0.0"

type obj = map[string]any

func ref(kind, name string) obj { return obj{"$ref": "#/components/" + kind + "/" + name} }

// OpenAPI is the API's OpenAPI 3.1 document, made from the catalog: one
// path per operation (operationId = its name), whose request body is the
// operation's input schema and whose answer carries its output schema.
func OpenAPI(catalog []operations.Def) (map[string]any, error) {
	schemas, err := commonSchemas()
	if err != nil {
		return nil, err
	}
	paths := obj{}
	for _, d := range catalog {
		in, out, err := opSchemas(d)
		if err != nil {
			return nil, err
		}
		schemas[d.Name()+".params"], schemas[d.Name()+".result"] = in, out
		schemas[d.Name()+".outcome"] = outcomeSchema(d.Name() + ".result")
		paths[api.OpsPrefix+d.Name()] = obj{"post": opPath(d)}
	}
	addFixedPaths(paths)
	return obj{
		"openapi": "3.1.0",
		"info": obj{
			"title":   "ceso API",
			"version": OpenAPIVersion,
			"description": "The operations of ceso's catalog over HTTP, served by `ceso serve`. " +
				"Every operation is POST " + api.OpsPrefix + "{name} with its params as the JSON body. " +
				"A read (or ?dry_run=true) answers 200 when it ends within server.sync_wait; a write, " +
				"or a longer read, answers 202 with a job to follow at " + api.JobsPath + "/{id}. " +
				"Errors carry a code, the class of the CLI's exit code. Generated from the catalog; do not edit.",
		},
		"security": []any{obj{"bearer": []any{}}},
		"paths":    paths,
		"components": obj{
			"schemas":         schemas,
			"securitySchemes": obj{"bearer": obj{"type": "http", "scheme": "bearer", "description": "a token of server.tokens (ceso serve token new)"}},
			"parameters": obj{
				"dry_run": obj{"name": api.DryRunParam, "in": "query", "required": false, "schema": obj{"type": "boolean"},
					"description": "return the plan (the exact API calls or shell commands) and its plan ID; change nothing"},
				"timeout": obj{"name": api.TimeoutParam, "in": "query", "required": false,
					"schema":      obj{"type": "string", "pattern": `^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$`},
					"description": "deadline of the operation, a Go duration such as 90s or 30m (default esxi.timeout)"},
				"job_id": obj{"name": "id", "in": "path", "required": true, "schema": obj{"type": "string"}},
				"mode": obj{"name": api.ModeHeader, "in": "header", "required": false,
					"schema":      obj{"type": "string", "enum": []any{"restricted", "read-only", "standard", "unrestricted"}},
					"description": "lower the token's security mode for this request; asking for more than the token has is refused (403)"},
				"confirmed": obj{"name": api.ConfirmedHeader, "in": "header", "required": false, "schema": obj{"type": "boolean"},
					"description": "a human confirmed this destructive operation (standard mode runs it only then)"},
				"promotion_token": obj{"name": api.PromotionTokenHeader, "in": "header", "required": false, "schema": obj{"type": "string"},
					"description": "a signed promotion token (ceso sandbox promote) that may lift a refusal"},
				"approval": obj{"name": api.ApprovalHeader, "in": "header", "required": false, "schema": obj{"type": "string"},
					"description": "a signed approval of the plan ID a refusal or dry run showed (ceso sandbox approve)"},
			},
			"headers": obj{
				"correlation": obj{"description": "the correlation ID of the operation (its audit records) or of the request", "schema": obj{"type": "string"}},
				"location":    obj{"description": "the job's URL", "schema": obj{"type": "string"}},
			},
			"responses": obj{
				"error": obj{"description": "an error: its code is the class of the CLI's exit code",
					"headers": obj{api.CorrelationHeader: ref("headers", "correlation")},
					"content": jsonContent(ref("schemas", "Error"))},
				"job": obj{"description": "the job",
					"headers": obj{api.CorrelationHeader: ref("headers", "correlation")},
					"content": jsonContent(ref("schemas", "Job"))},
			},
		},
	}, nil
}

func jsonContent(schema any) obj { return obj{"application/json": obj{"schema": schema}} }

// opPath is the POST of one operation.
func opPath(d operations.Def) obj {
	classes := make([]string, 0, len(d.Classes()))
	for _, c := range d.Classes() {
		classes = append(classes, c.String())
	}
	noun, _, _ := strings.Cut(d.Name(), ".")
	answer := "200 when it ends within server.sync_wait, else 202 with a job"
	if !readOnly(d) {
		answer = "202 with a job once the runner started it; a refusal or invalid params answer at once"
	}
	return obj{
		"operationId": d.Name(),
		"summary":     d.Summary(),
		"description": fmt.Sprintf("Class: %s. %s.", strings.Join(classes, " or "), answer),
		"tags":        []any{noun},
		"parameters": []any{
			ref("parameters", "dry_run"), ref("parameters", "timeout"), ref("parameters", "mode"),
			ref("parameters", "confirmed"), ref("parameters", "promotion_token"), ref("parameters", "approval"),
		},
		"requestBody": obj{"required": false, "description": "the operation's params; empty means all defaults",
			"content": jsonContent(ref("schemas", d.Name()+".params"))},
		"responses": obj{
			"200": obj{"description": "the operation ended: its result, or on a dry run its plan",
				"headers": obj{api.CorrelationHeader: ref("headers", "correlation")},
				"content": jsonContent(ref("schemas", d.Name()+".outcome"))},
			"202": obj{"description": "the operation runs as a job",
				"headers": obj{api.CorrelationHeader: ref("headers", "correlation"), "Location": ref("headers", "location")},
				"content": jsonContent(ref("schemas", "Job"))},
			"400":     ref("responses", "error"),
			"401":     ref("responses", "error"),
			"403":     ref("responses", "error"),
			"404":     ref("responses", "error"),
			"413":     ref("responses", "error"),
			"429":     ref("responses", "error"),
			"default": ref("responses", "error"),
		},
	}
}

func addFixedPaths(paths obj) {
	errs := obj{"404": ref("responses", "error"), "default": ref("responses", "error")}
	with := func(m obj) obj {
		for k, v := range errs {
			m[k] = v
		}
		return m
	}
	health := func(id, what string) obj {
		return obj{"get": obj{"operationId": id, "summary": what, "security": []any{}, "tags": []any{"server"},
			"responses": with(obj{
				"200": obj{"description": "ok", "content": jsonContent(ref("schemas", "Health"))},
				"503": obj{"description": "not ready: the failed checks", "content": jsonContent(ref("schemas", "Health"))},
			})}}
	}
	paths[api.HealthPath] = health("server.health", "Alive")
	paths[api.ReadyPath] = health("server.ready", "Ready: the host reachable with a valid session, the backup catalog openable, the audit log writable")
	paths[api.OpenAPIPath] = obj{"get": obj{"operationId": "server.openapi", "summary": "This document, as JSON", "security": []any{},
		"tags": []any{"server"}, "responses": with(obj{"200": obj{"description": "the OpenAPI document", "content": jsonContent(obj{"type": "object"})}})}}
	paths[api.JobsPath] = obj{"get": obj{"operationId": "jobs.list", "summary": "The caller's jobs, oldest first", "tags": []any{"jobs"},
		"responses": with(obj{"200": obj{"description": "the jobs", "content": jsonContent(ref("schemas", "JobList"))}})}}
	paths[api.JobsPath+"/{id}"] = obj{
		"parameters": []any{ref("parameters", "job_id")},
		"get": obj{"operationId": "jobs.get", "summary": "A job: state, progress, result or error", "tags": []any{"jobs"},
			"responses": with(obj{"200": ref("responses", "job")})},
		"delete": obj{"operationId": "jobs.cancel", "summary": "Cancel a job; it ends as canceled once the operation returns", "tags": []any{"jobs"},
			"responses": with(obj{"200": ref("responses", "job")})},
	}
}

// outcomeSchema is the 200 answer of an operation whose result schema is
// the component result.
func outcomeSchema(result string) obj {
	return obj{
		"type": "object",
		"properties": obj{
			"correlation_id": obj{"type": "string"},
			"dry_run":        obj{"type": "boolean"},
			"plan":           obj{"type": []any{"null", "array"}, "items": ref("schemas", "Step")},
			"plan_id":        obj{"type": "string"},
			"result":         obj{"anyOf": []any{obj{"type": "null"}, ref("schemas", result)}},
			"notes":          obj{"type": []any{"null", "array"}, "items": obj{"type": "string"}},
		},
		"required":             []any{"correlation_id", "dry_run", "plan", "result", "notes"},
		"additionalProperties": false,
	}
}

func opSchemas(d operations.Def) (any, any, error) {
	in, err := d.InputSchema()
	if err != nil {
		return nil, nil, err
	}
	out, err := d.OutputSchema()
	if err != nil {
		return nil, nil, err
	}
	a, err := generic(in)
	if err != nil {
		return nil, nil, err
	}
	b, err := generic(out)
	return a, b, err
}

// commonSchemas are the schemas of the API's own types.
func commonSchemas() (obj, error) {
	opts := &jsonschema.ForOptions{TypeSchemas: map[reflect.Type]*jsonschema.Schema{
		reflect.TypeFor[json.RawMessage](): {Description: "the operation's result, as its route's outcome schema says"},
		reflect.TypeFor[time.Time]():       {Type: "string", Format: "date-time"},
	}}
	out := obj{}
	for name, f := range map[string]func() (*jsonschema.Schema, error){
		"Error":   func() (*jsonschema.Schema, error) { return jsonschema.For[api.Error](opts) },
		"Job":     func() (*jsonschema.Schema, error) { return jsonschema.For[api.Job](opts) },
		"JobList": func() (*jsonschema.Schema, error) { return jsonschema.For[api.JobList](opts) },
		"Health":  func() (*jsonschema.Schema, error) { return jsonschema.For[api.Health](opts) },
		"Step":    func() (*jsonschema.Schema, error) { return jsonschema.For[ops.Step](opts) },
	} {
		s, err := f()
		if err != nil {
			return nil, fmt.Errorf("schema of %s: %w", name, err)
		}
		g, err := generic(s)
		if err != nil {
			return nil, err
		}
		out[name] = g
	}
	codes := make([]any, 0, len(api.Codes()))
	for _, c := range api.Codes() {
		codes = append(codes, c)
	}
	out["Error"].(obj)["properties"].(obj)["code"].(obj)["enum"] = codes
	out["Job"].(obj)["properties"].(obj)["state"].(obj)["enum"] = []any{api.StateQueued, api.StateRunning, api.StateSucceeded, api.StateFailed, api.StateCanceled}
	return out, nil
}

// generic turns a schema into plain maps and slices.
func generic(s *jsonschema.Schema) (any, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	return v, nil
}

// OpenAPIJSON is the document as indented JSON.
func OpenAPIJSON(catalog []operations.Def) ([]byte, error) {
	doc, err := OpenAPI(catalog)
	if err != nil {
		return nil, err
	}
	return json.MarshalIndent(doc, "", "  ")
}

// OpenAPIYAML is the document as YAML: docs/api/openapi.yaml.
func OpenAPIYAML(catalog []operations.Def) ([]byte, error) {
	doc, err := OpenAPI(catalog)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString("# The HTTP API of `ceso serve`, generated from the operation catalog.\n" +
		"# Do not edit: regenerate with  go test ./pkg/server -run TestOpenAPIDocumentIsCurrent -update\n")
	// The top level in the order readers expect; below it, sorted keys.
	top := &yaml.Node{Kind: yaml.MappingNode}
	for _, key := range []string{"openapi", "info", "security", "paths", "components"} {
		var v yaml.Node
		if err := v.Encode(doc[key]); err != nil {
			return nil, err
		}
		top.Content = append(top.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, &v)
	}
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(top); err != nil {
		return nil, err
	}
	return b.Bytes(), enc.Close()
}

func (s *Server) openapiJSON(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(s.openapi)
}

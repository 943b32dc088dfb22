// Package operations is ceso's catalog: every operation that reads or acts,
// one file each, with a typed Params struct (JSON tags, `secret` tags on
// secret fields, Validate that names the bad field, Target), a typed
// result, a class (read, write, destructive) that may depend on the
// params, and a plan that comes from the same code as the run. Input and
// output JSON schemas are generated from the types.
//
// Every front end — the CLI, `ceso serve`, `ceso mcp` — runs operations
// only through Run (typed) or Def.Invoke (JSON), so the sandbox, the audit
// log and the metrics of pkg/ops apply to all of them alike. The package
// holds no terminal or HTTP code; the catalog itself is fixed at build time.
package operations

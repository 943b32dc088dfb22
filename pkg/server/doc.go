// Package server is `ceso serve`: the daemon that holds the ESXi
// credentials and gives its callers tokens instead, with every operation
// of the catalog as a route of a JSON API generated from the catalog.
//
// One pkg/app App serves every request, so the sandbox, the audit log and
// the metrics of the runner apply to the API exactly as to the CLI. The
// routes are made from operations.Catalog(): POST /api/v1/ops/{name}, the
// body being the operation's params, decoded strictly. A read (or a dry
// run) is answered directly when it ends within server.sync_wait; a write,
// or a read that takes longer, becomes a job (202) that outlives the
// request and is kept for server.job_retention. /mcp serves the same
// operations as MCP tools over streamable HTTP (pkg/mcp), behind the same
// allowlist and tokens: the token's name is the agent, its mode the
// ceiling. The OpenAPI document of
// the API (docs/api/openapi.yaml, served at /api/v1/openapi.json) is made
// from the catalog's JSON schemas.
//
// # Guarantees
//
//   - Beyond loopback the server speaks only TLS: the configured pair, or
//     a self-signed pair made once in the state directory, whose SHA-256
//     fingerprint a client pins.
//   - A client outside security.ip_allowlist is refused (403) before any
//     handler; every /api/v1 route but the OpenAPI document needs a bearer
//     token configured by its SHA-256; the token's name is the audit actor
//     and its mode the highest sandbox mode its operations run in. Each
//     token has its own rate limit.
//   - No ESXi or SSH password appears in any response: every body is
//     scrubbed of the secrets the server resolved.
//   - On shutdown, running operations may finish for
//     server.shutdown_timeout; the rest are cancelled; both are logged and
//     the runner records each end in the audit log.
//
// It holds no operation of its own and imports no ESXi package: operations
// run only through operations.Def.Invoke.
package server

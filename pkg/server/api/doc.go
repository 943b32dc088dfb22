// Package api holds the wire types of ceso's HTTP API (/api/v1): the
// outcome of an operation, a job, an error body, and the mapping between
// error codes and errkind kinds that keeps the CLI's exit codes the same
// whether a command runs locally or through `ceso serve`.
//
// It is shared by the server (pkg/server) and its client
// (pkg/server/apiclient) and holds no HTTP handling of its own.
package api

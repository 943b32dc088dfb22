// Package app is ceso's composition root: it holds what every operation of
// one process shares — the configuration, the logger and the clock, the
// metrics registry, the audit sink, the session pool, the SSH connection of
// the fallback transport and the backup engine's dependencies — each made
// once, lazily, and closed once by Close.
//
// Every front end (the CLI, `ceso serve`, `ceso mcp`) builds one App and
// hands it to pkg/operations. It knows nothing of cobra, terminals or HTTP:
// the front end passes in the writers it wants warnings and progress on.
// It keeps no package-level state.
package app

// Package metrics owns ceso's Prometheus collectors. They live on a private
// registry (never the global one), in namespace "ceso", with base units and
// bounded labels: operation, status, method class, error kind and sandbox
// mode, never an ID or a VM name in a histogram. Each metric has a typed
// method to record it (ObserveOperation, ObserveAPICall, SSHFallback,
// SetPool, Login, SandboxDenied, AuditWriteFailed, SetJobs), safe for
// concurrent use; label values outside a bounded set are folded into
// "other", so a caller cannot blow up the series count by mistake.
//
// The registry is served over HTTP by Serve (an allowlist check runs before
// the handler) and written atomically to a textfile for node_exporter's
// textfile collector by WriteTextfile. The backup engine registers its own
// collectors on the same registry (backup.RegisterMetrics). docs/metrics.md
// lists every metric with its labels and what to alert on.
//
// It must not import any ESXi, CLI or server package.
package metrics

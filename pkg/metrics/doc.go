// Package metrics owns ceso's Prometheus collectors. They live on a private
// registry (never the global one), in namespace "ceso", with base units and
// bounded labels: operation and status, never a VM name in a histogram. It
// serves them over HTTP and writes them to a textfile for node_exporter.
//
// It must not import any ESXi, CLI or server package.
package metrics

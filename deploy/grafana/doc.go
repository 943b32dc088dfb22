// Package grafana builds ceso's Grafana dashboard in Go with the Grafana
// Foundation SDK's typed builders. `go generate ./deploy/grafana` writes it
// to ceso-dashboard.json, the file operators import; a test fails when the
// committed file differs from what Build makes, and the PromQL check in
// package deploy parses every query in it against ceso's registry.
//
// The dashboard reads ceso's raw metrics (no recording rule is needed) from
// a Prometheus data source chosen by the $datasource variable, filtered by
// $job and $instance. It must not import ceso's runtime packages.
package grafana

//go:generate go run ./gen -o ceso-dashboard.json

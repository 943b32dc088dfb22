// Package deploy holds ceso's deployment files: the Grafana dashboard
// (grafana/), the Prometheus rules and their unit tests (prometheus/) and
// the systemd units (systemd/). Its tests check them against ceso itself:
// every PromQL expression of the dashboard and the rules parses with
// Prometheus' own parser and names only metrics ceso's registry exports (or
// recording rules); promtool checks the rules, runs their unit tests and
// lints a scrape; systemd-analyze verifies the units. It has no code of
// its own.
package deploy

// Package promtest runs a real Prometheus server (Debian's prometheus
// package) for end-to-end tests: Start writes a scrape configuration for
// the given targets (and rule files), starts the server on a free loopback
// port with its storage in the test's temporary directory, waits until it
// is ready, and stops it when the test ends. Query and WaitFor read the
// server's HTTP query API. Every wait is bounded.
//
// A test that needs the server calls Start, which skips the test with a
// message when the prometheus binary is absent and fails it under CI=true.
// The package listens on and scrapes loopback addresses only.
package promtest

// Package docs tests that the documentation runs as written: every shell
// block of the README and of docs/user-guide.md runs, in order, against a
// simulated host, with a fresh HOME and the ceso binary built from this
// checkout. A block that fails names its file and line. It holds tests
// only.
package docs

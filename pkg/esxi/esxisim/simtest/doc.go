// Package simtest starts the ESXi-faithful simulator for tests and connects
// to it: the one copy of the start-up helpers every package's tests use. It
// is for tests only.
package simtest

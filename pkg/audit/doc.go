// Package audit writes ceso's audit log: one JSON line per operation start
// and end (ops.Record), appended to a 0600 file, with secret parameters
// replaced by a keyed hash so that two records of the same secret can be
// matched without revealing it. A write that fails refuses the operation
// (the runner fails closed).
//
// It must not import the CLI or any ESXi package.
package audit

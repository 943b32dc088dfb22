// Package vm assembles the `ceso vm` verbs, one file a verb (list, info,
// create, clone, delete, power). Each verb turns flags into options, the
// options into an ops.Op, and prints the result; it never calls the ESXi
// layer around the runner.
package vm

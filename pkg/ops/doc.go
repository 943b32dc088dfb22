// Package ops is the one path every operation takes. A command or an HTTP
// handler builds an Op (name, target, parameters, Plan and Run) and hands it
// to Runner.Do, which in order: asks the sandbox whether the op may run in the
// current mode (deny by default), writes the audit "start" record (and refuses
// the op when that fails), returns the plan and stops on a dry run, times and
// counts the op in the metrics, runs it, and writes the audit "end" record
// with the same correlation ID.
//
// Every op name is registered with a class (read, write, destructive) in
// registry.go. It must not import the CLI, the server, or any ESXi package.
package ops

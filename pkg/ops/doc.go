// Package ops is the one path every operation takes. pkg/operations turns a
// catalog definition and its typed params into an Op (name, class, target,
// the params' audit JSON, Plan and Run) and hands it to Runner.Do, which in
// order: asks the sandbox whether the op may run in the current mode (deny
// by default: an op without a class runs only in unrestricted mode), writes
// the audit "start" record (and refuses the op when that fails), returns the
// plan and stops on a dry run, times and counts the op in the metrics, runs
// it, and writes the audit "end" record with the same correlation ID.
//
// A sandbox that is a Guard (pkg/app's, over pkg/security) also says how it
// let an op through — by its mode, a promotion token or a plan approval —
// and the audit records carry the token or approval ID. An approval is for
// one plan: when one is given the runner makes the plan first and the Guard
// checks its ID. An op the Guard refuses but would allow as a dry run is
// refused with its plan and plan ID in the Result, for a human to approve.
//
// It must not import the CLI, the server, the catalog or any ESXi package.
package ops

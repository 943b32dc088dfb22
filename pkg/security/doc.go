// Package security is ceso's sandbox: the modes that decide which
// operations run, the system policy that caps the mode a user may ask for,
// promotion tokens and plan approvals that lift a restriction for one
// signed scope, and the IP allowlist of the listeners.
//
// # Guarantees
//
//   - Deny by default: Sandbox.CheckOperation allows an operation only when
//     the mode, a valid approval of its current plan, or a valid promotion
//     token says so, and returns an error naming the reason otherwise. An
//     operation without a class runs only in unrestricted mode.
//   - EffectiveMode never returns a mode above the configured one, nor a
//     configured mode above the system policy's max_mode.
//   - A policy file is honoured only if a trusted owner (root by default)
//     owns it and the running user can write neither it nor a directory
//     above it; otherwise loading fails, it is never silently skipped.
//     CESO_POLICY adds a policy, it cannot replace the system one.
//   - Tokens and approvals are Ed25519-signed by a key the operator keeps;
//     the verifier holds only the public key. Every way a token can be
//     wrong has its own error: malformed, wrong key, forged, over the
//     lifetime cap, not yet valid, expired, out of scope (operation or
//     target), used up, revoked; an approval also stale or replayed. Time
//     comes from an injected clock.
//   - Uses, revocations and spent approvals are kept in a bbolt file (State)
//     with each check-and-count in one transaction.
//
// # What it cannot do alone
//
// The sandbox guards ceso's own code path. A process that can read the
// ESXi credentials, or write the state file and the policy's directory, can
// go around it; see docs/security.md for deploying ceso for agents.
//
// It must not import the CLI, the runner, or any ESXi package.
package security

// Package mcp is `ceso mcp` and the /mcp endpoint of `ceso serve`: every
// operation of the catalog as a Model Context Protocol tool, for AI
// agents, behind the same sandbox, audit log and metrics as the CLI and
// the HTTP API. It is built on github.com/modelcontextprotocol/go-sdk.
//
// # Guarantees
//
//   - One tool per catalog definition, generated: its name is the
//     operation's with "." replaced by "_" (vm.list is vm_list: several
//     clients' model APIs accept only letters, digits, "_" and "-" in tool
//     names), its description the summary, its input schema the params'
//     schema (plus idempotency_key, dry_run, approval and promotion_token
//     on tools that can change something), its output an envelope whose
//     result is the catalog's result schema. No tool is written by hand.
//   - Deny by default: an operation without a class is not exposed, nor
//     one the mode and security.allowed_ops refuse even as a plan.
//   - Honest annotations: readOnlyHint when every class the operation can
//     take is read, destructiveHint when one is destructive,
//     idempotentHint when operations.Idempotent says so.
//   - Every call runs through operations.Def.Invoke with the session's
//     identity as the audit actor and its mode as the ceiling. What the
//     mode refuses but allows as a plan is not run: the result is the plan,
//     its ID and the command a human runs to approve it; the agent passes
//     the approval back with the same arguments, and it runs once.
//   - A write with an idempotency_key that acted is answered, for the same
//     identity and arguments, from the first call's result (kept for a
//     bounded time and number); it does not act twice.
//   - What reaches the agent is data: every string of a result has its
//     control and format characters removed and is cut to a length limit,
//     names in the text are quoted, known secrets are masked, and the
//     audit tail carries no params.
//
// It holds no operation of its own and imports no ESXi package. It must
// not import the CLI or the HTTP server; the server mounts Handler.
package mcp

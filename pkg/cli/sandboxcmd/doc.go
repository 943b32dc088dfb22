// Package sandboxcmd assembles `ceso sandbox`: the human operator's tools
// around the sandbox (pkg/security). keygen makes the Ed25519 key pair whose
// private half stays with the operator; promote signs a promotion token for
// named operations and targets; approve signs an approval of one plan ID;
// revoke records a token or approval as revoked in the state file where
// ceso checks them. They are local tools, not catalog operations: they never
// reach a host, and signing needs the private key, which the process the
// sandbox guards must not hold.
package sandboxcmd

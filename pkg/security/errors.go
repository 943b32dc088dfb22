package security

import "github.com/ceso/ceso/pkg/errkind"

// Sandbox decisions.
var (
	// ErrPlanOnly is returned by CheckOperation in restricted mode for a
	// write or destructive operation: the caller may run it as a dry-run
	// plan (and print its plan ID for an approval) but not for real.
	ErrPlanOnly = errkind.New(errkind.Refused, "restricted mode: only a dry-run plan of this operation may run")
	// ErrNeedsConfirmation is returned in standard mode for a destructive
	// operation that was not explicitly confirmed.
	ErrNeedsConfirmation = errkind.New(errkind.Refused, "destructive operation needs explicit confirmation")
	// ErrNotAllowed is returned for an operation outside allowed_ops.
	ErrNotAllowed = errkind.New(errkind.Refused, "operation not in allowed_ops")
	// ErrUnclassified is returned for an operation without a known class in
	// every mode but unrestricted.
	ErrUnclassified = errkind.New(errkind.Refused, "operation has no class")
	// ErrProtected is returned for an operation that would change a VM or
	// datastore of security.protected without a promotion token naming
	// it, in any mode.
	ErrProtected = errkind.New(errkind.Refused, "protected object")
	// ErrProtectedUnnamed is returned with ErrProtected for an operation
	// that may reach a protected object it does not name (a batch by
	// pattern, a datastore known only when it runs): no token lifts it;
	// name the objects.
	ErrProtectedUnnamed = errkind.New(errkind.Refused, "may reach a protected object it does not name")
	// ErrInvalidOperation is returned for an Operation without a name.
	ErrInvalidOperation = errkind.New(errkind.Usage, "invalid operation")
)

// Modes and policy.
var (
	// ErrUnknownMode is returned for a mode name that is not restricted,
	// standard, unrestricted or read-only.
	ErrUnknownMode = errkind.New(errkind.Config, "unknown security mode")
	// ErrModeRaise is returned when --mode or CESO_MODE asks for a mode
	// above the configured one: they may only lower it.
	ErrModeRaise = errkind.New(errkind.Refused, "the mode can only be lowered for one command")
	// ErrAbovePolicy is returned when the configuration asks for a mode
	// above the system policy's max_mode.
	ErrAbovePolicy = errkind.New(errkind.Config, "security mode above the system policy")
	// ErrPolicyUntrusted is returned for a policy file that the running
	// user could have written, or that is not owned by a trusted owner.
	ErrPolicyUntrusted = errkind.New(errkind.Config, "system policy not trusted")
	// ErrPolicyInvalid is returned for a policy file that does not parse or
	// validate.
	ErrPolicyInvalid = errkind.New(errkind.Config, "system policy invalid")
)

// Keys, promotion tokens and plan approvals.
var (
	// ErrKey is returned for a key file that cannot be made, read or used.
	ErrKey = errkind.New(errkind.Config, "signing key unusable")
	// ErrGrant is returned by Signer for a promotion or approval that cannot
	// be issued as asked (no operations, a duration over the cap, …).
	ErrGrant = errkind.New(errkind.Usage, "invalid grant")
	// ErrNoVerifier is returned when a token is presented but no promotion
	// public key is configured.
	ErrNoVerifier = errkind.New(errkind.Refused, "no promotion public key configured: tokens cannot be checked")
	// ErrTokenMalformed is returned for a token that does not parse.
	ErrTokenMalformed = errkind.New(errkind.Refused, "malformed token")
	// ErrTokenWrongKey is returned for a token signed by a key that is not
	// the configured one.
	ErrTokenWrongKey = errkind.New(errkind.Refused, "token signed by another key")
	// ErrTokenForged is returned for a token whose signature does not verify
	// under the key it names.
	ErrTokenForged = errkind.New(errkind.Refused, "token signature invalid")
	// ErrTokenExpired is returned for a token past its expiry.
	ErrTokenExpired = errkind.New(errkind.Refused, "token expired")
	// ErrTokenNotYetValid is returned for a token before its not-before time.
	ErrTokenNotYetValid = errkind.New(errkind.Refused, "token not yet valid")
	// ErrTokenOverCap is returned for a token valid for longer than the
	// configured maximum (security.max_promotion).
	ErrTokenOverCap = errkind.New(errkind.Refused, "token lifetime over the maximum")
	// ErrTokenOpScope is returned when a token does not name the operation.
	ErrTokenOpScope = errkind.New(errkind.Refused, "operation outside the token's scope")
	// ErrTokenTargetScope is returned when a token does not name the target.
	ErrTokenTargetScope = errkind.New(errkind.Refused, "target outside the token's scope")
	// ErrTokenUsedUp is returned for a token whose uses are all spent.
	ErrTokenUsedUp = errkind.New(errkind.Refused, "token used up")
	// ErrTokenRevoked is returned for a revoked token.
	ErrTokenRevoked = errkind.New(errkind.Refused, "token revoked")
	// ErrApprovalStale is returned for an approval of another plan: the
	// host or the params changed since the plan was approved.
	ErrApprovalStale = errkind.New(errkind.Refused, "approval is for another plan")
	// ErrApprovalReplayed is returned for an approval already used.
	ErrApprovalReplayed = errkind.New(errkind.Refused, "approval already used")
)

// IP allowlist.
var (
	// ErrAllowlist is returned for an allowlist entry that is not an IP
	// address or CIDR prefix.
	ErrAllowlist = errkind.New(errkind.Config, "invalid IP allowlist")
	// ErrForbidden is returned by ClientIP callers for a client outside the
	// allowlist.
	ErrForbidden = errkind.New(errkind.Refused, "client address not allowed")
)
